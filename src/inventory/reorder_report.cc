#include "inventory/reorder_report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/json_writer.h"
#include "inventory/backorder.h"

namespace orderpilot::inventory {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

struct SkuStock {
  std::vector<store::StockLevel> levels;
  int64_t on_hand = 0;
  int64_t reserved = 0;
};

}  // namespace

Result<std::vector<ReorderLine>> BuildReorderReport(store::Store& store, const Catalog& catalog,
                                                    const ReorderReportOptions& options,
                                                    Timestamp now) {
  const int64_t today = now.micros / kMicrosPerDay;
  const int64_t first_day = today - options.history_days;
  OP_ASSIGN_OR_RETURN(
      std::vector<store::DailyDemand> demand,
      store.DemandByDay(Timestamp{first_day * kMicrosPerDay}, Timestamp{today * kMicrosPerDay}));
  std::map<std::string, SkuStock> stock;
  for (const CatalogItem& item : catalog.items()) stock[item.sku];
  std::optional<int64_t> cursor;
  for (;;) {
    OP_ASSIGN_OR_RETURN(store::Page<store::StockLevel> page, store.ListStock("", "", 1000, cursor));
    for (store::StockLevel& l : page.items) {
      SkuStock& s = stock[l.sku];
      s.on_hand += l.on_hand;
      s.reserved += l.reserved;
      s.levels.push_back(std::move(l));
    }
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  std::map<std::string, std::vector<int64_t>> series;
  for (const store::DailyDemand& d : demand) {
    if (d.day < first_day || d.day >= today) continue;
    std::vector<int64_t>& s = series[d.sku];
    if (s.empty()) s.assign(static_cast<size_t>(options.history_days), 0);
    s[static_cast<size_t>(d.day - first_day)] += d.units;
    stock[d.sku];  // a SKU that sold but has no stock row still gets a line
  }
  OP_ASSIGN_OR_RETURN(std::vector<store::IncomingStock> incoming, store.GetIncoming({}, true));

  std::vector<ReorderLine> lines;
  std::vector<store::StockLevel> points;
  const std::vector<int64_t> no_sales(static_cast<size_t>(options.history_days), 0);
  for (auto& [sku, s] : stock) {
    ReorderLine line;
    line.sku = sku;
    const CatalogItem* item = catalog.Find(sku);
    if (item) line.title = item->title;
    line.lead_time_days =
        item && item->lead_time_days > 0 ? item->lead_time_days : options.default_lead_time_days;
    auto it = series.find(sku);
    OP_ASSIGN_OR_RETURN(line.forecast, ForecastDemand(it == series.end() ? no_sales : it->second));
    line.on_hand = s.on_hand;
    line.reserved = s.reserved;
    StockPosition pos;
    pos.today = today;
    pos.on_hand = s.on_hand;
    pos.reserved = s.reserved;
    for (const store::IncomingStock& in : incoming) {
      if (in.sku == sku && !in.received) {
        pos.incoming.push_back({in.expected_at.micros / kMicrosPerDay, in.quantity});
      }
    }
    ReorderPolicy policy;
    policy.lead_time_days = line.lead_time_days;
    policy.service_level = options.service_level;
    policy.review_period_days = options.review_days;
    OP_ASSIGN_OR_RETURN(line.suggestion, SuggestReorder(line.forecast, pos, policy));
    // The SKU's reorder point, shared out over its locations.
    const int64_t rop = line.suggestion.reorder_point;
    for (const store::StockLevel& l : s.levels) {
      store::StockLevel p = l;
      double share = s.on_hand > 0 ? static_cast<double>(l.on_hand) / static_cast<double>(s.on_hand)
                                   : 1.0 / static_cast<double>(s.levels.size());
      p.reorder_point = static_cast<int64_t>(std::ceil(static_cast<double>(rop) * share));
      points.push_back(std::move(p));
    }
    lines.push_back(std::move(line));
  }
  if (!points.empty()) OP_RETURN_IF_ERROR(store.SetReorderPoints(points));
  std::stable_sort(lines.begin(), lines.end(), [](const ReorderLine& a, const ReorderLine& b) {
    if (a.suggestion.needs_reorder != b.suggestion.needs_reorder) return a.suggestion.needs_reorder;
    int64_t da = a.suggestion.order_by_day.value_or(INT64_MAX);
    int64_t db = b.suggestion.order_by_day.value_or(INT64_MAX);
    if (da != db) return da < db;
    return a.sku < b.sku;
  });
  return lines;
}

std::string ReorderReportJson(const std::vector<ReorderLine>& lines, Timestamp now,
                              const ReorderReportOptions& options) {
  auto round2 = [](double v) { return std::round(v * 100) / 100; };
  JsonWriter w;
  w.BeginObject()
      .Field("generated_at", FormatTimestamp(now))
      .Field("history_days", static_cast<int64_t>(options.history_days))
      .Field("service_level", options.service_level)
      .Key("items")
      .BeginArray();
  for (const ReorderLine& l : lines) {
    const ReorderSuggestion& s = l.suggestion;
    w.BeginObject()
        .Field("sku", l.sku)
        .Field("title", l.title)
        .Field("method", l.forecast.method_name())
        .Field("pattern", DemandPatternName(l.forecast.demand_class.pattern))
        .Field("daily_rate", round2(l.forecast.rate))
        .Field("trend", round2(l.forecast.trend))
        .Field("sigma", round2(l.forecast.sigma))
        .Field("lead_time_days", static_cast<int64_t>(l.lead_time_days))
        .Field("on_hand", l.on_hand)
        .Field("reserved", l.reserved)
        .Field("incoming", s.incoming)
        .Field("position", s.position)
        .Field("safety_stock", s.safety_stock)
        .Field("reorder_point", s.reorder_point)
        .Field("needs_reorder", s.needs_reorder)
        .Field("quantity", s.quantity);
    w.Key("order_by");
    if (s.order_by_day) {
      w.String(FormatDay(*s.order_by_day));
    } else {
      w.Null();
    }
    w.Key("days_of_cover");
    if (s.days_of_cover) {
      w.Double(round2(*s.days_of_cover));
    } else {
      w.Null();
    }
    w.Field("reason", s.reason).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

}  // namespace orderpilot::inventory
