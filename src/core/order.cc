#include "core/order.h"

namespace orderpilot {

std::string_view FinancialStatusName(FinancialStatus s) {
  switch (s) {
    case FinancialStatus::kUnknown:
      return "unknown";
    case FinancialStatus::kPending:
      return "pending";
    case FinancialStatus::kAuthorized:
      return "authorized";
    case FinancialStatus::kPartiallyPaid:
      return "partially_paid";
    case FinancialStatus::kPaid:
      return "paid";
    case FinancialStatus::kPartiallyRefunded:
      return "partially_refunded";
    case FinancialStatus::kRefunded:
      return "refunded";
    case FinancialStatus::kVoided:
      return "voided";
  }
  return "unknown";
}

FinancialStatus ParseFinancialStatus(std::string_view name) {
  static constexpr FinancialStatus kAll[] = {FinancialStatus::kPending,
                                             FinancialStatus::kAuthorized,
                                             FinancialStatus::kPartiallyPaid,
                                             FinancialStatus::kPaid,
                                             FinancialStatus::kPartiallyRefunded,
                                             FinancialStatus::kRefunded,
                                             FinancialStatus::kVoided};
  for (FinancialStatus s : kAll)
    if (FinancialStatusName(s) == name) return s;
  return FinancialStatus::kUnknown;
}

bool Order::RequiresShipping() const {
  for (const LineItem& li : line_items)
    if (li.requires_shipping) return true;
  return false;
}

}  // namespace orderpilot
