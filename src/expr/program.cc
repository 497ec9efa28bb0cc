#include "expr/program.h"

#include "expr/internal/checker.h"
#include "expr/internal/planner.h"
#include "expr/internal/steps.h"

namespace orderpilot::expr {

Env::Env() = default;

int Env::Declare(std::string_view name, const Type* type) {
  auto it = vars_.find(std::string(name));
  if (it != vars_.end()) {
    var_types_[it->second] = type;
    return it->second;
  }
  int slot = static_cast<int>(var_types_.size());
  vars_.emplace(std::string(name), slot);
  var_types_.push_back(type);
  return slot;
}

void Env::AddObjectType(const ObjectType* type) { objects_[std::string(type->name)] = type; }

int Env::FindVariable(std::string_view name) const {
  auto it = vars_.find(std::string(name));
  return it == vars_.end() ? -1 : it->second;
}

const ObjectType* Env::FindObjectType(std::string_view name) const {
  auto it = objects_.find(std::string(name));
  return it == objects_.end() ? nullptr : it->second;
}

Value Activation::Unbound() {
  static constexpr ErrorInfo kUnbound{"no value bound to this variable"};
  return Value::Error(&kUnbound);
}

Value EvalContext::MakeError(std::string_view message) {
  std::string_view text = arena_.Copy(message);
  return Value::Error(arena_.New<ErrorInfo>(ErrorInfo{text}));
}

Result<const TimeZone*> EvalContext::Zone(std::string_view name) {
  for (const auto& [known, zone] : zones_) {
    if (known == name) return zone.get();
  }
  OP_ASSIGN_OR_RETURN(TimeZone tz, TimeZone::Load(name));
  zones_.emplace_back(std::string(name), std::make_unique<TimeZone>(tz));
  return zones_.back().second.get();
}

Program::Program() = default;
Program::~Program() = default;

Value Program::Evaluate(const Activation& activation, EvalContext& ctx) const {
  std::vector<Value>& locals = ctx.locals();
  if (locals.size() < static_cast<size_t>(locals_)) locals.resize(locals_);
  Value v = root_->Eval(activation, ctx);
  if (ctx.exhausted()) {
    return ctx.MakeError("cost limit exceeded: the expression took more than " +
                         std::to_string(ctx.max_cost()) + " steps");
  }
  return v;
}

CompileResult Compile(std::string_view source, const Env& env, const CompileOptions& options) {
  CompileResult out;
  ParseOptions po;
  po.max_source_bytes = env.limits().max_source_bytes;
  po.max_depth = env.limits().max_depth;
  po.enable_macros = options.enable_macros;
  ParseResult parsed = Parse(source, po);
  if (!parsed.issues.empty()) {
    out.issues = std::move(parsed.issues);
    return out;
  }
  internal::CheckResult check = internal::Check(parsed.parsed, env, options.check);
  if (!check.issues.empty()) {
    out.issues = std::move(check.issues);
    return out;
  }
  const Type* result = check.types[parsed.parsed.root->id];
  if (options.check && options.expect && !Assignable(options.expect, result)) {
    out.issues.push_back(
        {parsed.parsed.root->offset,
         "the expression must be " + TypeName(options.expect) + ", not " + TypeName(result)});
    return out;
  }
  std::unique_ptr<Program> p(new Program());
  p->parsed_ = std::move(parsed.parsed);
  p->constants_ = std::make_unique<EvalContext>(env.limits().max_cost);
  p->result_type_ = result;
  p->locals_ = check.locals;
  p->constants_->locals().resize(check.locals);
  p->root_ = internal::Plan(*p->parsed_.root, check, env, *p->constants_);
  out.program = std::move(p);
  return out;
}

std::string FormatIssue(const SourceRef& where, std::string_view source, const Issue& issue) {
  int line = where.line, column = where.column;
  size_t end = std::min(static_cast<size_t>(issue.offset), source.size());
  for (size_t i = 0; i < end; ++i) {
    if (source[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  std::string out;
  if (!where.file.empty()) out += where.file + ":";
  out += std::to_string(line) + ":" + std::to_string(column) + ": " + issue.message;
  return out;
}

}  // namespace orderpilot::expr
