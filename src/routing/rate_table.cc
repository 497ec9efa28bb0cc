#include "routing/rate_table.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "core/text_file.h"

namespace orderpilot::routing {
namespace {

constexpr size_t kMaxErrors = 20;
constexpr int64_t kMaxGrams = 1'000'000'000;  // 1000 t: far above any parcel
constexpr int64_t kMaxDivisor = 1'000'000;
constexpr int64_t kMaxTransitDays = 60;

constexpr std::string_view kRootKeys[] = {"carrier",     "code",         "currency",
                                          "dim_divisor", "origin_zones", "destination_zones",
                                          "zone_chart",  "services"};
constexpr std::string_view kZoneKeys[] = {"country", "postcodes"};
constexpr std::string_view kServiceKeys[] = {
    "code", "name", "service_code", "dim_divisor", "weights_kg", "weights_lb", "rates"};
constexpr std::string_view kRateKeys[] = {"days", "prices"};

template <typename Range>
std::string JoinNames(const Range& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Codes and zone names: lowercase letters, digits, '-', '_' and '.'.
bool ValidCode(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Upper case without spaces and hyphens: "k1a 0b1" → "K1A0B1", "89502-1234" → "895021234".
std::string NormalizePostcode(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (char c : p) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    out += Upper(c);
  }
  return out;
}

bool Alnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

// A whole number written with digits only; nullopt when not one or above `max`.
std::optional<int64_t> ParseCount(std::string_view s, int64_t max) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

struct Pos {
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
};

struct Entry {
  YAML::Node key;
  YAML::Node value;
};
using Entries = std::map<std::string, Entry, std::less<>>;

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace

// Collects carriers from one or more files into a RateTables, with every error found.
class RateTablesBuilder {
 public:
  bool Full() const { return errors.size() >= kMaxErrors; }
  void AddError(std::string file, std::string line) {
    if (Full()) return;
    if (errors.empty()) first_error_file = std::move(file);
    errors.push_back(std::move(line));
  }
  Result<RateTables> Finish() {
    if (!errors.empty()) return InvalidArgumentError(JoinLines(errors), first_error_file);
    FindCheaperServices();
    return std::move(tables);
  }

  // RateRow::cheaper_services of every row.
  void FindCheaperServices() {
    std::vector<Service>& all = services();
    for (const Service& b : all) {
      for (size_t zone = 0; zone < service_rows()[b.index].size(); ++zone) {
        const int b_row = service_rows()[b.index][zone];
        if (b_row < 0) continue;
        for (const Service& a : all) {
          if (a.index == b.index || a.carrier_index != b.carrier_index) continue;
          const int a_row = service_rows()[a.index][zone];
          if (a_row < 0 || !NeverDearer(a, rows()[a_row], b, rows()[b_row])) continue;
          rows()[b_row].cheaper_services.push_back(a.index);
        }
      }
    }
  }

  // Whether `a` takes every parcel `b` takes at a price never above b's (strictly below when
  // `a` comes after `b`). A larger dim divisor (0 = none) never bills more weight; prices never
  // decrease with weight, so comparing at each of b's bracket bounds suffices.
  static bool NeverDearer(const Service& a, const RateRow& ra, const Service& b,
                          const RateRow& rb) {
    auto effective = [](int64_t d) { return d == 0 ? INT64_MAX : d; };
    if (effective(a.dim_divisor) < effective(b.dim_divisor)) return false;
    for (size_t j = 0; j < rb.max_grams.size(); ++j) {
      const int i = ra.BracketFor(rb.max_grams[j]);
      if (i < 0) return false;
      const int64_t pa = ra.price_minor[i], pb = rb.price_minor[j];
      if (a.index < b.index ? pa > pb : pa >= pb) return false;
    }
    return true;
  }

  std::vector<Carrier>& carriers() { return tables.carriers_; }
  std::vector<RateTables::CarrierZones>& zones() { return tables.zones_; }
  std::vector<Service>& services() { return tables.services_; }
  std::vector<std::vector<int>>& service_rows() { return tables.service_rows_; }
  std::vector<RateRow>& rows() { return tables.rows_; }
  Currency& currency() { return tables.currency_; }

  RateTables tables;
  std::vector<std::string> errors;
  std::string first_error_file;
  std::string currency_where;                                     // "ups.yaml"
  std::map<std::string, std::string, std::less<>> service_where;  // code → "file:line"
  std::map<std::string, std::string, std::less<>> carrier_where;  // code → "file:line"
};

namespace {

// Reads one carrier file into the builder, recording every error found.
class FileParser {
 public:
  FileParser(std::string_view text, std::string_view file, RateTablesBuilder& out)
      : text_(text), file_(file), out_(out) {}

  void Parse() {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text_));
    } catch (const YAML::ParserException& e) {
      Error(PosOf(e.mark), e.msg);
      return;
    } catch (const std::exception& e) {
      Error(Pos{}, std::string("cannot parse YAML: ") + e.what());
      return;
    }
    try {
      ReadRoot(root);
    } catch (const std::exception& e) {  // yaml-cpp conversions; none are expected
      Error(Pos{}, std::string("cannot read rate table: ") + e.what());
    }
  }

 private:
  // --- Positions and errors --------------------------------------------------------------------

  static Pos PosOf(const YAML::Mark& mark) {
    if (mark.is_null()) return Pos{};
    return Pos{mark.line + 1, mark.column + 1};
  }
  static Pos PosOf(const YAML::Node& node) { return PosOf(node.Mark()); }
  // An empty value has no position of its own, so errors about it point at its key.
  static Pos ValuePos(const Entry& e) { return e.value.IsNull() ? PosOf(e.key) : PosOf(e.value); }

  void Error(Pos at, std::string_view message) {
    std::string line = file_;
    if (at.line > 0) line += ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
    line += ": ";
    line += message;
    out_.AddError(file_, std::move(line));
  }
  std::string Where(Pos at) const { return file_ + ":" + std::to_string(at.line); }

  // --- Generic readers ---------------------------------------------------------------------------

  // The entries of a mapping whose keys must be among `known`; unknown and repeated keys are
  // errors. `what` names the mapping in messages ("service", "zone 'west'").
  template <typename Range>
  Entries KnownEntries(const YAML::Node& node, const Range& known, std::string_view what) {
    Entries entries;
    for (const auto& kv : node) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) {
        Error(PosOf(key), std::string(what) + " keys must be plain names");
        continue;
      }
      const std::string& name = key.Scalar();
      if (std::find(std::begin(known), std::end(known), name) == std::end(known)) {
        std::string message = "unknown key '" + name + "' in " + std::string(what) + " (expected " +
                              JoinNames(known) + ")";
        if (auto s = ClosestName(name, known))
          message += "; did you mean '" + std::string(*s) + "'?";
        Error(PosOf(key), message);
        continue;
      }
      if (!entries.emplace(name, Entry{key, kv.second}).second) {
        Error(PosOf(key), "duplicate key '" + name + "' in " + std::string(what));
      }
    }
    return entries;
  }

  // The entries of a mapping with free keys (zone names, price zones), in file order.
  std::vector<Entry> FreeEntries(const YAML::Node& node, std::string_view what) {
    std::vector<Entry> out;
    std::map<std::string, Pos, std::less<>> seen;
    for (const auto& kv : node) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) {
        Error(PosOf(key), std::string(what) + " names must be plain names");
        continue;
      }
      auto [it, inserted] = seen.emplace(key.Scalar(), PosOf(key));
      if (!inserted) {
        Error(PosOf(key), "duplicate " + std::string(what) + " '" + key.Scalar() +
                              "' (first at line " + std::to_string(it->second.line) + ")");
        continue;
      }
      out.push_back(Entry{key, kv.second});
    }
    return out;
  }

  const Entry* Required(const Entries& entries, std::string_view key, Pos owner,
                        std::string_view what) {
    auto it = entries.find(key);
    if (it == entries.end()) {
      Error(owner, std::string(what) + " has no '" + std::string(key) + "'");
      return nullptr;
    }
    return &it->second;
  }
  static const Entry* Optional(const Entries& entries, std::string_view key) {
    auto it = entries.find(key);
    return it == entries.end() ? nullptr : &it->second;
  }

  std::optional<std::string> String(const Entry& e, std::string_view what) {
    if (!e.value.IsScalar() || e.value.Scalar().empty()) {
      Error(ValuePos(e), std::string(what) + " must be a non-empty text");
      return std::nullopt;
    }
    return e.value.Scalar();
  }
  std::optional<std::string> Code(const Entry& e, std::string_view what) {
    auto s = String(e, what);
    if (s && !ValidCode(*s)) {
      Error(ValuePos(e), std::string(what) + " '" + *s +
                             "' may only use lowercase letters, digits, '-', '_' and '.'");
      return std::nullopt;
    }
    return s;
  }
  std::optional<int64_t> Count(const Entry& e, std::string_view what, int64_t max) {
    std::optional<int64_t> v;
    if (e.value.IsScalar()) v = ParseCount(e.value.Scalar(), max);
    if (!v) {
      Error(ValuePos(e), std::string(what) + " must be a whole number from 0 to " +
                             std::to_string(max) +
                             (e.value.IsScalar() ? ", got '" + e.value.Scalar() + "'" : ""));
    }
    return v;
  }
  bool IsMap(const Entry& e, std::string_view what) {
    if (e.value.IsMap()) return true;
    Error(ValuePos(e), std::string(what) + " must be a mapping");
    return false;
  }
  bool IsList(const Entry& e, std::string_view what) {
    if (e.value.IsSequence() && e.value.size() > 0) return true;
    Error(ValuePos(e), std::string(what) + " must be a non-empty list");
    return false;
  }

  // --- The file ----------------------------------------------------------------------------------

  void ReadRoot(const YAML::Node& root) {
    if (!root.IsMap()) {
      Error(PosOf(root),
            "a rate table is a mapping with carrier, code, currency, origin_zones, "
            "destination_zones, zone_chart and services");
      return;
    }
    Pos top{1, 1};
    Entries e = KnownEntries(root, kRootKeys, "the rate table");

    Carrier carrier;
    carrier.file = file_;
    if (const Entry* x = Required(e, "carrier", top, "the rate table")) {
      if (auto s = String(*x, "carrier")) carrier.name = *s;
    }
    if (const Entry* x = Required(e, "code", top, "the rate table")) {
      if (auto s = Code(*x, "carrier code")) {
        carrier.code = *s;
        Pos at = ValuePos(*x);
        auto [it, inserted] = out_.carrier_where.emplace(*s, Where(at));
        if (!inserted) Error(at, "carrier code '" + *s + "' is already used at " + it->second);
      }
    }
    if (const Entry* x = Required(e, "currency", top, "the rate table")) {
      if (auto s = String(*x, "currency")) {
        Result<Currency> c = Currency::Parse(*s);
        if (!c.ok()) {
          Error(ValuePos(*x), "unknown currency '" + *s + "' (an ISO 4217 code such as USD)");
        } else if (out_.currency().valid() && !(out_.currency() == *c)) {
          Error(ValuePos(*x),
                "currency " + *s + " differs from " + std::string(out_.currency().code()) + " of " +
                    out_.currency_where + ": all carriers must price in one currency");
        } else {
          carrier.currency = *c;
          if (!out_.currency().valid()) {
            out_.currency() = *c;
            out_.currency_where = file_;
          }
        }
      }
    }
    if (const Entry* x = Optional(e, "dim_divisor")) {
      if (auto v = Count(*x, "dim_divisor", kMaxDivisor)) carrier.dim_divisor = *v;
    }

    RateTables::CarrierZones zones;
    if (const Entry* x = Required(e, "origin_zones", top, "the rate table")) {
      ReadZones(*x, "origin zone", zones.origins);
    }
    if (const Entry* x = Required(e, "destination_zones", top, "the rate table")) {
      ReadZones(*x, "destination zone", zones.destinations);
    }
    if (const Entry* x = Required(e, "zone_chart", top, "the rate table")) {
      ReadChart(*x, zones);
    }
    const int carrier_index = static_cast<int>(out_.carriers().size());
    if (const Entry* x = Required(e, "services", top, "the rate table")) {
      if (IsList(*x, "services")) {
        for (const YAML::Node& s : x->value) {
          if (out_.Full()) break;
          ReadService(s, carrier, carrier_index, zones);
        }
      }
    }
    out_.carriers().push_back(std::move(carrier));
    out_.zones().push_back(std::move(zones));
  }

  // origin_zones / destination_zones: name → {country: US, postcodes: [894, 900-961]}.
  void ReadZones(const Entry& e, std::string_view kind, RateTables::ZoneSet& set) {
    if (!IsMap(e, std::string(kind) + "s")) return;
    std::vector<Pos> rule_pos;
    for (const Entry& z : FreeEntries(e.value, kind)) {
      const std::string& name = z.key.Scalar();
      if (!ValidCode(name)) {
        Error(PosOf(z.key), std::string(kind) + " name '" + name +
                                "' may only use lowercase letters, digits, '-', '_' and '.'");
        continue;
      }
      const int zone = static_cast<int>(set.names.size());
      set.names.push_back(name);
      std::string what = std::string(kind) + " '" + name + "'";
      if (!IsMap(z, what)) continue;
      Entries ze = KnownEntries(z.value, kZoneKeys, what);
      const Entry* country_entry = Required(ze, "country", PosOf(z.key), what);
      if (country_entry == nullptr) continue;
      auto country = String(*country_entry, "country");
      if (!country) continue;
      if (country->size() != 2 || !std::all_of(country->begin(), country->end(),
                                               [](char c) { return c >= 'A' && c <= 'Z'; })) {
        Error(ValuePos(*country_entry),
              "country must be an ISO 3166 code of two capital letters, got '" + *country + "'");
        continue;
      }
      const Entry* postcodes = Optional(ze, "postcodes");
      if (postcodes == nullptr) {
        set.rules.push_back(RateTables::ZoneRule{*country, "", "", zone});
        rule_pos.push_back(PosOf(z.key));
        continue;
      }
      if (!IsList(*postcodes, "postcodes (leave them out for the whole country)")) continue;
      for (const YAML::Node& p : postcodes->value) {
        if (!p.IsScalar()) {
          Error(PosOf(p), "a postcode prefix must be a text like 894 or a range like 900-961");
          continue;
        }
        std::string text = p.Scalar();
        RateTables::ZoneRule rule{*country, "", "", zone};
        size_t dash = text.find('-');
        if (dash == std::string::npos) {
          rule.low = rule.high = NormalizePostcode(text);
        } else {
          rule.low = NormalizePostcode(text.substr(0, dash));
          rule.high = NormalizePostcode(text.substr(dash + 1));
        }
        if (rule.low.empty() || !Alnum(rule.low) || !Alnum(rule.high)) {
          Error(PosOf(p), "postcode prefix '" + text +
                              "' must be letters and digits, or a range like 900-961");
          continue;
        }
        if (rule.low.size() != rule.high.size() || rule.high < rule.low) {
          Error(PosOf(p), "postcode range '" + text +
                              "' needs two prefixes of the same length, the lower first");
          continue;
        }
        set.rules.push_back(std::move(rule));
        rule_pos.push_back(PosOf(p));
      }
    }
    // Longest prefixes first, so that the first match is the longest; overlaps at one length are
    // ambiguous and refused.
    std::vector<size_t> order(set.rules.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const auto& x = set.rules[a];
      const auto& y = set.rules[b];
      if (x.low.size() != y.low.size()) return x.low.size() > y.low.size();
      if (x.country != y.country) return x.country < y.country;
      return x.low < y.low;
    });
    std::vector<RateTables::ZoneRule> sorted;
    sorted.reserve(order.size());
    for (size_t k = 0; k < order.size(); ++k) {
      const auto& r = set.rules[order[k]];
      if (k > 0) {
        const auto& prev = set.rules[order[k - 1]];
        if (prev.country == r.country && prev.low.size() == r.low.size() && r.low <= prev.high) {
          std::string what = r.low.empty() ? "country " + r.country
                                           : "postcode prefix " + r.low + " of " + r.country;
          Error(rule_pos[order[k]], what + " is in " + std::string(kind) + " '" +
                                        set.names[r.zone] + "' and already in '" +
                                        set.names[prev.zone] + "' (line " +
                                        std::to_string(rule_pos[order[k - 1]].line) + ")");
          continue;
        }
      }
      sorted.push_back(r);
    }
    set.rules = std::move(sorted);
    for (size_t i = 0; i < set.rules.size(); ++i) {
      if (i == 0 || set.rules[i].low.size() != set.rules[i - 1].low.size()) {
        set.length_starts.push_back(i);
      }
    }
  }

  // zone_chart: origin zone → price zone → [destination zones].
  void ReadChart(const Entry& e, RateTables::CarrierZones& zones) {
    const size_t n_dest = zones.destinations.names.size();
    zones.chart.assign(zones.origins.names.size() * n_dest, -1);
    if (!IsMap(e, "zone_chart")) return;
    std::vector<Pos> assigned_at(zones.chart.size());
    for (const Entry& o : FreeEntries(e.value, "origin zone")) {
      const std::string& origin = o.key.Scalar();
      auto oi = std::find(zones.origins.names.begin(), zones.origins.names.end(), origin);
      if (oi == zones.origins.names.end()) {
        std::string message =
            "zone_chart names origin zone '" + origin + "', which origin_zones does not define";
        if (auto s = ClosestName(origin, zones.origins.names))
          message += "; did you mean '" + std::string(*s) + "'?";
        Error(PosOf(o.key), message);
        // Its price zones still exist: the services' rates are checked against them.
        if (o.value.IsMap()) {
          for (const auto& kv : o.value) {
            if (kv.first.IsScalar() && std::find(zones.price_zones.begin(), zones.price_zones.end(),
                                                 kv.first.Scalar()) == zones.price_zones.end()) {
              zones.price_zones.push_back(kv.first.Scalar());
            }
          }
        }
        continue;
      }
      const size_t origin_index = oi - zones.origins.names.begin();
      if (!IsMap(o, "zone_chart of '" + origin + "' (price zone: [destination zones])")) continue;
      for (const Entry& pz : FreeEntries(o.value, "price zone")) {
        const std::string& price_zone = pz.key.Scalar();
        auto pi = std::find(zones.price_zones.begin(), zones.price_zones.end(), price_zone);
        if (pi == zones.price_zones.end()) {
          zones.price_zones.push_back(price_zone);
          pi = zones.price_zones.end() - 1;
        }
        const int price_index = static_cast<int>(pi - zones.price_zones.begin());
        if (!IsList(pz, "price zone '" + price_zone + "' (a list of destination zones)")) continue;
        for (const YAML::Node& d : pz.value) {
          if (!d.IsScalar()) {
            Error(PosOf(d), "expected a destination zone name");
            continue;
          }
          const std::string& dest = d.Scalar();
          auto di =
              std::find(zones.destinations.names.begin(), zones.destinations.names.end(), dest);
          if (di == zones.destinations.names.end()) {
            std::string message = "unknown destination zone '" + dest + "'";
            if (auto s = ClosestName(dest, zones.destinations.names)) {
              message += "; did you mean '" + std::string(*s) + "'?";
            }
            Error(PosOf(d), message);
            continue;
          }
          const size_t cell = origin_index * n_dest + (di - zones.destinations.names.begin());
          if (zones.chart[cell] >= 0) {
            Error(PosOf(d), "destination zone '" + dest + "' is already in price zone '" +
                                zones.price_zones[zones.chart[cell]] + "' for origin '" + origin +
                                "' (line " + std::to_string(assigned_at[cell].line) + ")");
            continue;
          }
          zones.chart[cell] = price_index;
          assigned_at[cell] = PosOf(d);
        }
      }
    }
  }

  // weights_kg / weights_lb → strictly increasing bracket bounds in grams.
  std::vector<int64_t> ReadWeights(const Entry& e, bool pounds) {
    std::vector<int64_t> grams;
    std::string what = pounds ? "weights_lb" : "weights_kg";
    if (!IsList(e, what)) return grams;
    for (const YAML::Node& w : e.value) {
      std::optional<int64_t> g;
      if (w.IsScalar()) {
        Result<int64_t> milli = ParseMinorUnits(w.Scalar(), 3);
        if (milli.ok() && *milli > 0 && *milli <= kMaxGrams) {
          // 1 lb = 453.59237 g exactly; a bracket takes parcels up to its bound, so round down.
          g = pounds ? *milli * 45359237 / 100000000 : *milli;
        }
      }
      if (!g || *g <= 0) {
        Error(PosOf(w), what + " must hold positive weights with at most 3 decimals (" +
                            (pounds ? "1.5 = 1.5 lb" : "0.25 = 250 g") + ")" +
                            (w.IsScalar() ? ", got '" + w.Scalar() + "'" : ""));
        return {};
      }
      if (!grams.empty() && *g <= grams.back()) {
        Error(PosOf(w),
              what + " must increase, got " + w.Scalar() + " after a larger or equal one");
        return {};
      }
      grams.push_back(*g);
    }
    return grams;
  }

  void ReadService(const YAML::Node& node, const Carrier& carrier, int carrier_index,
                   const RateTables::CarrierZones& zones) {
    Pos at = PosOf(node);
    if (!node.IsMap()) {
      Error(at, "a service is a mapping with code, name, weights_kg or weights_lb, and rates");
      return;
    }
    Entries e = KnownEntries(node, kServiceKeys, "service");
    Service s;
    s.carrier = carrier.name;
    s.carrier_code = carrier.code;
    s.carrier_index = carrier_index;
    s.dim_divisor = carrier.dim_divisor;
    bool ok = true;
    if (const Entry* x = Required(e, "code", at, "service")) {
      if (auto c = Code(*x, "service code")) {
        s.code = *c;
        Pos code_at = ValuePos(*x);
        auto [it, inserted] = out_.service_where.emplace(*c, Where(code_at));
        if (!inserted) {
          Error(code_at, "service code '" + *c + "' is already used at " + it->second);
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    std::string what = s.code.empty() ? "service" : "service '" + s.code + "'";
    if (const Entry* x = Required(e, "name", at, what)) {
      if (auto n = String(*x, "service name")) s.name = *n;
    }
    s.service_code = s.code;
    if (const Entry* x = Optional(e, "service_code")) {
      if (auto c = String(*x, "service_code")) s.service_code = *c;
    }
    if (const Entry* x = Optional(e, "dim_divisor")) {
      if (auto v = Count(*x, "dim_divisor", kMaxDivisor)) s.dim_divisor = *v;
    }
    const Entry* kg = Optional(e, "weights_kg");
    const Entry* lb = Optional(e, "weights_lb");
    std::vector<int64_t> brackets;
    if (kg != nullptr && lb != nullptr) {
      Error(PosOf(lb->key), what + " has both weights_kg and weights_lb; keep one");
    } else if (kg == nullptr && lb == nullptr) {
      Error(at, what + " has no weight brackets (weights_kg or weights_lb)");
    } else {
      brackets = ReadWeights(kg != nullptr ? *kg : *lb, lb != nullptr);
    }

    std::vector<int> rows_by_zone(zones.price_zones.size(), -1);
    if (const Entry* x = Required(e, "rates", at, what)) {
      if (IsMap(*x, "rates (price zone: {days, prices})")) {
        for (const Entry& r : FreeEntries(x->value, "price zone")) {
          const std::string& pz = r.key.Scalar();
          auto pi = std::find(zones.price_zones.begin(), zones.price_zones.end(), pz);
          if (pi == zones.price_zones.end()) {
            std::string message = "price zone '" + pz + "' is not used in zone_chart";
            if (auto sg = ClosestName(pz, zones.price_zones))
              message += "; did you mean '" + std::string(*sg) + "'?";
            Error(PosOf(r.key), message);
            continue;
          }
          std::optional<RateRow> row = ReadRow(r, brackets, carrier.currency, what, pz);
          if (!row) continue;
          rows_by_zone[pi - zones.price_zones.begin()] = static_cast<int>(out_.rows().size());
          out_.rows().push_back(std::move(*row));
        }
      }
    }
    if (!ok) return;
    s.index = static_cast<int>(out_.services().size());
    out_.services().push_back(std::move(s));
    out_.service_rows().push_back(std::move(rows_by_zone));
  }

  // One price zone of a service: {days: 3, prices: [9.50, 10.25, …]}.
  std::optional<RateRow> ReadRow(const Entry& r, const std::vector<int64_t>& brackets,
                                 const Currency& currency, const std::string& service,
                                 const std::string& price_zone) {
    std::string what = service + " price zone '" + price_zone + "'";
    if (!IsMap(r, what + " ({days, prices})")) return std::nullopt;
    Entries e = KnownEntries(r.value, kRateKeys, what);
    RateRow row;
    bool ok = true;
    if (const Entry* x = Required(e, "days", PosOf(r.key), what)) {
      if (auto d = Count(*x, "days", kMaxTransitDays)) {
        row.transit_days = static_cast<int>(*d);
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    const Entry* prices = Required(e, "prices", PosOf(r.key), what);
    if (prices == nullptr || !IsList(*prices, "prices")) return std::nullopt;
    if (prices->value.size() > brackets.size()) {
      if (!brackets.empty()) {
        Error(ValuePos(*prices), what + " has " + std::to_string(prices->value.size()) +
                                     " prices for " + std::to_string(brackets.size()) +
                                     " weight brackets");
      }
      return std::nullopt;
    }
    std::string previous;
    for (const YAML::Node& p : prices->value) {
      if (!p.IsScalar()) {
        Error(PosOf(p), "a price must be an amount like 12.45");
        ok = false;
        continue;
      }
      if (!currency.valid()) {  // the currency's error is already reported
        ok = false;
        continue;
      }
      Result<Money> m = Money::Parse(p.Scalar(), currency);
      if (!m.ok()) {
        Error(PosOf(p), "price '" + p.Scalar() + "': " + m.status().message());
        ok = false;
        continue;
      }
      if (m->minor_units() < 0) {
        Error(PosOf(p), "price '" + p.Scalar() + "' is negative");
        ok = false;
        continue;
      }
      if (!row.price_minor.empty() && ok && m->minor_units() < row.price_minor.back()) {
        Error(PosOf(p), "price " + p.Scalar() + " is lower than the lighter bracket's " + previous +
                            ": prices must not decrease as weight grows");
        ok = false;
        continue;
      }
      previous = p.Scalar();
      row.price_minor.push_back(m->minor_units());
    }
    if (!ok) return std::nullopt;
    row.max_grams.assign(brackets.begin(), brackets.begin() + row.price_minor.size());
    return row;
  }

  std::string_view text_;
  std::string file_;
  RateTablesBuilder& out_;
};

}  // namespace

int RateRow::BracketFor(int64_t billable_grams) const {
  auto it = std::lower_bound(max_grams.begin(), max_grams.end(), billable_grams);
  return it == max_grams.end() ? -1 : static_cast<int>(it - max_grams.begin());
}

int64_t BillableGrams(int64_t grams, int64_t volume_cm3, int64_t dim_divisor) {
  if (dim_divisor <= 0 || volume_cm3 <= 0) return grams;
  const int64_t dim = (volume_cm3 * 1000 + dim_divisor - 1) / dim_divisor;
  return std::max(grams, dim);
}

int RateTables::ZoneSet::Find(std::string_view country, std::string_view postcode) const {
  char buf[32];
  size_t n = 0;
  for (char c : postcode) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    if (n == sizeof buf) break;  // prefixes are far shorter
    buf[n++] = Upper(c);
  }
  const std::string_view p(buf, n);
  if (country.size() != 2) return -1;
  const char upper[2] = {Upper(country[0]), Upper(country[1])};
  const std::string_view c(upper, 2);
  // Longest prefix length first; within one length, the last rule at or below (country, head)
  // is the only one that can hold the postcode.
  for (size_t g = 0; g < length_starts.size(); ++g) {
    const auto begin = rules.begin() + length_starts[g];
    const auto end =
        g + 1 < length_starts.size() ? rules.begin() + length_starts[g + 1] : rules.end();
    const size_t length = begin->low.size();
    if (p.size() < length) continue;
    const std::string_view head = p.substr(0, length);
    auto it =
        std::upper_bound(begin, end, std::pair(c, head), [](const auto& key, const ZoneRule& r) {
          return key.first != r.country ? key.first < r.country : key.second < r.low;
        });
    if (it == begin) continue;
    --it;
    if (it->country == c && head <= it->high) return it->zone;
  }
  return -1;
}

Result<RateTables> RateTables::Parse(std::string_view yaml_text, std::string_view file_name) {
  RateTablesBuilder b;
  FileParser(yaml_text, file_name, b).Parse();
  return b.Finish();
}

Result<RateTables> RateTables::Load(const std::vector<std::string>& paths) {
  std::vector<std::string> texts;
  texts.reserve(paths.size());
  for (const std::string& path : paths) {
    OP_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "rate table"));
    texts.push_back(std::move(text));
  }
  RateTablesBuilder b;
  for (size_t i = 0; i < paths.size() && !b.Full(); ++i) FileParser(texts[i], paths[i], b).Parse();
  return b.Finish();
}

const Service* RateTables::FindService(std::string_view code) const {
  for (const Service& s : services_) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

int RateTables::OriginZone(int carrier, std::string_view country, std::string_view postcode) const {
  return zones_[carrier].origins.Find(country, postcode);
}

int RateTables::DestinationZone(int carrier, std::string_view country,
                                std::string_view postcode) const {
  return zones_[carrier].destinations.Find(country, postcode);
}

const std::string& RateTables::OriginZoneName(int carrier, int zone) const {
  return zones_[carrier].origins.names[zone];
}

const std::string& RateTables::DestinationZoneName(int carrier, int zone) const {
  return zones_[carrier].destinations.names[zone];
}

int RateTables::PriceZone(int carrier, int origin_zone, int destination_zone) const {
  if (origin_zone < 0 || destination_zone < 0) return -1;
  const CarrierZones& z = zones_[carrier];
  return z.chart[origin_zone * z.destinations.names.size() + destination_zone];
}

const RateRow* RateTables::Row(const Service& s, int origin_zone, int destination_zone) const {
  return RowForPriceZone(s, PriceZone(s.carrier_index, origin_zone, destination_zone));
}

std::optional<RateTables::Quote> RateTables::QuoteFor(const Service& s,
                                                      std::string_view origin_country,
                                                      std::string_view origin_postcode,
                                                      std::string_view dest_country,
                                                      std::string_view dest_postcode, int64_t grams,
                                                      int64_t volume_cm3) const {
  const RateRow* row = Row(s, OriginZone(s.carrier_index, origin_country, origin_postcode),
                           DestinationZone(s.carrier_index, dest_country, dest_postcode));
  if (row == nullptr) return std::nullopt;
  const int64_t billable = BillableGrams(grams, volume_cm3, s.dim_divisor);
  const int bracket = row->BracketFor(billable);
  if (bracket < 0) return std::nullopt;
  return Quote{Money(row->price_minor[bracket], currency_), row->transit_days, billable};
}

}  // namespace orderpilot::routing
