// expr/internal/planner.h — turns a checked AST into evaluation steps (private to expr).
#pragma once

#include "expr/ast.h"
#include "expr/internal/checker.h"
#include "expr/internal/steps.h"

namespace orderpilot::expr::internal {

// Plans `root`. Constant sub-expressions are folded at plan time into values held by
// `const_ctx`, which must live as long as the steps.
StepPtr Plan(const Expr& root, const CheckResult& check, const Env& env, EvalContext& const_ctx);

}  // namespace orderpilot::expr::internal
