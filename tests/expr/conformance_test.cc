// The official CEL conformance tests (github.com/google/cel-spec, tests/simple/testdata), read
// from ../shared/corpus/cel-spec by path. Prints passed / failed / skipped per in-scope file,
// with the reason for every skip, and requires ≥ 95% of the in-scope, non-skipped tests to pass.
// Skips are only for what orderpilot does not model: protobuf messages (TestAllTypes, wrappers,
// Any, google.protobuf.Value/Struct/ListValue, enums) and unknowns.
//
// OP_CEL_VERBOSE=1 prints every failure with the expression and what came out.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>

#include "expr/program.h"
#include "expr/textproto.h"

namespace orderpilot::expr {
namespace {

using conformance::ConformanceTest;
using conformance::Node;

const std::vector<std::string>& InScopeFiles() {
  static const std::vector<std::string> kFiles = {
      "basic",        "comparisons", "conversions", "fields",     "fp_math",
      "integer_math", "lists",       "logic",       "macros",     "macros2",
      "parse",        "plumbing",    "string",      "timestamps", "namespace"};
  return kFiles;
}

// Why a test cannot run here, or "" when it can.
std::string SkipReason(const ConformanceTest& t) {
  static const std::regex kMessage(
      R"((TestAllTypes|NestedTestAllTypes|NestedMessage|NestedEnum|GlobalEnum|cel\.expr\.conformance|google\.protobuf\.(Any|Value|Struct|ListValue|NullValue|BoolValue|BytesValue|DoubleValue|FloatValue|Int32Value|Int64Value|StringValue|UInt32Value|UInt64Value|Empty|FieldMask)|\b[A-Z][A-Za-z0-9_]*\s*\{))");
  if (std::regex_search(t.expr, kMessage)) return "protobuf message types or literals";
  if (t.expect == ConformanceTest::Expect::kUnknown ||
      t.expect == ConformanceTest::Expect::kAnyUnknowns || t.binding_not_value) {
    return "unknown values (partial evaluation) are not modelled";
  }
  std::function<bool(const Node&)> has_message = [&](const Node& n) {
    if (n.name == "object_value" || n.name == "enum_value") {
      const Node* any = n.children.empty() ? nullptr : &n.children[0];
      if (!any || (any->name != "[type.googleapis.com/google.protobuf.Duration]" &&
                   any->name != "[type.googleapis.com/google.protobuf.Timestamp]")) {
        return true;
      }
    }
    if (n.name == "message_type" && n.scalar != "google.protobuf.Duration" &&
        n.scalar != "google.protobuf.Timestamp") {
      return true;
    }
    if (n.name == "wrapper" || n.name == "abstract_type" || n.name == "function") return true;
    for (const Node& c : n.children) {
      if (has_message(c)) return true;
    }
    return false;
  };
  if (has_message(*t.node)) return "protobuf message values or declarations";
  return "";
}

// --- textproto Value -> expr Value ---

class Converter {
 public:
  explicit Converter(EvalContext& ctx) : ctx_(ctx) {}

  bool Convert(const Node& n, Value* out) {
    const Node* c = n.children.empty() ? nullptr : &n.children[0];
    if (!c) return false;
    const std::string& k = c->name;
    if (k == "null_value") {
      *out = Value::Null();
    } else if (k == "bool_value") {
      *out = Value::Bool(c->scalar == "true");
    } else if (k == "int64_value") {
      *out = Value::Int(std::strtoll(c->scalar.c_str(), nullptr, 0));
    } else if (k == "uint64_value") {
      *out = Value::Uint(std::strtoull(c->scalar.c_str(), nullptr, 0));
    } else if (k == "double_value") {
      *out = Value::Double(ParseDouble(c->scalar));
    } else if (k == "string_value") {
      *out = Value::String(ctx_.arena().Copy(c->scalar));
    } else if (k == "bytes_value") {
      *out = Value::Bytes(ctx_.arena().Copy(c->scalar));
    } else if (k == "type_value") {
      *out = Value::TypeName(ctx_.arena().Copy(c->scalar));
    } else if (k == "list_value") {
      std::vector<Value> items;
      for (const Node* v : c->FindAll("values")) {
        Value x;
        if (!Convert(*v, &x)) return false;
        items.push_back(x);
      }
      *out = MakeList(ctx_.arena(), items.data(), items.size());
    } else if (k == "map_value") {
      std::vector<Value> keys, values;
      for (const Node* e : c->FindAll("entries")) {
        Value key, value;
        if (!e->Find("key") || !e->Find("value") || !Convert(*e->Find("key"), &key) ||
            !Convert(*e->Find("value"), &value)) {
          return false;
        }
        keys.push_back(key);
        values.push_back(value);
      }
      *out = MakeMap(ctx_.arena(), keys.data(), values.data(), keys.size());
    } else if (k == "object_value" && !c->children.empty()) {
      const Node& any = c->children[0];
      int64_t seconds = 0, nanos = 0;
      if (const Node* s = any.Find("seconds"))
        seconds = std::strtoll(s->scalar.c_str(), nullptr, 0);
      if (const Node* s = any.Find("nanos")) nanos = std::strtoll(s->scalar.c_str(), nullptr, 0);
      if (any.name == "[type.googleapis.com/google.protobuf.Duration]") {
        *out = Value::Duration(seconds, static_cast<int32_t>(nanos));
      } else if (any.name == "[type.googleapis.com/google.protobuf.Timestamp]") {
        *out = Value::Timestamp(seconds, static_cast<int32_t>(nanos));
      } else {
        return false;
      }
    } else {
      return false;
    }
    return true;
  }

  static double ParseDouble(const std::string& s) {
    std::string l;
    for (char ch : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (l == "inf" || l == "infinity") return INFINITY;
    if (l == "-inf" || l == "-infinity") return -INFINITY;
    if (l == "nan" || l == "-nan") return NAN;
    return std::strtod(s.c_str(), nullptr);
  }

 private:
  EvalContext& ctx_;
};

const Type* ConvertType(const Node& n, const TypeStore& ts) {
  const Node* c = n.children.empty() ? nullptr : &n.children[0];
  if (!c) return ts.Dyn();
  if (c->name == "primitive") {
    const std::string& p = c->scalar;
    if (p == "BOOL") return ts.Basic(TypeKind::kBool);
    if (p == "INT64") return ts.Basic(TypeKind::kInt);
    if (p == "UINT64") return ts.Basic(TypeKind::kUint);
    if (p == "DOUBLE") return ts.Basic(TypeKind::kDouble);
    if (p == "STRING") return ts.Basic(TypeKind::kString);
    if (p == "BYTES") return ts.Basic(TypeKind::kBytes);
  }
  if (c->name == "list_type" && c->Find("elem_type")) {
    return ts.List(ConvertType(*c->Find("elem_type"), ts));
  }
  if (c->name == "map_type" && c->Find("key_type") && c->Find("value_type")) {
    return ts.Map(ConvertType(*c->Find("key_type"), ts), ConvertType(*c->Find("value_type"), ts));
  }
  if (c->name == "message_type") {
    if (c->scalar == "google.protobuf.Duration") return ts.Basic(TypeKind::kDuration);
    if (c->scalar == "google.protobuf.Timestamp") return ts.Basic(TypeKind::kTimestamp);
  }
  if (c->name == "well_known") {
    if (c->scalar == "DURATION") return ts.Basic(TypeKind::kDuration);
    if (c->scalar == "TIMESTAMP") return ts.Basic(TypeKind::kTimestamp);
  }
  if (c->name == "null") return ts.Basic(TypeKind::kNull);
  if (c->name == "type") return ts.TypeOf(ConvertType(*c, ts));
  return ts.Dyn();
}

// Equality for test expectations: kinds must match exactly (1 is not 1u), NaN equals NaN.
bool SameValue(const Value& a, const Value& b, EvalContext& ctx) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kDouble:
      if (std::isnan(a.double_value())) return std::isnan(b.double_value());
      return a.double_value() == b.double_value() &&
             std::signbit(a.double_value()) == std::signbit(b.double_value());
    case Kind::kList: {
      if (a.list_size() != b.list_size()) return false;
      for (size_t i = 0; i < a.list_size(); ++i) {
        if (!SameValue(a.list_get(i, ctx), b.list_get(i, ctx), ctx)) return false;
      }
      return true;
    }
    case Kind::kMap: {
      if (a.map_size() != b.map_size()) return false;
      for (size_t i = 0; i < a.map_size(); ++i) {
        Value key = a.map_ops()->key_at(a.data(), i, ctx);
        Value other;
        if (!b.map_ops()->find(b.data(), key, &other, ctx)) return false;
        if (!SameValue(a.map_ops()->value_at(a.data(), i, ctx), other, ctx)) return false;
      }
      return true;
    }
    default: {
      Value e = Equals(a, b, ctx);
      return e.kind() == Kind::kBool && e.bool_value();
    }
  }
}

struct Outcome {
  enum { kPass, kFail, kSkip } result;
  std::string detail;
};

Outcome RunOne(const ConformanceTest& t) {
  std::string skip = SkipReason(t);
  if (!skip.empty()) return {Outcome::kSkip, skip};
  Env env;
  env.set_container(t.container);
  EvalContext ctx;
  Converter conv(ctx);
  std::vector<std::pair<int, Value>> bound;
  for (const Node* decl : t.type_env) {
    const Node* name = decl->Find("name");
    const Node* ident = decl->Find("ident");
    if (!name || !ident) continue;
    const Node* type = ident->Find("type");
    env.Declare(name->scalar, type ? ConvertType(*type, env.types()) : env.types().Dyn());
  }
  for (const auto& [name, node] : t.bindings) {
    int slot = env.FindVariable(name);
    if (slot < 0) slot = env.Declare(name, env.types().Dyn());
    Value v;
    if (!conv.Convert(*node, &v)) return {Outcome::kSkip, "binding of an unsupported value"};
    bound.push_back({slot, v});
  }
  CompileOptions options;
  options.check = !t.disable_check;
  options.enable_macros = !t.disable_macros;
  CompileResult compiled = Compile(t.expr, env, options);
  bool want_error = t.expect == ConformanceTest::Expect::kEvalError ||
                    t.expect == ConformanceTest::Expect::kAnyEvalErrors;
  if (!compiled.program) {
    std::string msg = FormatIssue({}, t.expr, compiled.issues[0]);
    if (want_error) return {Outcome::kPass, "compile error: " + msg};
    return {Outcome::kFail, "compile error: " + msg};
  }
  if (t.check_only) return {Outcome::kPass, ""};
  Activation act(env);
  for (const auto& [slot, v] : bound) act.Set(slot, v);
  Value result = compiled.program->Evaluate(act, ctx);
  if (want_error) {
    if (result.is_error()) return {Outcome::kPass, ""};
    return {Outcome::kFail, "expected an error, got " + DebugString(result, ctx)};
  }
  if (result.is_error()) {
    return {Outcome::kFail, "error: " + std::string(result.error_message())};
  }
  Value expected = Value::Bool(true);
  if (t.expect == ConformanceTest::Expect::kValue ||
      t.expect == ConformanceTest::Expect::kTypedResult) {
    const Node* v = t.expect == ConformanceTest::Expect::kValue ? t.value : t.value->Find("result");
    if (!v || !conv.Convert(*v, &expected)) {
      return {Outcome::kSkip, "expected value of an unsupported kind"};
    }
  }
  if (SameValue(result, expected, ctx)) return {Outcome::kPass, ""};
  return {Outcome::kFail,
          "got " + DebugString(result, ctx) + ", want " + DebugString(expected, ctx)};
}

TEST(CelConformance, InScopeFilesPassAtLeast95Percent) {
  std::filesystem::path dir = std::filesystem::path(OP_CORPUS_DIR) / "cel-spec";
  if (!std::filesystem::exists(dir)) {
    GTEST_SKIP() << "CEL conformance corpus not found at " << dir
                 << " (it lives in ../shared/corpus beside this repository)";
  }
  bool verbose = std::getenv("OP_CEL_VERBOSE") != nullptr;
  int total_pass = 0, total_fail = 0, total_skip = 0;
  std::printf("%-14s %6s %6s %7s\n", "file", "passed", "failed", "skipped");
  std::map<std::string, int> skip_reasons;
  for (const std::string& file : InScopeFiles()) {
    auto loaded = conformance::LoadConformanceFile((dir / (file + ".textproto")).string());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    int pass = 0, fail = 0, skip = 0;
    for (const ConformanceTest& t : loaded->tests) {
      Outcome o = RunOne(t);
      if (o.result == Outcome::kPass) {
        ++pass;
      } else if (o.result == Outcome::kSkip) {
        ++skip;
        ++skip_reasons[file + ": " + o.detail];
        if (verbose)
          std::printf("  SKIP %s/%s: %s\n", t.section.c_str(), t.name.c_str(), o.detail.c_str());
      } else {
        ++fail;
        std::printf("  FAIL %s/%s/%s: %s\n      %s\n", file.c_str(), t.section.c_str(),
                    t.name.c_str(), t.expr.c_str(), o.detail.c_str());
      }
    }
    std::printf("%-14s %6d %6d %7d\n", file.c_str(), pass, fail, skip);
    total_pass += pass;
    total_fail += fail;
    total_skip += skip;
  }
  std::printf("%-14s %6d %6d %7d\n", "total", total_pass, total_fail, total_skip);
  std::printf("skipped, by file and reason:\n");
  for (const auto& [reason, n] : skip_reasons) std::printf("  %4d  %s\n", n, reason.c_str());
  double rate = static_cast<double>(total_pass) / std::max(1, total_pass + total_fail);
  std::printf("pass rate over in-scope, runnable tests: %.1f%%\n", 100.0 * rate);
  EXPECT_GE(rate, 0.95);
}

}  // namespace
}  // namespace orderpilot::expr
