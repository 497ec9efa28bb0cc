#include "inventory/backorder.h"

#include <algorithm>
#include <cstdio>

#include "core/time_zone.h"

namespace orderpilot::inventory {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

int64_t DayOf(Timestamp t) {
  return t.micros >= 0 ? t.micros / kMicrosPerDay
                       : -((-t.micros + kMicrosPerDay - 1) / kMicrosPerDay);
}

}  // namespace

std::string FormatDay(int64_t day) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(day, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

BackorderPromise PromiseFor(std::string_view sku, int64_t short_units,
                            const std::vector<store::IncomingStock>& incoming, int64_t today,
                            int lead_time_days, int transit_days) {
  std::vector<const store::IncomingStock*> lines;
  for (const store::IncomingStock& in : incoming) {
    if (in.sku == sku && !in.received && in.quantity > 0) lines.push_back(&in);
  }
  std::sort(lines.begin(), lines.end(),
            [](const auto* a, const auto* b) { return a->expected_at < b->expected_at; });
  BackorderPromise p;
  int64_t covered = 0;
  for (const store::IncomingStock* in : lines) {
    covered += in->quantity;
    if (covered >= short_units) {
      // One day to receive and put away; a purchase order already late counts from today.
      p.ship_day = std::max(DayOf(in->expected_at), today) + 1;
      p.basis = in->purchase_order + " due " + FormatDay(DayOf(in->expected_at));
      break;
    }
  }
  if (p.basis.empty()) {
    p.ship_day = today + std::max(lead_time_days, 1);
    p.basis = "supplier lead time " + std::to_string(lead_time_days) + " days";
    if (covered > 0)
      p.basis += " (open purchase orders cover only " + std::to_string(covered) + ")";
  }
  p.deliver_day = p.ship_day + std::max(transit_days, 0);
  return p;
}

}  // namespace orderpilot::inventory
