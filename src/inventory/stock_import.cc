#include "inventory/stock_import.h"

#include <charconv>
#include <cstdio>

#include "core/csv.h"
#include "core/time_zone.h"

namespace orderpilot::inventory {
namespace {

Status RowError(std::string_view file, size_t line, const std::string& msg) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) + ": " + msg);
}

bool ParseNonNegative(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

// Columns of `table` by name; InvalidArgument when a required one is missing or an unknown one
// is present.
Result<std::vector<size_t>> Columns(const CsvTable& table, std::string_view file,
                                    const std::vector<std::string_view>& required,
                                    const std::vector<std::string_view>& optional) {
  std::vector<size_t> idx;
  for (std::string_view name : required) {
    auto c = table.Column(name);
    if (!c)
      return InvalidArgumentError(std::string(file) + ":1: no '" + std::string(name) + "' column");
    idx.push_back(*c);
  }
  for (const std::string& h : table.header()) {
    bool known = false;
    for (std::string_view n : required) known = known || h == n;
    for (std::string_view n : optional) known = known || h == n;
    if (!known) return InvalidArgumentError(std::string(file) + ":1: unknown column '" + h + "'");
  }
  return idx;
}

Status CheckLocation(const std::vector<Location>& locations, std::string_view file, size_t line,
                     const std::string& code) {
  if (FindLocation(locations, code)) return Status::Ok();
  std::string known;
  for (const Location& l : locations) known += (known.empty() ? "" : ", ") + l.code;
  return RowError(file, line, "unknown location '" + code + "' (configured: " + known + ")");
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

const Location* FindLocation(const std::vector<Location>& locations, std::string_view code) {
  for (const Location& l : locations) {
    if (l.code == code) return &l;
  }
  return nullptr;
}

Result<std::vector<store::StockAdjustment>> ParseStockCsv(std::string_view text,
                                                          std::string_view file_name,
                                                          const std::vector<Location>& locations,
                                                          std::string_view actor) {
  OP_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(text, file_name));
  OP_ASSIGN_OR_RETURN(std::vector<size_t> cols,
                      Columns(table, file_name, {"sku", "location", "on_hand"}, {"safety_stock"}));
  const auto safety_col = table.Column("safety_stock");
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(Fnv1a(text)));
  std::vector<store::StockAdjustment> out;
  for (const CsvRow& row : table.rows()) {
    store::StockAdjustment a;
    a.sku = row.fields[cols[0]];
    a.location = row.fields[cols[1]];
    if (a.sku.empty()) return RowError(file_name, row.line, "empty sku");
    OP_RETURN_IF_ERROR(CheckLocation(locations, file_name, row.line, a.location));
    a.mode = store::AdjustmentMode::kSet;
    if (!ParseNonNegative(row.fields[cols[2]], &a.quantity)) {
      return RowError(file_name, row.line,
                      "on_hand must be a whole number >= 0, got '" + row.fields[cols[2]] + "'");
    }
    if (safety_col && !row.fields[*safety_col].empty()) {
      int64_t safety = 0;
      if (!ParseNonNegative(row.fields[*safety_col], &safety)) {
        return RowError(file_name, row.line, "safety_stock must be a whole number >= 0");
      }
      a.safety_stock = safety;
    }
    for (const store::StockAdjustment& prev : out) {
      if (prev.sku == a.sku && prev.location == a.location) {
        return RowError(file_name, row.line, a.sku + " at " + a.location + " appears twice");
      }
    }
    a.reason = "import " + std::string(file_name);
    a.idempotency_key = "import:" + std::string(digest) + ":" + std::to_string(row.line);
    a.actor = std::string(actor);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<store::IncomingStock>> ParseIncomingCsv(std::string_view text,
                                                           std::string_view file_name,
                                                           const std::vector<Location>& locations) {
  OP_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(text, file_name));
  OP_ASSIGN_OR_RETURN(
      std::vector<size_t> cols,
      Columns(table, file_name, {"purchase_order", "sku", "location", "quantity", "expected_at"},
              {}));
  std::vector<store::IncomingStock> out;
  for (const CsvRow& row : table.rows()) {
    store::IncomingStock in;
    in.purchase_order = row.fields[cols[0]];
    in.sku = row.fields[cols[1]];
    in.location = row.fields[cols[2]];
    if (in.purchase_order.empty()) return RowError(file_name, row.line, "empty purchase_order");
    if (in.sku.empty()) return RowError(file_name, row.line, "empty sku");
    OP_RETURN_IF_ERROR(CheckLocation(locations, file_name, row.line, in.location));
    if (!ParseNonNegative(row.fields[cols[3]], &in.quantity) || in.quantity == 0) {
      return RowError(file_name, row.line, "quantity must be a whole number > 0");
    }
    const std::string& when = row.fields[cols[4]];
    Result<Timestamp> at = ParseTimestamp(when.size() == 10 ? when + "T00:00:00Z" : when);
    if (!at.ok()) {
      return RowError(
          file_name, row.line,
          "expected_at must be a date (2026-12-01) or RFC 3339 time, got '" + when + "'");
    }
    in.expected_at = *at;
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace orderpilot::inventory
