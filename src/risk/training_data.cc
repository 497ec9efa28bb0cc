#include "risk/training_data.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "core/csv.h"
#include "core/text_file.h"
#include "core/time_zone.h"
#include "risk/history.h"

namespace orderpilot::risk {
namespace {

enum Column {
  kOrderId,
  kShop,
  kCreatedAt,
  kCustomerId,
  kCustomerCreatedAt,
  kCustomerOrders,
  kEmail,
  kPhone,
  kTotal,
  kCurrency,
  kDevice,
  kIp,
  kUserAgent,
  kAcceptLanguage,
  kCardBin,
  kAvs,
  kCvv,
  kFailedPayments,
  kBillingCountry,
  kBillingZip,
  kBillingName,
  kShippingCountry,
  kShippingZip,
  kShippingName,
  kShippingAddress1,
  kShippingMethod,
  kSkus,
  kLabel,
  kColumnCount
};

constexpr std::string_view kColumnNames[] = {
    "order_id",
    "shop",
    "created_at",
    "customer_id",
    "customer_created_at",
    "customer_orders",
    "email",
    "phone",
    "total",
    "currency",
    "device",
    "ip",
    "user_agent",
    "accept_language",
    "card_bin",
    "avs",
    "cvv",
    "failed_payments",
    "billing_country",
    "billing_zip",
    "billing_name",
    "shipping_country",
    "shipping_zip",
    "shipping_name",
    "shipping_address1",
    "shipping_method",
    "skus",
    "label",
};
static_assert(std::size(kColumnNames) == kColumnCount, "one name per column");

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

// Reads an unsigned decimal at `s[*pos]` with 1..max_digits digits.
std::optional<int> ReadNumber(std::string_view s, size_t* pos, int max_digits) {
  int value = 0;
  int digits = 0;
  while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9' && digits < max_digits) {
    value = value * 10 + (s[*pos] - '0');
    ++*pos;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return value;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos < s.size() && s[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

bool ValidDate(int64_t y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

Result<Timestamp> Civil(int64_t y, int m, int d, int hh, int mm, int ss, std::string_view text) {
  if (!ValidDate(y, m, d) || hh > 23 || mm > 59 || ss > 59) {
    return InvalidArgumentError("'" + std::string(text) + "' is not a valid date and time");
  }
  const int64_t seconds =
      DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400 + hh * 3600 +
      mm * 60 + ss;
  return Timestamp{seconds * 1000000};
}

Result<int64_t> ParseInteger(std::string_view text, std::string_view what) {
  text = Trim(text);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgumentError(std::string(what) + " '" + std::string(text) +
                                "' is not an integer");
  }
  return v;
}

Result<int> ParseLabel(std::string_view text) {
  const std::string s = Lower(Trim(text));
  if (s == "1" || s == "true" || s == "fraud" || s == "yes") return 1;
  if (s == "0" || s == "false" || s == "ok" || s == "no") return 0;
  return InvalidArgumentError("label '" + std::string(text) +
                              "' is not 0/1, true/false, fraud/ok or yes/no");
}

// "Jane Q. Smith" → first "Jane Q.", last "Smith".
void SplitName(std::string_view name, Address* a) {
  name = Trim(name);
  const size_t space = name.rfind(' ');
  if (space == std::string_view::npos) {
    a->last_name = std::string(name);
    return;
  }
  a->first_name = std::string(Trim(name.substr(0, space)));
  a->last_name = std::string(name.substr(space + 1));
}

Result<std::vector<LineItem>> ParseSkus(std::string_view text, const Currency& currency) {
  std::vector<LineItem> lines;
  while (!text.empty()) {
    const size_t semi = text.find(';');
    const std::string_view item = Trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (item.empty()) continue;
    LineItem line;
    const size_t colon = item.rfind(':');
    line.sku = std::string(Trim(item.substr(0, colon)));
    line.quantity = 1;
    if (colon != std::string_view::npos) {
      OP_ASSIGN_OR_RETURN(line.quantity, ParseInteger(item.substr(colon + 1), "quantity"));
      if (line.quantity < 0)
        return InvalidArgumentError("negative quantity in '" + std::string(item) + "'");
    }
    if (line.sku.empty()) return InvalidArgumentError("empty SKU in '" + std::string(item) + "'");
    line.title = line.sku;
    line.unit_price = Money::Zero(currency);
    line.total_discount = Money::Zero(currency);
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string JoinColumns(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// One row → one order. `col[c]` is the file's index of our column c, or -1.
Result<LabelledOrder> RowToOrder(const CsvRow& row, const std::array<int, kColumnCount>& col,
                                 const Currency& default_currency) {
  auto get = [&](Column c) -> std::string_view {
    return col[c] < 0 ? std::string_view() : Trim(row.fields[static_cast<size_t>(col[c])]);
  };
  LabelledOrder lo;
  Order& o = lo.order;
  o.channel_order_id = std::string(get(kOrderId));
  o.shop = std::string(get(kShop));
  OP_ASSIGN_OR_RETURN(o.created_at, ParseLabelledTime(get(kCreatedAt)));
  o.customer.channel_customer_id = std::string(get(kCustomerId));
  if (!get(kCustomerCreatedAt).empty()) {
    OP_ASSIGN_OR_RETURN(o.customer.created_at, ParseLabelledTime(get(kCustomerCreatedAt)));
  }
  if (!get(kCustomerOrders).empty()) {
    OP_ASSIGN_OR_RETURN(o.customer.orders_count,
                        ParseInteger(get(kCustomerOrders), "customer_orders"));
  }
  o.email = std::string(get(kEmail));
  o.phone = std::string(get(kPhone));
  o.currency = default_currency;
  if (!get(kCurrency).empty()) {
    OP_ASSIGN_OR_RETURN(o.currency, Currency::Parse(Upper(get(kCurrency))));
  }
  o.totals.total = Money::Zero(o.currency);
  if (!get(kTotal).empty()) {
    Result<Money> total = Money::Parse(get(kTotal), o.currency);
    if (!total.ok()) {
      return InvalidArgumentError("total '" + std::string(get(kTotal)) +
                                  "': " + total.status().message());
    }
    o.totals.total = *total;
  }
  o.totals.line_items = o.totals.total;
  o.client.session_hash = std::string(get(kDevice));
  o.client.browser_ip = std::string(get(kIp));
  o.client.user_agent = std::string(get(kUserAgent));
  o.client.accept_language = std::string(get(kAcceptLanguage));
  o.payment.card_bin = std::string(get(kCardBin));
  o.payment.avs_result_code = std::string(get(kAvs));
  o.payment.cvv_result_code = std::string(get(kCvv));
  if (!get(kFailedPayments).empty()) {
    OP_ASSIGN_OR_RETURN(const int64_t failed,
                        ParseInteger(get(kFailedPayments), "failed_payments"));
    o.payment.failed_attempts = static_cast<int>(std::clamp<int64_t>(failed, 0, 1000000));
  }
  if (!get(kBillingCountry).empty() || !get(kBillingZip).empty() || !get(kBillingName).empty()) {
    Address a;
    a.country_code = Upper(get(kBillingCountry));
    a.zip = std::string(get(kBillingZip));
    SplitName(get(kBillingName), &a);
    o.billing_address = std::move(a);
  }
  if (!get(kShippingCountry).empty() || !get(kShippingZip).empty() || !get(kShippingName).empty() ||
      !get(kShippingAddress1).empty()) {
    Address a;
    a.country_code = Upper(get(kShippingCountry));
    a.zip = std::string(get(kShippingZip));
    a.address1 = std::string(get(kShippingAddress1));
    SplitName(get(kShippingName), &a);
    o.shipping_address = std::move(a);
  }
  if (!get(kShippingMethod).empty()) {
    ShippingLine line;
    line.code = line.title = std::string(get(kShippingMethod));
    line.price = line.discount = Money::Zero(o.currency);
    o.shipping_lines.push_back(std::move(line));
  }
  OP_ASSIGN_OR_RETURN(o.line_items, ParseSkus(get(kSkus), o.currency));
  OP_ASSIGN_OR_RETURN(lo.label, ParseLabel(get(kLabel)));
  return lo;
}

}  // namespace

const std::vector<std::string>& CanonicalColumns() {
  static const std::vector<std::string> names(std::begin(kColumnNames), std::end(kColumnNames));
  return names;
}

Result<Timestamp> ParseLabelledTime(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return InvalidArgumentError("empty time");
  if (text.find('/') != std::string_view::npos) {
    // m/d/yy[yy] H:MM[:SS]
    size_t p = 0;
    const std::optional<int> m = ReadNumber(text, &p, 2);
    if (!m || !Expect(text, &p, '/'))
      return InvalidArgumentError("bad time '" + std::string(text) + "'");
    const std::optional<int> d = ReadNumber(text, &p, 2);
    if (!d || !Expect(text, &p, '/'))
      return InvalidArgumentError("bad time '" + std::string(text) + "'");
    const size_t year_start = p;
    const std::optional<int> y = ReadNumber(text, &p, 4);
    const size_t year_digits = p - year_start;
    if (!y || (year_digits != 2 && year_digits != 4)) {
      return InvalidArgumentError("bad year in '" + std::string(text) + "' (m/d/yy or m/d/yyyy)");
    }
    int64_t year = *y;
    if (year_digits == 2) year += year < 69 ? 2000 : 1900;
    int hh = 0;
    int mm = 0;
    int ss = 0;
    if (p < text.size()) {
      if (text[p] != ' ' && text[p] != 'T') {
        return InvalidArgumentError("bad time '" + std::string(text) + "'");
      }
      while (p < text.size() && (text[p] == ' ' || text[p] == 'T')) ++p;
      const std::optional<int> h = ReadNumber(text, &p, 2);
      const bool colon = Expect(text, &p, ':');
      const std::optional<int> mi = colon ? ReadNumber(text, &p, 2) : std::nullopt;
      if (!h || !mi) return InvalidArgumentError("bad time of day in '" + std::string(text) + "'");
      hh = *h;
      mm = *mi;
      if (Expect(text, &p, ':')) {
        const std::optional<int> s = ReadNumber(text, &p, 2);
        if (!s) return InvalidArgumentError("bad seconds in '" + std::string(text) + "'");
        ss = *s;
      }
      if (p != text.size()) return InvalidArgumentError("bad time '" + std::string(text) + "'");
    }
    return Civil(year, *m, *d, hh, mm, ss, text);
  }
  // "YYYY-MM-DD" and "YYYY-MM-DD HH:MM" (no seconds): complete them for ParseTimestamp.
  std::string full(text);
  if (full.size() == 10) full += "T00:00:00Z";
  if (full.size() == 16 && (full[10] == ' ' || full[10] == 'T') && full[13] == ':') full += ":00";
  Result<Timestamp> t = ParseTimestamp(full);
  if (!t.ok()) {
    return InvalidArgumentError("'" + std::string(text) +
                                "' is not a time (ISO 8601 or m/d/yy H:MM)");
  }
  return t;
}

Result<std::vector<LabelledOrder>> ReadLabelledCsv(
    const std::string& path, const std::map<std::string, std::string>& mapping) {
  const std::vector<std::string>& ours = CanonicalColumns();
  for (const auto& [key, theirs] : mapping) {
    if (std::find(ours.begin(), ours.end(), key) == ours.end()) {
      std::string msg = "unknown column '" + key + "' in the mapping";
      if (auto near = ClosestName(key, ours))
        msg += " (did you mean '" + std::string(*near) + "'?)";
      return InvalidArgumentError(msg);
    }
  }
  OP_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(path, "labelled order file"));
  OP_ASSIGN_OR_RETURN(const CsvTable table, CsvTable::Parse(text, path));

  std::array<int, kColumnCount> col;
  col.fill(-1);
  for (int c = 0; c < kColumnCount; ++c) {
    const std::string name(kColumnNames[c]);
    const auto mapped = mapping.find(name);
    const std::string& wanted = mapped != mapping.end() ? mapped->second : name;
    if (const std::optional<size_t> i = table.Column(wanted)) {
      col[c] = static_cast<int>(*i);
      continue;
    }
    const bool required = c == kCreatedAt || c == kLabel;
    if (mapped == mapping.end() && !required) continue;
    std::string msg = path + ": column '" + wanted + "' not found";
    if (auto near = ClosestName(wanted, table.header())) {
      msg += " (did you mean '" + std::string(*near) + "'?)";
    } else {
      msg += " (the file has " + JoinColumns(table.header()) + ")";
    }
    if (mapped == mapping.end()) msg += "; map one with " + name + "=COLUMN";
    return InvalidArgumentError(msg);
  }

  const Currency usd = *Currency::Parse("USD");
  std::vector<LabelledOrder> orders;
  orders.reserve(table.rows().size());
  for (const CsvRow& row : table.rows()) {
    Result<LabelledOrder> order = RowToOrder(row, col, usd);
    if (!order.ok()) {
      return InvalidArgumentError(path + ":" + std::to_string(row.line) + ": " +
                                  order.status().message());
    }
    orders.push_back(std::move(order).value());
  }
  return orders;
}

FeatureRows BuildFeatureRows(std::vector<LabelledOrder>& orders, const SignalConfig& config) {
  std::stable_sort(orders.begin(), orders.end(),
                   [](const LabelledOrder& a, const LabelledOrder& b) {
                     return a.order.created_at < b.order.created_at;
                   });
  FeatureRows out;
  out.rows.reserve(orders.size() * kSignalCount);
  out.labels.reserve(orders.size());
  out.times.reserve(orders.size());
  RiskHistory history;
  for (size_t i = 0; i < orders.size(); ++i) {
    const Order& order = orders[i].order;
    const HistoryView view = history.Observe(order, i);
    const SignalVector signals = ComputeSignals(order, view, config);
    out.rows.insert(out.rows.end(), signals.begin(), signals.end());
    out.labels.push_back(static_cast<float>(orders[i].label));
    out.times.push_back(order.created_at);
  }
  return out;
}

std::vector<std::string> SignalNames() {
  std::vector<std::string> names;
  names.reserve(kSignalCount);
  for (size_t i = 0; i < kSignalCount; ++i) {
    names.emplace_back(SignalName(static_cast<Signal>(i)));
  }
  return names;
}

}  // namespace orderpilot::risk
