// fuzz/cel_parser_fuzz.cc — the CEL parser (expr/parser.h) on arbitrary source text, then the
// checker, planner and one evaluation of whatever compiles against an empty environment.
//
// Checks besides "no crash": every issue's offset lies within the source (FormatIssue turns it
// into a line and column), a parse with issues carries a message for each, and evaluation stays
// inside its cost budget.
#include <cstdint>
#include <string_view>

#include "expr/parser.h"
#include "expr/program.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orderpilot::expr;
  using orderpilot::fuzz::Check;
  const std::string_view source(reinterpret_cast<const char*>(data), size);

  ParseResult parsed = Parse(source);
  for (const Issue& issue : parsed.issues) {
    Check(issue.offset >= 0 && static_cast<size_t>(issue.offset) <= source.size(),
          "an issue's offset lies outside the source");
    Check(!issue.message.empty(), "an issue without a message");
    (void)FormatIssue(SourceRef{"fuzz.yaml", 3, 9}, source, issue);
  }
  ParseOptions shallow;
  shallow.max_depth = 8;
  shallow.enable_macros = false;
  (void)Parse(source, shallow);

  static Env* env = new Env();  // built once: compiling reads it only
  CompileResult compiled = Compile(source, *env);
  if (compiled.program != nullptr) {
    Activation activation(*env);
    EvalContext ctx(10'000);
    (void)compiled.program->Evaluate(activation, ctx);
    Check(ctx.cost() <= ctx.max_cost() + (1 << 20), "evaluation ran far past its budget");
  }
  return 0;
}
