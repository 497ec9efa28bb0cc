#include "inventory/catalog.h"

#include <charconv>

#include "core/csv.h"
#include "core/text_file.h"

namespace orderpilot::inventory {
namespace {

constexpr std::string_view kColumns[] = {
    "sku",       "title",    "product_group", "attributes",     "grams",
    "length_cm", "width_cm", "height_cm",     "lead_time_days", "shopify_inventory_item_id"};

Status RowError(std::string_view file, size_t line, const std::string& msg) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) + ": " + msg);
}

// A non-negative integer; "" is 0.
bool ParseCount(std::string_view s, int64_t* out) {
  *out = 0;
  if (s.empty()) return true;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

// Centimetres with up to one decimal ("12", "12.5") → millimetres.
bool ParseCentimetres(std::string_view s, int64_t* mm) {
  *mm = 0;
  if (s.empty()) return true;
  size_t dot = s.find('.');
  int64_t whole = 0, tenth = 0;
  if (!ParseCount(s.substr(0, dot), &whole) || (dot == 0)) return false;
  if (dot != std::string_view::npos) {
    std::string_view frac = s.substr(dot + 1);
    if (frac.size() != 1 || frac[0] < '0' || frac[0] > '9') return false;
    tenth = frac[0] - '0';
  }
  if (whole > 100'000) return false;
  *mm = whole * 10 + tenth;
  return true;
}

}  // namespace

int64_t CatalogItem::VolumeCm3() const {
  if (length_mm <= 0 || width_mm <= 0 || height_mm <= 0) return 0;
  const int64_t mm3 = length_mm * width_mm * height_mm;
  return (mm3 + 999) / 1000;
}

Result<Catalog> Catalog::ParseCsv(std::string_view text, std::string_view file_name) {
  OP_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(text, file_name));
  for (const std::string& h : table.header()) {
    bool known = false;
    for (std::string_view c : kColumns) known = known || h == c;
    if (!known) {
      return InvalidArgumentError(std::string(file_name) + ":1: unknown column '" + h +
                                  "' (known: sku, title, product_group, attributes, grams, "
                                  "length_cm, width_cm, height_cm, lead_time_days, "
                                  "shopify_inventory_item_id)");
    }
  }
  auto sku_col = table.Column("sku");
  if (!sku_col) return InvalidArgumentError(std::string(file_name) + ":1: no 'sku' column");
  auto get = [&](const CsvRow& row, std::string_view name) -> std::string_view {
    auto c = table.Column(name);
    return c ? std::string_view(row.fields[*c]) : std::string_view();
  };
  Catalog cat;
  for (const CsvRow& row : table.rows()) {
    CatalogItem item;
    item.sku = std::string(get(row, "sku"));
    if (item.sku.empty()) return RowError(file_name, row.line, "empty sku");
    if (cat.by_sku_.contains(item.sku)) {
      return RowError(file_name, row.line, "sku '" + item.sku + "' appears twice");
    }
    item.title = std::string(get(row, "title"));
    item.product_group = std::string(get(row, "product_group"));
    std::string_view attrs = get(row, "attributes");
    while (!attrs.empty()) {
      size_t semi = attrs.find(';');
      std::string_view pair = attrs.substr(0, semi);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return RowError(file_name, row.line,
                        "attributes must be name=value pairs separated by ';', got '" +
                            std::string(pair) + "'");
      }
      item.attributes.emplace_back(std::string(pair.substr(0, eq)),
                                   std::string(pair.substr(eq + 1)));
      if (semi == std::string_view::npos) break;
      attrs.remove_prefix(semi + 1);
    }
    int64_t lead = 0;
    if (!ParseCount(get(row, "grams"), &item.grams)) {
      return RowError(file_name, row.line, "grams must be a whole number >= 0");
    }
    if (!ParseCentimetres(get(row, "length_cm"), &item.length_mm) ||
        !ParseCentimetres(get(row, "width_cm"), &item.width_mm) ||
        !ParseCentimetres(get(row, "height_cm"), &item.height_mm)) {
      return RowError(file_name, row.line,
                      "dimensions must be centimetres >= 0 with at most one decimal");
    }
    if (!ParseCount(get(row, "lead_time_days"), &lead) || lead > 3650) {
      return RowError(file_name, row.line, "lead_time_days must be a whole number 0..3650");
    }
    item.lead_time_days = static_cast<int>(lead);
    item.shopify_inventory_item_id = std::string(get(row, "shopify_inventory_item_id"));
    if (item.shopify_inventory_item_id.find_first_not_of("0123456789") != std::string::npos) {
      return RowError(file_name, row.line, "shopify_inventory_item_id must be digits");
    }
    if (!item.shopify_inventory_item_id.empty() &&
        cat.by_shopify_item_.contains(item.shopify_inventory_item_id)) {
      return RowError(file_name, row.line,
                      "shopify_inventory_item_id " + item.shopify_inventory_item_id +
                          " belongs to another sku too");
    }
    const size_t index = cat.items_.size();
    cat.by_sku_.emplace(item.sku, index);
    if (!item.product_group.empty()) cat.by_group_[item.product_group].push_back(index);
    if (!item.shopify_inventory_item_id.empty()) {
      cat.by_shopify_item_.emplace(item.shopify_inventory_item_id, index);
    }
    cat.items_.push_back(std::move(item));
  }
  return cat;
}

Result<Catalog> Catalog::LoadCsv(const std::string& path) {
  OP_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "catalog"));
  return ParseCsv(text, path);
}

const CatalogItem* Catalog::Find(std::string_view sku) const {
  auto it = by_sku_.find(sku);
  return it == by_sku_.end() ? nullptr : &items_[it->second];
}

std::vector<const CatalogItem*> Catalog::Siblings(std::string_view sku) const {
  std::vector<const CatalogItem*> out;
  const CatalogItem* item = Find(sku);
  if (!item || item->product_group.empty()) return out;
  auto it = by_group_.find(item->product_group);
  if (it == by_group_.end()) return out;
  for (size_t i : it->second) {
    if (items_[i].sku != item->sku) out.push_back(&items_[i]);
  }
  return out;
}

const CatalogItem* Catalog::FindByShopifyItem(std::string_view inventory_item_id) const {
  auto it = by_shopify_item_.find(inventory_item_id);
  return it == by_shopify_item_.end() ? nullptr : &items_[it->second];
}

}  // namespace orderpilot::inventory
