#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <map>

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

// Levenshtein distance, for "did you mean" suggestions on short keys.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The known key closest to `key`, if it is close enough to be a likely typo.
std::optional<std::string_view> Suggest(std::string_view key,
                                        std::initializer_list<std::string_view> known) {
  std::optional<std::string_view> best;
  size_t best_distance = std::max<size_t>(2, key.size() / 3) + 1;
  for (std::string_view k : known) {
    size_t d = EditDistance(key, k);
    if (d < best_distance) best = k, best_distance = d;
  }
  return best;
}

// Reads a whole file. NotFound when it does not exist, FailedPrecondition when it cannot be read.
Result<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return NotFoundError(std::string(what) + " not found: " + path);
  if (std::filesystem::is_directory(path, ec))
    return FailedPreconditionError(std::string(what) + " " + path + " is a directory");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return FailedPreconditionError("cannot read " + std::string(what) + " " + path + ": " +
                                   std::strerror(errno));
  std::string out;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return FailedPreconditionError("cannot read " + std::string(what) + " " + path);
  return out;
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
                                  "pipeline", "rules", "automation"}));

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
    if (YAML::Node n = root["pipeline"]; n && !n.IsNull()) {
      OP_RETURN_IF_ERROR(Mapping(n, "pipeline"));
      OP_RETURN_IF_ERROR(CheckKeys(n, "pipeline", {"workers"}));
      if (YAML::Node w = n["workers"]) {
        OP_ASSIGN_OR_RETURN(int64_t v, Integer(w, "pipeline.workers", 1, 64));
        c.pipeline.workers = static_cast<int>(v);
      }
    }
    if (YAML::Node n = root["rules"]; n && !n.IsNull()) {
      if (!n.IsSequence()) return Error(n, "rules", "'rules' must be a list of rule files");
      for (size_t i = 0; i < n.size(); ++i) {
        std::string field = "rules[" + std::to_string(i) + "]";
        OP_ASSIGN_OR_RETURN(std::string path, String(n[i], field));
        if (Trim(path).empty()) return Error(n[i], field, "empty rule file name");
        std::filesystem::path p(path);
        if (p.is_relative() && !file_.empty()) {
          p = std::filesystem::path(file_).parent_path() / p;
        }
        c.automation.rule_files.push_back(p.lexically_normal().string());
      }
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
        if (!a.IsScalar() || (a.Scalar() != "true" && a.Scalar() != "false")) {
          return Error(a, "automation.auto_cancel", "'auto_cancel' must be true or false");
        }
        c.automation.auto_cancel = a.Scalar() == "true";
      }
    }
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
        if (auto s = Suggest(name, known)) reason += " (did you mean '" + std::string(*s) + "'?)";
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

  Status ReadApiKeys(const YAML::Node& list, std::vector<ApiKeyConfig>& out) {
    if (!list.IsSequence())
      return Error(list, "api_keys", "'api_keys' must be a list of keys (- name: …)");
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node entry = list[i];
      std::string at = "api_keys[" + std::to_string(i) + "]";
      OP_RETURN_IF_ERROR(Mapping(entry, at));
      OP_RETURN_IF_ERROR(CheckKeys(entry, at, {"name", "key"}));
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
      out.push_back(std::move(k));
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
    auto text = ReadFile(path, "secret file");
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
  auto text = ReadFile(path, "config file");
  if (!text.ok()) return text.status();
  return ParseConfig(*text, path, env);
}

}  // namespace orderpilot::app
