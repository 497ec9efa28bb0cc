// money(amount, currency): exact money for rules ("order.total > money('500.00', 'USD')").
// Amounts are decimal text parsed digit by digit (core/money.h), never through a double;
// comparing or adding money of different currencies is an error, not a conversion.
#include "core/money.h"
#include "expr/internal/functions.h"

namespace orderpilot::expr::internal {
namespace {

const Type* TypeMoney(const TypeStore& ts, const Type* const* a, size_t) {
  if (!Is(a[0], TypeKind::kString) || !Is(a[1], TypeKind::kString)) return nullptr;
  return ts.Basic(TypeKind::kMoney);
}

const Type* TypeCurrency(const TypeStore& ts, const Type* const* a, size_t) {
  return Is(a[0], TypeKind::kMoney) ? ts.Basic(TypeKind::kString) : nullptr;
}

Value MakeMoney(EvalContext& ctx, const Value* v, size_t n) {
  if (v[0].kind() != Kind::kString || v[1].kind() != Kind::kString) {
    return NoOverload(ctx, "money", v, n);
  }
  Result<Currency> currency = Currency::Parse(v[1].string_value());
  if (!currency.ok()) return ctx.MakeError(currency.status().message());
  Result<int64_t> minor = ParseMinorUnits(v[0].string_value(), currency->exponent());
  if (!minor.ok()) return ctx.MakeError(minor.status().message());
  return Value::Money(*minor, currency->code(), currency->exponent());
}

Value CurrencyOf(EvalContext& ctx, const Value* v, size_t n) {
  if (v[0].kind() != Kind::kMoney) return NoOverload(ctx, "currency", v, n);
  return Value::String(ctx.arena().Copy(v[0].money_currency()));
}

}  // namespace

void AddMoneyFunctions(std::vector<Function>& out) {
  out.push_back({"money", false, 2, 2, TypeMoney, MakeMoney});
  out.push_back({"currency", true, 1, 1, TypeCurrency, CurrencyOf});
}

}  // namespace orderpilot::expr::internal
