// expr/internal/checker.h — name resolution and static types for a parsed expression.
//
// Resolves every identifier (comprehension variable, declared variable with the container's
// namespaces, or type name), gives every node a static type, and picks the function for every
// call. With `report_type_errors` off (conformance's unchecked tests) it still resolves names
// but lets type mismatches through to evaluation, where they become error values.
#pragma once

#include <string>
#include <vector>

#include "expr/ast.h"
#include "expr/internal/functions.h"
#include "expr/program.h"

namespace orderpilot::expr::internal {

struct Reference {
  enum class Kind : uint8_t { kNone, kVariable, kLocal, kTypeName, kUnresolved };
  Kind kind = Kind::kNone;
  int slot = 0;           // variable slot or local index
  std::string type_name;  // kTypeName: the type's name; kUnresolved: the name
};

struct CheckResult {
  std::vector<const Type*> types;         // by node id
  std::vector<Reference> refs;            // by node id (idents and selects)
  std::vector<const Function*> calls;     // by node id (null for operators handled by the planner)
  std::vector<int> comprehension_local;   // by node id: the iteration variable's local slot
  std::vector<int> comprehension_local2;  // by node id: the second variable's slot, or -1
  int locals = 0;
  std::vector<Issue> issues;
};

CheckResult Check(const ParsedExpr& parsed, const Env& env, bool report_type_errors);

}  // namespace orderpilot::expr::internal
