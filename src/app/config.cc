#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <map>

#include "core/text_file.h"
#include "core/time_zone.h"

namespace orderpilot::app {
namespace {

constexpr std::string_view kLogLevels[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};
constexpr int64_t kMinBodyBytes = int64_t{1} << 10;   // 1 KiB
constexpr int64_t kMaxBodyBytes = int64_t{64} << 20;  // 64 MiB
constexpr size_t kMinApiKeyLength = 16;

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// "host:port" or "[v6]:port" → (host, port). Reasons are sentences without a location.
Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view listen) {
  auto bad = [&](std::string why) {
    return InvalidArgumentError("listen '" + std::string(listen) + "' " + why, "listen");
  };
  std::string_view host, port;
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      return bad("is not [host]:port");
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos)
      return bad("is not host:port (for example 127.0.0.1:8080)");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return bad("has an IPv6 host without brackets (write [::1]:8080)");
  }
  if (host.empty()) return bad("has no host (for example 127.0.0.1:8080, or 0.0.0.0:8080 for all)");
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return bad("has a port that is not a number");
  unsigned value = 0;
  std::from_chars(port.data(), port.data() + port.size(), value);
  if (value > 65535)
    return bad("has port " + std::string(port) + " outside 1..65535 (0 picks a free port)");
  return std::pair<std::string, uint16_t>(std::string(host), static_cast<uint16_t>(value));
}

// Walks a YAML document into a Config, failing at the first problem with its location.
class ConfigReader {
 public:
  ConfigReader(std::string_view file_name, const Environment& env) : file_(file_name), env_(env) {}

  Result<Config> Read(const YAML::Node& root) {
    Config c;
    if (!root.IsDefined() || root.IsNull()) return c;  // an empty file: all defaults
    if (!root.IsMap())
      return Error(root, "", "the configuration must be a mapping of keys (listen:, shops:, …)");
    OP_RETURN_IF_ERROR(CheckKeys(root, "",
                                 {"listen", "data_dir", "log_level", "shops", "api_keys", "limits",
                                  "pipeline", "rules", "automation", "locations", "carriers",
                                  "inventory", "risk", "review", "privacy", "access", "ai"}));

    if (YAML::Node n = root["listen"]) {
      OP_ASSIGN_OR_RETURN(c.listen, String(n, "listen"));
      auto hp = SplitHostPort(c.listen);
      if (!hp.ok()) return Error(n, "listen", hp.status().message());
    }
    if (YAML::Node n = root["data_dir"]) {
      OP_ASSIGN_OR_RETURN(c.data_dir, String(n, "data_dir"));
      if (Trim(c.data_dir).empty()) return Error(n, "data_dir", "'data_dir' is empty");
    }
    if (YAML::Node n = root["log_level"]) {
      OP_ASSIGN_OR_RETURN(c.log_level, String(n, "log_level"));
      if (std::find(std::begin(kLogLevels), std::end(kLogLevels), c.log_level) ==
          std::end(kLogLevels))
        return Error(n, "log_level",
                     "log_level '" + c.log_level +
                         "' is not one of trace, debug, info, warn, error, critical, off");
    }
    // A section left empty ("shops:" and nothing under it) means none / the defaults.
    if (YAML::Node n = root["shops"]; n && !n.IsNull()) OP_RETURN_IF_ERROR(ReadShops(n, c.shops));
    if (YAML::Node n = root["api_keys"]; n && !n.IsNull())
      OP_RETURN_IF_ERROR(ReadApiKeys(n, c.api_keys));
    if (YAML::Node n = root["limits"]; n && !n.IsNull())
      OP_RETURN_IF_ERROR(ReadLimits(n, c.limits));
    if (YAML::Node n = root["access"]; n && !n.IsNull())
      OP_RETURN_IF_ERROR(ReadAccess(n, c.access));
    if (YAML::Node n = root["pipeline"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(Mapping(n, "pipeline"));
      OP_RETURN_IF_ERROR(CheckKeys(n, "pipeline", {"workers"}));
      if (YAML::Node w = n["workers"]) {
        OP_ASSIGN_OR_RETURN(int64_t v, Integer(w, "pipeline.workers", 1, 64));
        c.pipeline.workers = static_cast<int>(v);
      }
    }
    if (YAML::Node n = root["rules"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(ReadFileList(n, "rules", "rule", c.automation.rule_files));
    }
    if (YAML::Node n = root["carriers"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(ReadFileList(n, "carriers", "rate table", c.carrier_files));
    }
    if (YAML::Node n = root["locations"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(ReadLocations(n, c.locations));
      if (c.carrier_files.empty()) {
        return Error(n, "carriers",
                     "'locations' are configured but no 'carriers' (rate table files) are");
      }
    }
    if (YAML::Node n = root["inventory"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(ReadInventory(n, c.inventory));
    }
    if (YAML::Node n = root["automation"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(Mapping(n, "automation"));
      OP_RETURN_IF_ERROR(CheckKeys(
          n, "automation", {"auto_cancel", "max_condition_bytes", "max_nesting", "max_cost"}));
      if (YAML::Node v = n["max_condition_bytes"]) {
        OP_ASSIGN_OR_RETURN(c.automation.max_condition_bytes,
                            Integer(v, "automation.max_condition_bytes", 64, 1 << 20));
      }
      if (YAML::Node v = n["max_nesting"]) {
        OP_ASSIGN_OR_RETURN(c.automation.max_nesting,
                            Integer(v, "automation.max_nesting", 8, 1000));
      }
      if (YAML::Node v = n["max_cost"]) {
        OP_ASSIGN_OR_RETURN(c.automation.max_cost,
                            Integer(v, "automation.max_cost", 100, 1'000'000'000));
      }
      if (YAML::Node a = n["auto_cancel"]) {
        OP_ASSIGN_OR_RETURN(c.automation.auto_cancel, Bool(a, "automation.auto_cancel"));
      }
    }
    // The older switch: a rule's cancel applies at once. review.kinds.cancel_order, when given,
    // says the same thing more precisely and wins.
    if (c.automation.auto_cancel) {
      review::KindPolicy p = c.review.autonomy.For("cancel_order");
      p.level = review::Autonomy::kAuto;
      OP_RETURN_IF_ERROR(c.review.autonomy.Set("cancel_order", p));
    }
    if (YAML::Node n = root["risk"]; n && !n.IsNull()) OP_RETURN_IF_ERROR(ReadRisk(n, c.risk));
    if (YAML::Node n = root["review"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(ReadReview(n, c.review));
    }
    if (YAML::Node n = root["privacy"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(ReadPrivacy(n, c.privacy));
    }
    if (YAML::Node n = root["ai"]; n && !n.IsNull()) OP_RETURN_IF_ERROR(ReadAi(n, c.ai));
    return c;
  }

  // "<file>:<line>:<col>: <reason>" at `at` (1-based), or at the file when `at` has no mark.
  Status Error(const YAML::Mark& at, std::string field, std::string_view reason) const {
    std::string msg = file_;
    if (!at.is_null())
      msg += ":" + std::to_string(at.line + 1) + ":" + std::to_string(at.column + 1);
    msg += ": ";
    msg += reason;
    return InvalidArgumentError(std::move(msg), std::move(field));
  }
  // An empty value ("listen:" and nothing after it) has no position of its own (yaml-cpp marks
  // where the next token starts), so errors about it point at its key.
  Status Error(const YAML::Node& at, std::string field, std::string_view reason) const {
    auto key = key_marks_.find(field);
    if (at.IsNull() && key != key_marks_.end()) return Error(key->second, std::move(field), reason);
    return Error(at.Mark(), std::move(field), reason);
  }

 private:
  static std::string Join(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
  }

  Status Mapping(const YAML::Node& n, const std::string& field) const {
    if (n.IsMap()) return Status::Ok();
    return Error(n, field, "'" + field + "' must be a mapping of keys");
  }

  // Refuses keys not in `known` (with a suggestion when one is close), duplicate keys and keys
  // that are not plain scalars. Remembers where each key is, for errors about empty values.
  Status CheckKeys(const YAML::Node& map, std::string_view prefix,
                   std::initializer_list<std::string_view> known) {
    std::map<std::string, int, std::less<>> seen;  // key → 1-based line
    for (const auto& kv : map) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) return Error(key, std::string(prefix), "keys must be plain names");
      const std::string& name = key.Scalar();
      std::string where = prefix.empty() ? "" : " in '" + std::string(prefix) + "'";
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string reason = "unknown key '" + name + "'" + where;
        if (auto s = ClosestName(name, known))
          reason += " (did you mean '" + std::string(*s) + "'?)";
        return Error(key, Join(prefix, name), reason);
      }
      auto [it, inserted] = seen.emplace(name, key.Mark().line + 1);
      if (!inserted)
        return Error(key, Join(prefix, name),
                     "duplicate key '" + name + "'" + where + " (first at line " +
                         std::to_string(it->second) + ")");
      key_marks_[Join(prefix, name)] = key.Mark();
    }
    return Status::Ok();
  }

  Result<std::string> String(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) return Error(n, field, "'" + field + "' must be a string");
    return n.Scalar();
  }

  // An integer in min..max; `range` describes the bounds for people (default "between MIN and
  // MAX").
  Result<int64_t> Integer(const YAML::Node& n, const std::string& field, int64_t min, int64_t max,
                          std::string_view range = {}) const {
    if (!n.IsScalar()) return Error(n, field, "'" + field + "' must be an integer");
    const std::string& s = n.Scalar();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
      return Error(n, field, "'" + field + "' must be an integer, got '" + s + "'");
    if (v < min || v > max)
      return Error(
          n, field,
          "'" + field + "' must be " +
              (range.empty() ? "between " + std::to_string(min) + " and " + std::to_string(max)
                             : std::string(range)) +
              ", got " + s);
    return v;
  }

  Result<std::string> Secret(const YAML::Node& n, const std::string& field) const {
    OP_ASSIGN_OR_RETURN(std::string ref, String(n, field));
    auto secret = ResolveSecret(ref, env_);
    if (!secret.ok()) return Error(n, field, field + ": " + secret.status().message());
    if (secret->empty()) return Error(n, field, "'" + field + "' is empty");
    return std::move(secret).value();
  }

  Status ReadShops(const YAML::Node& list, std::vector<ShopConfig>& out) {
    if (!list.IsSequence())
      return Error(list, "shops", "'shops' must be a list of shops (- domain: …)");
    std::map<std::string, int, std::less<>> lines;  // lower-cased domain → 1-based line
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node shop = list[i];
      std::string at = "shops[" + std::to_string(i) + "]";
      OP_RETURN_IF_ERROR(Mapping(shop, at));
      OP_RETURN_IF_ERROR(CheckKeys(shop, at, {"domain", "webhook_secret"}));
      YAML::Node domain = shop["domain"];
      if (!domain) return Error(shop, at + ".domain", "shop has no 'domain'");
      ShopConfig s;
      OP_ASSIGN_OR_RETURN(s.domain, String(domain, at + ".domain"));
      if (Trim(s.domain).empty() || s.domain.find_first_of(" \t/") != std::string::npos)
        return Error(domain, at + ".domain",
                     "shop domain '" + s.domain + "' is not a domain (example.myshopify.com)");
      YAML::Node secret = shop["webhook_secret"];
      if (!secret)
        return Error(shop, at + ".webhook_secret",
                     "shop '" + s.domain + "' has no 'webhook_secret'");
      std::string key = s.domain;
      std::transform(key.begin(), key.end(), key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      auto [it, inserted] = lines.emplace(key, domain.Mark().line + 1);
      if (!inserted)
        return Error(domain, at + ".domain",
                     "duplicate shop domain '" + s.domain + "' (first at line " +
                         std::to_string(it->second) + ")");
      OP_ASSIGN_OR_RETURN(s.webhook_secret, Secret(secret, at + ".webhook_secret"));
      out.push_back(std::move(s));
    }
    return Status::Ok();
  }

  Status ReadRisk(const YAML::Node& n, RiskConfig& out) {
    OP_RETURN_IF_ERROR(Mapping(n, "risk"));
    OP_RETURN_IF_ERROR(
        CheckKeys(n, "risk",
                  {"enabled", "model", "ip_country", "high_risk_skus", "freight_forwarders",
                   "hold_above", "cancel_above", "history_days"}));
    if (YAML::Node v = n["enabled"]) {
      OP_ASSIGN_OR_RETURN(out.enabled, Bool(v, "risk.enabled"));
    }
    for (const char* key : {"model", "ip_country"}) {
      if (YAML::Node v = n[key]) {
        std::string field = std::string("risk.") + key;
        OP_ASSIGN_OR_RETURN(std::string path, String(v, field));
        if (Trim(path).empty()) return Error(v, field, "'" + field + "' is empty");
        (std::string_view(key) == "model" ? out.model : out.ip_country) = Resolve(path);
      }
    }
    if (YAML::Node v = n["high_risk_skus"]; v && !v.IsNull()) {
      if (!v.IsSequence())
        return Error(v, "risk.high_risk_skus", "'risk.high_risk_skus' must be a list of SKUs");
      for (size_t i = 0; i < v.size(); ++i) {
        std::string field = "risk.high_risk_skus[" + std::to_string(i) + "]";
        OP_ASSIGN_OR_RETURN(std::string sku, String(v[i], field));
        if (Trim(sku).empty()) return Error(v[i], field, "empty SKU");
        out.high_risk_skus.push_back(std::move(sku));
      }
    }
    if (YAML::Node v = n["freight_forwarders"]; v && !v.IsNull()) {
      if (!v.IsSequence()) {
        return Error(v, "risk.freight_forwarders",
                     "'risk.freight_forwarders' must be a list (- country: US, zip: \"33166\")");
      }
      for (size_t i = 0; i < v.size(); ++i) {
        const YAML::Node f = v[i];
        std::string at = "risk.freight_forwarders[" + std::to_string(i) + "]";
        OP_RETURN_IF_ERROR(Mapping(f, at));
        OP_RETURN_IF_ERROR(CheckKeys(f, at, {"country", "zip", "address_contains"}));
        RiskConfig::Forwarder fw;
        YAML::Node country = f["country"];
        if (!country) return Error(f, at + ".country", "freight forwarder has no 'country'");
        OP_ASSIGN_OR_RETURN(fw.country_code, String(country, at + ".country"));
        if (fw.country_code.size() != 2) {
          return Error(country, at + ".country",
                       "country '" + fw.country_code + "' is not an ISO 3166 alpha-2 code (US)");
        }
        if (YAML::Node z = f["zip"]) {
          OP_ASSIGN_OR_RETURN(fw.zip_prefix, String(z, at + ".zip"));
        }
        if (YAML::Node a = f["address_contains"]) {
          OP_ASSIGN_OR_RETURN(fw.address_contains, String(a, at + ".address_contains"));
        }
        if (Trim(fw.zip_prefix).empty() && Trim(fw.address_contains).empty()) {
          return Error(f, at,
                       "a freight forwarder needs 'zip' or 'address_contains' (else it "
                       "would match the whole country)");
        }
        out.freight_forwarders.push_back(std::move(fw));
      }
    }
    if (YAML::Node v = n["hold_above"]) {
      OP_ASSIGN_OR_RETURN(out.hold_above, Number(v, "risk.hold_above", 0, 1));
    }
    if (YAML::Node v = n["cancel_above"]) {
      OP_ASSIGN_OR_RETURN(out.cancel_above, Number(v, "risk.cancel_above", 0, 1));
    }
    if (out.cancel_above <= out.hold_above) {
      return Error(n["cancel_above"] ? n["cancel_above"] : n, "risk.cancel_above",
                   "'risk.cancel_above' must be greater than 'risk.hold_above'");
    }
    if (YAML::Node v = n["history_days"]) {
      OP_ASSIGN_OR_RETURN(int64_t d, Integer(v, "risk.history_days", 1, 3650));
      out.history_days = static_cast<int>(d);
    }
    return Status::Ok();
  }

  // "90s", "30m", "4h", "2d" or a number of seconds; 0 = never.
  Result<std::chrono::seconds> Duration(const YAML::Node& n, const std::string& field) const {
    OP_ASSIGN_OR_RETURN(std::string text, String(n, field));
    int64_t unit = 1;
    std::string_view digits = Trim(text);
    if (!digits.empty()) {
      switch (digits.back()) {
        case 's':
          unit = 1;
          digits.remove_suffix(1);
          break;
        case 'm':
          unit = 60;
          digits.remove_suffix(1);
          break;
        case 'h':
          unit = 3600;
          digits.remove_suffix(1);
          break;
        case 'd':
          unit = 86400;
          digits.remove_suffix(1);
          break;
        default:
          break;
      }
    }
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || v < 0 ||
        v > 365 * 86400 / unit) {
      return Error(n, field,
                   "'" + field +
                       "' must be a duration such as 90s, 30m, 4h or 2d (at most a "
                       "year), got '" +
                       text + "'");
    }
    return std::chrono::seconds(v * unit);
  }

  Status ReadPrivacy(const YAML::Node& n, PrivacyConfig& out) {
    OP_RETURN_IF_ERROR(Mapping(n, "privacy"));
    OP_RETURN_IF_ERROR(CheckKeys(n, "privacy",
                                 {"master_key", "previous_master_keys", "key_file", "export_dir",
                                  "retention", "job_seconds"}));
    if (YAML::Node v = n["master_key"]) {
      OP_ASSIGN_OR_RETURN(std::string key, Secret(v, "privacy.master_key"));
      out.master_keys.push_back(std::move(key));
    }
    if (YAML::Node list = n["previous_master_keys"]; list && !list.IsNull()) {
      if (out.master_keys.empty())
        return Error(list, "privacy.previous_master_keys",
                     "'previous_master_keys' needs a 'master_key' to rotate to");
      if (!list.IsSequence())
        return Error(list, "privacy.previous_master_keys",
                     "'previous_master_keys' must be a list of env:NAME or file:PATH references");
      for (size_t i = 0; i < list.size(); ++i) {
        OP_ASSIGN_OR_RETURN(std::string key, Secret(list[i], "privacy.previous_master_keys[" +
                                                                 std::to_string(i) + "]"));
        out.master_keys.push_back(std::move(key));
      }
    }
    if (YAML::Node v = n["key_file"]) {
      OP_ASSIGN_OR_RETURN(out.key_file, String(v, "privacy.key_file"));
    }
    if (YAML::Node v = n["export_dir"]) {
      OP_ASSIGN_OR_RETURN(out.export_dir, String(v, "privacy.export_dir"));
    }
    if (YAML::Node v = n["job_seconds"]) {
      OP_ASSIGN_OR_RETURN(int64_t s, Integer(v, "privacy.job_seconds", 1, 86400));
      out.job_seconds = static_cast<int>(s);
    }
    if (YAML::Node r = n["retention"]; r && !r.IsNull()) {
      OP_RETURN_IF_ERROR(Mapping(r, "privacy.retention"));
      OP_RETURN_IF_ERROR(
          CheckKeys(r, "privacy.retention",
                    {"erase_inactive_customers_after_days", "drop_raw_webhook_bodies_after_days"}));
      if (YAML::Node v = r["erase_inactive_customers_after_days"]) {
        OP_ASSIGN_OR_RETURN(
            int64_t d,
            Integer(v, "privacy.retention.erase_inactive_customers_after_days", 1, 36500));
        out.erase_inactive_customers_after_days = static_cast<int>(d);
      }
      if (YAML::Node v = r["drop_raw_webhook_bodies_after_days"]) {
        OP_ASSIGN_OR_RETURN(
            int64_t d,
            Integer(v, "privacy.retention.drop_raw_webhook_bodies_after_days", 1, 36500));
        out.drop_raw_webhook_bodies_after_days = static_cast<int>(d);
      }
    }
    return Status::Ok();
  }

  Status ReadAi(const YAML::Node& n, ai::AiOptions& out) {
    OP_RETURN_IF_ERROR(Mapping(n, "ai"));
    OP_RETURN_IF_ERROR(CheckKeys(
        n, "ai",
        {"enabled", "base_url", "api_key", "model", "timeout_ms", "ca_file", "allow_plain_http"}));
    if (YAML::Node v = n["enabled"]) {
      OP_ASSIGN_OR_RETURN(out.enabled, Bool(v, "ai.enabled"));
    }
    if (YAML::Node v = n["base_url"]) {
      OP_ASSIGN_OR_RETURN(out.base_url, String(v, "ai.base_url"));
    }
    // A disabled section may name a key that is not set in this environment: it is only
    // resolved when it will be used.
    if (YAML::Node v = n["api_key"]; v && out.enabled) {
      OP_ASSIGN_OR_RETURN(out.api_key, Secret(v, "ai.api_key"));
    }
    if (YAML::Node v = n["model"]) {
      OP_ASSIGN_OR_RETURN(out.model, String(v, "ai.model"));
    }
    if (YAML::Node v = n["timeout_ms"]) {
      OP_ASSIGN_OR_RETURN(int64_t ms, Integer(v, "ai.timeout_ms", 100, 600000));
      out.timeout = std::chrono::milliseconds(ms);
    }
    if (YAML::Node v = n["ca_file"]) {
      OP_ASSIGN_OR_RETURN(out.ca_file, String(v, "ai.ca_file"));
    }
    if (YAML::Node v = n["allow_plain_http"]) {
      OP_ASSIGN_OR_RETURN(out.allow_plain_http, Bool(v, "ai.allow_plain_http"));
    }
    if (Status s = ai::ChatClient::Validate(out); !s.ok()) {
      const std::string field = s.field().empty() ? std::string("ai") : std::string(s.field());
      YAML::Node at = n[field.substr(field.find('.') + 1)];
      return Error(at ? at : n, field, s.message());
    }
    return Status::Ok();
  }

  Status ReadReview(const YAML::Node& n, ReviewConfig& out) {
    OP_RETURN_IF_ERROR(Mapping(n, "review"));
    OP_RETURN_IF_ERROR(CheckKeys(n, "review", {"kinds", "sla_check_seconds"}));
    if (YAML::Node v = n["sla_check_seconds"]) {
      OP_ASSIGN_OR_RETURN(int64_t s, Integer(v, "review.sla_check_seconds", 1, 3600));
      out.sla_check_seconds = static_cast<int>(s);
    }
    YAML::Node kinds = n["kinds"];
    if (!kinds || kinds.IsNull()) return Status::Ok();
    OP_RETURN_IF_ERROR(Mapping(kinds, "review.kinds"));
    std::vector<std::string_view> known(review::DecisionKinds().begin(),
                                        review::DecisionKinds().end());
    for (const auto& kv : kinds) {
      if (!kv.first.IsScalar()) return Error(kv.first, "review.kinds", "keys must be plain names");
      const std::string kind = kv.first.Scalar();
      const std::string at = "review.kinds." + kind;
      if (std::find(known.begin(), known.end(), kind) == known.end()) {
        std::string reason = "unknown decision kind '" + kind + "'";
        if (auto s = ClosestName(kind, known))
          reason += " (did you mean '" + std::string(*s) + "'?)";
        return Error(kv.first, at, reason);
      }
      const YAML::Node k = kv.second;
      OP_RETURN_IF_ERROR(Mapping(k, at));
      OP_RETURN_IF_ERROR(
          CheckKeys(k, at, {"level", "min_confidence", "max_money", "sla", "sla_fallback"}));
      review::KindPolicy p = out.autonomy.For(kind);
      if (YAML::Node v = k["level"]) {
        OP_ASSIGN_OR_RETURN(std::string level, String(v, at + ".level"));
        auto a = review::ParseAutonomy(level);
        if (!a) {
          return Error(v, at + ".level",
                       "level '" + level + "' is not one of off, suggest, auto_below, auto");
        }
        p.level = *a;
      }
      if (YAML::Node v = k["min_confidence"]) {
        OP_ASSIGN_OR_RETURN(p.min_confidence, Number(v, at + ".min_confidence", 0, 1));
      }
      if (YAML::Node v = k["max_money"]) {
        OP_ASSIGN_OR_RETURN(p.max_money, String(v, at + ".max_money"));
      }
      if (YAML::Node v = k["sla"]) {
        OP_ASSIGN_OR_RETURN(p.sla, Duration(v, at + ".sla"));
      }
      if (YAML::Node v = k["sla_fallback"]) {
        OP_ASSIGN_OR_RETURN(std::string f, String(v, at + ".sla_fallback"));
        auto fb = review::ParseSlaFallback(f);
        if (!fb) {
          return Error(v, at + ".sla_fallback",
                       "sla_fallback '" + f + "' is not one of none, approve, reject");
        }
        p.fallback = *fb;
      }
      Status st = out.autonomy.Set(kind, p);
      if (!st.ok()) return Error(k, at, st.message());
    }
    return Status::Ok();
  }

  Status ReadApiKeys(const YAML::Node& list, std::vector<ApiKeyConfig>& out) {
    if (!list.IsSequence())
      return Error(list, "api_keys", "'api_keys' must be a list of keys (- name: …)");
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node entry = list[i];
      std::string at = "api_keys[" + std::to_string(i) + "]";
      OP_RETURN_IF_ERROR(Mapping(entry, at));
      OP_RETURN_IF_ERROR(CheckKeys(entry, at, {"name", "key", "role"}));
      ApiKeyConfig k;
      YAML::Node name = entry["name"];
      if (!name) return Error(entry, at + ".name", "api key has no 'name'");
      OP_ASSIGN_OR_RETURN(k.name, String(name, at + ".name"));
      if (Trim(k.name).empty()) return Error(name, at + ".name", "api key name is empty");
      YAML::Node key = entry["key"];
      if (!key) return Error(entry, at + ".key", "api key '" + k.name + "' has no 'key'");
      OP_ASSIGN_OR_RETURN(k.key, Secret(key, at + ".key"));
      if (k.key.size() < kMinApiKeyLength)  // the length only: the key itself is never echoed
        return Error(key, at + ".key",
                     "api key '" + k.name + "' is shorter than 16 characters (it has " +
                         std::to_string(k.key.size()) + ")");
      if (YAML::Node role = entry["role"]) {
        OP_ASSIGN_OR_RETURN(k.role, String(role, at + ".role"));
        if (k.role != "viewer" && k.role != "operator" && k.role != "admin")
          return Error(role, at + ".role",
                       "role '" + k.role + "' is not one of viewer, operator, admin");
      }
      out.push_back(std::move(k));
    }
    return Status::Ok();
  }

  Status ReadAccess(const YAML::Node& n, AccessConfig& out) {
    OP_RETURN_IF_ERROR(Mapping(n, "access"));
    OP_RETURN_IF_ERROR(
        CheckKeys(n, "access", {"session_idle_minutes", "secure_cookie", "rate_limits"}));
    if (YAML::Node v = n["session_idle_minutes"]) {
      OP_ASSIGN_OR_RETURN(int64_t m, Integer(v, "access.session_idle_minutes", 1, 10080));
      out.session_idle_minutes = static_cast<int>(m);
    }
    if (YAML::Node v = n["secure_cookie"]) {
      OP_ASSIGN_OR_RETURN(out.secure_cookie, Bool(v, "access.secure_cookie"));
    }
    if (YAML::Node r = n["rate_limits"]; r && !r.IsNull()) {
      OP_RETURN_IF_ERROR(Mapping(r, "access.rate_limits"));
      OP_RETURN_IF_ERROR(
          CheckKeys(r, "access.rate_limits", {"per_key", "per_address", "per_shop"}));
      for (auto [name, limit] :
           {std::pair{"per_key", &out.per_key}, std::pair{"per_address", &out.per_address},
            std::pair{"per_shop", &out.per_shop}}) {
        YAML::Node b = r[name];
        if (!b || b.IsNull()) continue;
        const std::string at = std::string("access.rate_limits.") + name;
        OP_RETURN_IF_ERROR(Mapping(b, at));
        OP_RETURN_IF_ERROR(CheckKeys(b, at, {"per_second", "burst"}));
        if (YAML::Node v = b["per_second"]) {
          OP_ASSIGN_OR_RETURN(limit->per_second, Number(v, at + ".per_second", 0, 1e6));
        }
        if (YAML::Node v = b["burst"]) {
          OP_ASSIGN_OR_RETURN(limit->burst, Number(v, at + ".burst", 1, 1e7));
        }
      }
    }
    return Status::Ok();
  }

  std::string Resolve(const std::string& path) const {
    std::filesystem::path p(path);
    if (p.is_relative() && !file_.empty()) p = std::filesystem::path(file_).parent_path() / p;
    return p.lexically_normal().string();
  }

  Status ReadFileList(const YAML::Node& n, const std::string& key, std::string_view what,
                      std::vector<std::string>& out) {
    if (!n.IsSequence()) {
      return Error(n, key, "'" + key + "' must be a list of " + std::string(what) + " files");
    }
    for (size_t i = 0; i < n.size(); ++i) {
      std::string field = key + "[" + std::to_string(i) + "]";
      OP_ASSIGN_OR_RETURN(std::string path, String(n[i], field));
      if (Trim(path).empty())
        return Error(n[i], field, "empty " + std::string(what) + " file name");
      out.push_back(Resolve(path));
    }
    return Status::Ok();
  }

  Result<bool> Bool(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) {
      return Error(n, field, "'" + field + "' must be true or false");
    }
    return n.Scalar() == "true";
  }

  Result<double> Number(const YAML::Node& n, const std::string& field, double min,
                        double max) const {
    if (!n.IsScalar()) return Error(n, field, "'" + field + "' must be a number");
    const std::string& s = n.Scalar();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) {
      return Error(n, field, "'" + field + "' must be a number, got '" + s + "'");
    }
    if (!(v >= min && v <= max)) {
      return Error(n, field,
                   "'" + field + "' must be between " + std::to_string(min).substr(0, 6) + " and " +
                       std::to_string(max).substr(0, 9) + ", got " + s);
    }
    return v;
  }

  // A decimal amount ("1.50"): digits with at most one '.', checked for shape only here; the
  // currency's precision is checked when the rate tables are known.
  Result<std::string> Amount(const YAML::Node& n, const std::string& field) const {
    OP_ASSIGN_OR_RETURN(std::string v, String(n, field));
    bool ok = !v.empty() && v.find_first_not_of("0123456789.") == std::string::npos &&
              std::count(v.begin(), v.end(), '.') <= 1 && v.front() != '.' && v.back() != '.';
    if (!ok) return Error(n, field, "'" + field + "' must be an amount like 1.50, got '" + v + "'");
    return v;
  }

  Status ReadLocations(const YAML::Node& list, std::vector<LocationConfig>& out) {
    if (!list.IsSequence()) {
      return Error(list, "locations", "'locations' must be a list of locations (- code: …)");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node n = list[i];
      const std::string at = "locations[" + std::to_string(i) + "]";
      OP_RETURN_IF_ERROR(Mapping(n, at));
      OP_RETURN_IF_ERROR(
          CheckKeys(n, at,
                    {"code", "name", "kind", "address", "latitude", "longitude", "handling_cost",
                     "cutoff", "time_zone", "skus", "shopify_location_id", "fulfillment_url"}));
      LocationConfig lc;
      lc.field = at;
      inventory::Location& l = lc.location;
      YAML::Node code = n["code"];
      if (!code) return Error(n, at + ".code", "location has no 'code'");
      OP_ASSIGN_OR_RETURN(l.code, String(code, at + ".code"));
      if (l.code.empty() ||
          l.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
        return Error(code, at + ".code",
                     "location code '" + l.code + "' must be lower-case letters, digits, - or _");
      }
      for (const LocationConfig& prev : out) {
        if (prev.location.code == l.code) {
          return Error(code, at + ".code", "duplicate location code '" + l.code + "'");
        }
      }
      l.name = l.code;
      if (YAML::Node v = n["name"]) {
        OP_ASSIGN_OR_RETURN(l.name, String(v, at + ".name"));
      }
      if (YAML::Node v = n["kind"]) {
        OP_ASSIGN_OR_RETURN(l.kind, String(v, at + ".kind"));
        if (l.kind != "warehouse" && l.kind != "store" && l.kind != "3pl") {
          return Error(v, at + ".kind", "kind must be warehouse, store or 3pl");
        }
      }
      YAML::Node addr = n["address"];
      if (!addr) return Error(n, at + ".address", "location '" + l.code + "' has no 'address'");
      OP_RETURN_IF_ERROR(Mapping(addr, at + ".address"));
      OP_RETURN_IF_ERROR(CheckKeys(addr, at + ".address",
                                   {"address1", "address2", "city", "province_code", "country_code",
                                    "zip", "phone", "company"}));
      auto text = [&](const char* key, std::string& dst) -> Status {
        if (YAML::Node v = addr[key]) {
          OP_ASSIGN_OR_RETURN(dst, String(v, at + ".address." + key));
        }
        return Status::Ok();
      };
      OP_RETURN_IF_ERROR(text("address1", l.address.address1));
      OP_RETURN_IF_ERROR(text("address2", l.address.address2));
      OP_RETURN_IF_ERROR(text("city", l.address.city));
      OP_RETURN_IF_ERROR(text("province_code", l.address.province_code));
      OP_RETURN_IF_ERROR(text("country_code", l.address.country_code));
      OP_RETURN_IF_ERROR(text("zip", l.address.zip));
      OP_RETURN_IF_ERROR(text("phone", l.address.phone));
      OP_RETURN_IF_ERROR(text("company", l.address.company));
      if (l.address.country_code.size() != 2 || l.address.zip.empty()) {
        return Error(addr, at + ".address",
                     "location '" + l.code +
                         "' needs address.country_code (2 letters) and address.zip: they decide "
                         "its shipping zones");
      }
      if (YAML::Node v = n["latitude"]) {
        OP_ASSIGN_OR_RETURN(l.latitude, Number(v, at + ".latitude", -90, 90));
      }
      if (YAML::Node v = n["longitude"]) {
        OP_ASSIGN_OR_RETURN(l.longitude, Number(v, at + ".longitude", -180, 180));
      }
      if (YAML::Node v = n["handling_cost"]) {
        OP_ASSIGN_OR_RETURN(lc.handling_cost, Amount(v, at + ".handling_cost"));
      }
      if (YAML::Node v = n["cutoff"]) {
        OP_ASSIGN_OR_RETURN(std::string hhmm, String(v, at + ".cutoff"));
        int h = -1, m = -1;
        char extra = 0;
        if (hhmm.size() != 5 || std::sscanf(hhmm.c_str(), "%2d:%2d%c", &h, &m, &extra) != 2 ||
            h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) {
          return Error(v, at + ".cutoff", "cutoff must be a local time HH:MM, got '" + hhmm + "'");
        }
        l.cutoff_minutes = h * 60 + m;
      }
      if (YAML::Node v = n["time_zone"]) {
        OP_ASSIGN_OR_RETURN(l.time_zone, String(v, at + ".time_zone"));
        auto tz = TimeZone::Load(l.time_zone);
        if (!tz.ok()) return Error(v, at + ".time_zone", tz.status().message());
      }
      if (YAML::Node v = n["skus"]; v && !v.IsNull()) {
        if (!v.IsSequence()) {
          return Error(v, at + ".skus", "'skus' must be a list of SKUs or prefixes like NW-*");
        }
        for (size_t j = 0; j < v.size(); ++j) {
          OP_ASSIGN_OR_RETURN(std::string sku,
                              String(v[j], at + ".skus[" + std::to_string(j) + "]"));
          if (sku == "*") {
            l.skus.clear();
            break;
          }
          l.skus.push_back(std::move(sku));
        }
      }
      if (YAML::Node v = n["shopify_location_id"]) {
        OP_ASSIGN_OR_RETURN(l.shopify_location_id, String(v, at + ".shopify_location_id"));
        if (l.shopify_location_id.empty() ||
            l.shopify_location_id.find_first_not_of("0123456789") != std::string::npos) {
          return Error(v, at + ".shopify_location_id", "shopify_location_id must be digits");
        }
      }
      if (YAML::Node v = n["fulfillment_url"]) {
        OP_ASSIGN_OR_RETURN(l.fulfillment_url, String(v, at + ".fulfillment_url"));
        if (!l.fulfillment_url.empty() && !l.fulfillment_url.starts_with("http://") &&
            !l.fulfillment_url.starts_with("https://")) {
          return Error(v, at + ".fulfillment_url", "fulfillment_url must be an http(s) URL");
        }
      }
      out.push_back(std::move(lc));
    }
    return Status::Ok();
  }

  Status ReadInventory(const YAML::Node& n, InventoryConfig& out) {
    OP_RETURN_IF_ERROR(Mapping(n, "inventory"));
    OP_RETURN_IF_ERROR(
        CheckKeys(n, "inventory",
                  {"catalog", "initial_stock", "split_penalty", "default_lead_time_days",
                   "substitutes", "shopify_buffer", "backorder_recheck_seconds", "service_level",
                   "review_days", "history_days", "promise_days"}));
    if (YAML::Node v = n["catalog"]) {
      OP_ASSIGN_OR_RETURN(std::string path, String(v, "inventory.catalog"));
      out.catalog = Resolve(path);
    }
    if (YAML::Node v = n["initial_stock"]) {
      OP_ASSIGN_OR_RETURN(std::string path, String(v, "inventory.initial_stock"));
      out.initial_stock = Resolve(path);
    }
    if (YAML::Node v = n["split_penalty"]) {
      OP_ASSIGN_OR_RETURN(out.split_penalty, Amount(v, "inventory.split_penalty"));
    }
    if (YAML::Node v = n["default_lead_time_days"]) {
      OP_ASSIGN_OR_RETURN(int64_t d, Integer(v, "inventory.default_lead_time_days", 1, 365));
      out.default_lead_time_days = static_cast<int>(d);
    }
    if (YAML::Node v = n["substitutes"]) {
      OP_ASSIGN_OR_RETURN(out.substitutes, Bool(v, "inventory.substitutes"));
    }
    if (YAML::Node v = n["shopify_buffer"]) {
      OP_ASSIGN_OR_RETURN(out.shopify_buffer, Integer(v, "inventory.shopify_buffer", 0, 1000000));
    }
    if (YAML::Node v = n["backorder_recheck_seconds"]) {
      OP_ASSIGN_OR_RETURN(int64_t s, Integer(v, "inventory.backorder_recheck_seconds", 1, 86400));
      out.backorder_recheck_seconds = static_cast<int>(s);
    }
    if (YAML::Node v = n["service_level"]) {
      OP_ASSIGN_OR_RETURN(out.service_level, Number(v, "inventory.service_level", 0.5, 0.9999));
    }
    if (YAML::Node v = n["review_days"]) {
      OP_ASSIGN_OR_RETURN(int64_t d, Integer(v, "inventory.review_days", 0, 90));
      out.review_days = static_cast<int>(d);
    }
    if (YAML::Node v = n["history_days"]) {
      OP_ASSIGN_OR_RETURN(int64_t d, Integer(v, "inventory.history_days", 14, 1095));
      out.history_days = static_cast<int>(d);
    }
    if (YAML::Node p = n["promise_days"]; p && !p.IsNull()) {
      OP_RETURN_IF_ERROR(Mapping(p, "inventory.promise_days"));
      OP_RETURN_IF_ERROR(
          CheckKeys(p, "inventory.promise_days", {"standard", "express", "overnight"}));
      auto days = [&](const char* key, int& dst) -> Status {
        if (YAML::Node v = p[key]) {
          OP_ASSIGN_OR_RETURN(int64_t d,
                              Integer(v, std::string("inventory.promise_days.") + key, 1, 60));
          dst = static_cast<int>(d);
        }
        return Status::Ok();
      };
      OP_RETURN_IF_ERROR(days("standard", out.standard_days));
      OP_RETURN_IF_ERROR(days("express", out.express_days));
      OP_RETURN_IF_ERROR(days("overnight", out.overnight_days));
    }
    return Status::Ok();
  }

  Status ReadLimits(const YAML::Node& n, Limits& out) {
    OP_RETURN_IF_ERROR(Mapping(n, "limits"));
    OP_RETURN_IF_ERROR(
        CheckKeys(n, "limits", {"max_body_bytes", "max_connections", "read_timeout_seconds"}));
    if (YAML::Node v = n["max_body_bytes"]) {
      OP_ASSIGN_OR_RETURN(int64_t bytes,
                          Integer(v, "limits.max_body_bytes", kMinBodyBytes, kMaxBodyBytes,
                                  "between 1024 (1 KiB) and 67108864 (64 MiB)"));
      out.max_body_bytes = static_cast<size_t>(bytes);
    }
    if (YAML::Node v = n["max_connections"]) {
      OP_ASSIGN_OR_RETURN(int64_t c, Integer(v, "limits.max_connections", 1, 100000));
      out.max_connections = static_cast<int>(c);
    }
    if (YAML::Node v = n["read_timeout_seconds"]) {
      OP_ASSIGN_OR_RETURN(int64_t s, Integer(v, "limits.read_timeout_seconds", 1, 3600));
      out.read_timeout_seconds = static_cast<int>(s);
    }
    return Status::Ok();
  }

  std::string file_;
  const Environment& env_;
  std::map<std::string, YAML::Mark, std::less<>> key_marks_;  // "limits.max_body_bytes" → mark
};

}  // namespace

std::optional<std::string> ProcessEnvironment::Get(std::string_view name) const {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> FakeEnvironment::Get(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

Result<std::pair<std::string, uint16_t>> Config::ListenHostPort() const {
  return SplitHostPort(listen);
}

const ShopConfig* Config::FindShop(std::string_view domain) const {
  const ShopConfig* any = nullptr;
  for (const ShopConfig& s : shops) {
    if (EqualsIgnoreCase(s.domain, domain)) return &s;
    if (s.domain == "*" && any == nullptr) any = &s;
  }
  return any;
}

Result<std::string> ResolveSecret(std::string_view value, const Environment& env) {
  if (value.starts_with("env:")) {
    std::string_view name = value.substr(4);
    if (name.empty()) return InvalidArgumentError("'env:' needs a variable name (env:NAME)");
    std::optional<std::string> v = env.Get(name);
    if (!v)
      return InvalidArgumentError("environment variable " + std::string(name) + " is not set");
    if (v->empty())
      return InvalidArgumentError("environment variable " + std::string(name) + " is empty");
    return std::move(*v);
  }
  if (value.starts_with("file:")) {
    std::string path(value.substr(5));
    if (path.empty()) return InvalidArgumentError("'file:' needs a path (file:PATH)");
    auto text = ReadTextFile(path, "secret file");
    if (!text.ok()) return InvalidArgumentError(text.status().message());
    std::string_view trimmed = Trim(*text);
    if (trimmed.empty()) return InvalidArgumentError("secret file " + path + " is empty");
    return std::string(trimmed);
  }
  return std::string(value);
}

Result<Config> ParseConfig(std::string_view yaml_text, std::string_view file_name,
                           const Environment& env) {
  ConfigReader reader(file_name, env);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    return reader.Read(root);
  } catch (const YAML::Exception& e) {
    // Syntax errors, and any conversion yaml-cpp refuses while we walk the tree.
    return reader.Error(e.mark, "", e.msg);
  } catch (const std::exception& e) {
    return InternalError(std::string(file_name) + ": cannot parse configuration: " + e.what());
  }
}

Result<Config> LoadConfigFile(const std::string& path, const Environment& env) {
  auto text = ReadTextFile(path, "config file");
  if (!text.ok()) return text.status();
  return ParseConfig(*text, path, env);
}

}  // namespace orderpilot::app
