// expr/program.h — compile an expression once, evaluate it millions of times.
//
//   expr::Env env;                                        // what expressions may refer to
//   int order = env.Declare("order", env.types().Object(&kOrderType));
//   auto compiled = expr::Compile("order.total > money('500.00', order.currency)", env);
//   // compiled.issues: parse and type errors, each with a position (FormatIssue)
//   expr::Activation act(env);  expr::EvalContext ctx;
//   act.Set(order, expr::Value::Object(&o, &kOrderType));
//   expr::Value v = compiled.program->Evaluate(act, ctx);   // kBool, or kError with a message
//   ctx.Reset();                                          // before the next evaluation
//
// Pipeline: parser (expr/parser.h) → checker (static types, name resolution, overloads) →
// planner (a tree of evaluation steps specialised by the checker's types: object fields are read
// through resolved accessors, constant lists become sets, constant regexes are compiled once) →
// Program. Evaluation allocates nothing from the heap in the steady state: values borrow the
// bound data, and intermediate results go to the EvalContext's arena, which Reset() recycles.
//
// Errors: problems in the expression are data. Compile reports parse/type errors as Issues; at
// run time an error (overflow, division by zero, missing key, cost limit) is a kError value.
// Limits: source size and nesting depth at compile time, a cost budget (comprehension steps and
// bytes built) per evaluation; each breach is a clear error naming the limit.
//
// Thread-safety: Env is built on one thread, then read-only. A Program is immutable and may be
// evaluated from many threads at once, each with its own Activation and EvalContext.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/time_zone.h"
#include "expr/ast.h"
#include "expr/parser.h"
#include "expr/type.h"
#include "expr/value.h"

namespace orderpilot::expr {

struct ExprLimits {
  size_t max_source_bytes = 16 * 1024;  // Default: 16 KiB per expression.
  int max_depth = 100;                  // Default: 100 levels of nesting.
  int64_t max_cost = 100'000;           // Default: 100k comprehension steps + 1 per 64 bytes built.
};

// What expressions may refer to: variables (with static types) and object types.
class Env {
 public:
  Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  TypeStore& types() { return types_; }
  const TypeStore& types() const { return types_; }

  // Declares a variable (names may be qualified, "x.y"); returns its slot in an Activation.
  // Declaring a name again changes its type and keeps its slot.
  int Declare(std::string_view name, const Type* type);
  // Makes an object type nameable (type(order) == orderpilot.Order).
  void AddObjectType(const ObjectType* type);
  // Names resolve against the container first: with "com.example", `y` is com.example.y or y.
  void set_container(std::string container) { container_ = std::move(container); }
  const std::string& container() const { return container_; }
  ExprLimits& limits() { return limits_; }
  const ExprLimits& limits() const { return limits_; }

  // -1 when unknown.
  int FindVariable(std::string_view name) const;
  const Type* VariableType(int slot) const { return var_types_[slot]; }
  int variable_count() const { return static_cast<int>(var_types_.size()); }
  const ObjectType* FindObjectType(std::string_view name) const;

 private:
  TypeStore types_;
  std::unordered_map<std::string, int> vars_;
  std::vector<const Type*> var_types_;
  std::unordered_map<std::string, const ObjectType*> objects_;
  std::string container_;
  ExprLimits limits_;
};

// Per-call variable values, by slot. The values must outlive the evaluation.
class Activation {
 public:
  explicit Activation(const Env& env) : slots_(env.variable_count(), Unbound()) {}
  explicit Activation(int slots) : slots_(slots, Unbound()) {}
  void Set(int slot, Value v) { slots_[slot] = v; }
  const Value& Get(int slot) const { return slots_[slot]; }
  int size() const { return static_cast<int>(slots_.size()); }
  // The value an unset slot holds: an error "no value bound".
  static Value Unbound();

 private:
  std::vector<Value> slots_;
};

// Scratch state of one evaluation: the arena and the cost budget. One per thread; Reset()
// between evaluations (it keeps the arena's memory). The budget is the context's own: construct
// it with env.limits().max_cost to apply an Env's limit.
class EvalContext {
 public:
  explicit EvalContext(int64_t max_cost = ExprLimits{}.max_cost) : max_cost_(max_cost) {}
  Arena& arena() { return arena_; }
  void Reset() {
    arena_.Reset();
    cost_ = 0;
    exhausted_ = false;
  }
  // Adds to the cost; returns false once the budget is spent (and stays exhausted).
  bool Charge(int64_t units) {
    cost_ += units;
    if (cost_ > max_cost_) exhausted_ = true;
    return !exhausted_;
  }
  bool exhausted() const { return exhausted_; }
  int64_t cost() const { return cost_; }
  void set_max_cost(int64_t c) { max_cost_ = c; }
  int64_t max_cost() const { return max_cost_; }

  // An error value whose message lives in the arena.
  Value MakeError(std::string_view message);
  // Local variables of comprehensions (the planner numbers them).
  std::vector<Value>& locals() { return locals_; }
  // A time zone by name ("America/New_York", "+05:30"), loaded once per context and kept.
  Result<const TimeZone*> Zone(std::string_view name);

 private:
  Arena arena_;
  int64_t cost_ = 0;
  int64_t max_cost_;
  bool exhausted_ = false;
  std::vector<Value> locals_;
  // Loaded zones by name; a handful at most, searched linearly so lookups never allocate.
  std::vector<std::pair<std::string, std::unique_ptr<TimeZone>>> zones_;
};

class Step;  // expr/internal/steps.h
class Program;

struct CompileOptions {
  bool check = true;             // Default: type-check (off only for conformance's unchecked tests)
  bool enable_macros = true;     // Default: true.
  const Type* expect = nullptr;  // e.g. bool for rule conditions; null = any type
};

struct CompileResult {
  std::unique_ptr<Program> program;  // null when issues is not empty
  std::vector<Issue> issues;
};

// Parses, checks and plans `source` against `env`, within env.limits().
CompileResult Compile(std::string_view source, const Env& env, const CompileOptions& options = {});

class Program {
 public:
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // REQUIRES: ctx was Reset() since its previous use if that use's values are no longer needed.
  Value Evaluate(const Activation& activation, EvalContext& ctx) const;
  const Type* result_type() const { return result_type_; }
  const std::string& source() const { return parsed_.source; }

 private:
  friend CompileResult Compile(std::string_view, const Env&, const CompileOptions&);
  Program();
  ParsedExpr parsed_;
  std::unique_ptr<EvalContext> constants_;  // owns folded constants
  std::unique_ptr<Step> root_;
  const Type* result_type_ = nullptr;
  int locals_ = 0;
};

// Where an expression sits in a file, for error messages: the file name and the line/column of
// the expression's first character.
struct SourceRef {
  std::string file;
  int line = 1;
  int column = 1;
};
// "rules/shop.yaml:12:31: undeclared reference to 'custmer'".
std::string FormatIssue(const SourceRef& where, std::string_view source, const Issue& issue);

}  // namespace orderpilot::expr
