#include "risk/ip_country.h"

#include <GeoIP.h>
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

#include "core/text_file.h"

namespace orderpilot::risk {
namespace {

using Ipv6 = unsigned __int128;

struct Address {
  bool v4 = false;
  uint32_t ip4 = 0;
  Ipv6 ip6 = 0;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Parses dotted IPv4, IPv6 text (IPv4-mapped IPv6 becomes IPv4) or, when `allow_integer`, a
// decimal IPv4 integer.
std::optional<Address> ParseAddress(std::string_view text, bool allow_integer) {
  text = Trim(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  char buf[65];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address a;
  in_addr v4{};
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    a.v4 = true;
    a.ip4 = ntohl(v4.s_addr);
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    Ipv6 n = 0;
    for (uint8_t byte : v6.s6_addr) n = (n << 8) | byte;
    if ((n >> 32) == 0xFFFF) {  // ::ffff:a.b.c.d
      a.v4 = true;
      a.ip4 = static_cast<uint32_t>(n);
      return a;
    }
    a.ip6 = n;
    return a;
  }
  if (allow_integer) {
    uint64_t n = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<uint64_t>(c - '0');
      if (n > 0xFFFFFFFFull) return std::nullopt;
    }
    a.v4 = true;
    a.ip4 = static_cast<uint32_t>(n);
    return a;
  }
  return std::nullopt;
}

enum class CodeKind { kCountry, kNoCountry, kInvalid };

// Classifies a table's country code: a country (upper-cased into *code, "FX" as "FR"), a code
// that names no country ("A1", "EU", "--", …) or not a code at all.
CodeKind ClassifyCode(std::string_view text, std::array<char, 2>* code) {
  text = Trim(text);
  if (text == "--" || text == "??") return CodeKind::kNoCountry;
  if (text.size() != 2) return CodeKind::kInvalid;
  auto upper = [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  };
  *code = {upper(text[0]), upper(text[1])};
  const std::string_view s(code->data(), 2);
  if (s == "A1" || s == "A2" || s == "O1" || s == "AP" || s == "EU" || s == "ZZ") {
    return CodeKind::kNoCountry;
  }
  for (char c : *code) {
    if (c < 'A' || c > 'Z') return CodeKind::kInvalid;
  }
  if (s == "FX") *code = {'F', 'R'};
  return CodeKind::kCountry;
}

// libGeoIP's code (a pointer into its static table) as we report it.
std::string_view NormaliseGeoIpCode(const char* code) {
  if (code == nullptr) return {};
  std::array<char, 2> c{};
  if (ClassifyCode(code, &c) != CodeKind::kCountry) return {};
  if (c[0] == 'F' && c[1] == 'R') return "FR";
  return std::string_view(code);
}

template <typename Ip>
struct Range {
  Ip first;
  Ip last;
  std::array<char, 2> code;
  size_t line;
};

template <typename Ip>
std::string_view FindIn(const std::vector<Range<Ip>>& ranges, Ip ip) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), ip,
                             [](Ip v, const Range<Ip>& r) { return v < r.first; });
  if (it == ranges.begin()) return {};
  --it;
  if (ip > it->last) return {};
  return std::string_view(it->code.data(), 2);
}

class CsvIpTable final : public IpCountryTable {
 public:
  static Result<std::unique_ptr<IpCountryTable>> Load(const std::string& path) {
    OP_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "IP-to-country table"));
    auto table = std::make_unique<CsvIpTable>();
    size_t line_no = 0;
    bool seen_row = false;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      const std::string_view line = Trim(std::string_view(text).substr(pos, end - pos));
      pos = end + 1;
      ++line_no;
      if (line.empty() || line.front() == '#') continue;
      std::array<std::string_view, 3> f;
      size_t n = 0;
      size_t start = 0;
      for (size_t i = 0; i <= line.size() && n < 4; ++i) {
        if (i == line.size() || line[i] == ',') {
          if (n < 3) {
            std::string_view field = Trim(line.substr(start, i - start));
            if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
              field = field.substr(1, field.size() - 2);
            }
            f[n] = field;
          }
          ++n;
          start = i + 1;
        }
      }
      auto error = [&](const std::string& why) {
        return InvalidArgumentError(path + ":" + std::to_string(line_no) + ": " + why);
      };
      const bool first_row = !seen_row;
      seen_row = true;
      if (n < 3) return error("expected first_ip,last_ip,country_code");
      const std::optional<Address> lo = ParseAddress(f[0], true);
      const std::optional<Address> hi = ParseAddress(f[1], true);
      if (!lo || !hi) {
        if (first_row) continue;  // a header line
        return error("'" + std::string(!lo ? f[0] : f[1]) + "' is not an IP address");
      }
      if (lo->v4 != hi->v4) return error("range mixes IPv4 and IPv6");
      std::array<char, 2> code{};
      const CodeKind kind = ClassifyCode(f[2], &code);
      if (kind == CodeKind::kInvalid) {
        return error("'" + std::string(f[2]) + "' is not a two-letter country code");
      }
      if (kind == CodeKind::kNoCountry) continue;  // leave the range unknown
      if (lo->v4) {
        if (hi->ip4 < lo->ip4) return error("last_ip is before first_ip");
        table->v4_.push_back({lo->ip4, hi->ip4, code, line_no});
      } else {
        if (hi->ip6 < lo->ip6) return error("last_ip is before first_ip");
        table->v6_.push_back({lo->ip6, hi->ip6, code, line_no});
      }
    }
    OP_RETURN_IF_ERROR(SortAndCheck(table->v4_, path));
    OP_RETURN_IF_ERROR(SortAndCheck(table->v6_, path));
    return std::unique_ptr<IpCountryTable>(std::move(table));
  }

  std::string_view Lookup(std::string_view ip) const override {
    const std::optional<Address> a = ParseAddress(ip, false);
    if (!a) return {};
    return a->v4 ? FindIn(v4_, a->ip4) : FindIn(v6_, a->ip6);
  }

  size_t RangeCount() const override { return v4_.size() + v6_.size(); }

 private:
  template <typename Ip>
  static Status SortAndCheck(std::vector<Range<Ip>>& ranges, const std::string& path) {
    std::sort(ranges.begin(), ranges.end(),
              [](const Range<Ip>& a, const Range<Ip>& b) { return a.first < b.first; });
    for (size_t i = 1; i < ranges.size(); ++i) {
      if (ranges[i].first <= ranges[i - 1].last) {
        return InvalidArgumentError(path + ":" + std::to_string(ranges[i].line) +
                                    ": range overlaps the one on line " +
                                    std::to_string(ranges[i - 1].line));
      }
    }
    ranges.shrink_to_fit();
    return Status::Ok();
  }

  std::vector<Range<uint32_t>> v4_;
  std::vector<Range<Ipv6>> v6_;
};

struct GeoIpDeleter {
  void operator()(GeoIP* gi) const { GeoIP_delete(gi); }
};
using GeoIpHandle = std::unique_ptr<GeoIP, GeoIpDeleter>;

class GeoIpTable final : public IpCountryTable {
 public:
  static Result<std::unique_ptr<IpCountryTable>> Load(const std::string& path) {
    auto table = std::make_unique<GeoIpTable>();
    OP_ASSIGN_OR_RETURN(GeoIpHandle gi, OpenDat(path));
    const int edition = GeoIP_database_edition(gi.get());
    if (edition == GEOIP_COUNTRY_EDITION) {
      table->v4_ = std::move(gi);
      const std::filesystem::path v6 = std::filesystem::path(path).parent_path() / "GeoIPv6.dat";
      std::error_code ec;
      if (std::filesystem::is_regular_file(v6, ec)) {
        OP_ASSIGN_OR_RETURN(GeoIpHandle gi6, OpenDat(v6.string()));
        if (GeoIP_database_edition(gi6.get()) == GEOIP_COUNTRY_EDITION_V6) {
          table->v6_ = std::move(gi6);
        }
      }
    } else if (edition == GEOIP_COUNTRY_EDITION_V6) {
      table->v6_ = std::move(gi);
    } else {
      return InvalidArgumentError(path + ": not a GeoIP country database (edition " +
                                  std::to_string(edition) + ")");
    }
    return std::unique_ptr<IpCountryTable>(std::move(table));
  }

  std::string_view Lookup(std::string_view ip) const override {
    const std::optional<Address> a = ParseAddress(ip, false);
    if (!a) return {};
    GeoIPLookup gl{};
    std::lock_guard<std::mutex> lock(mu_);
    if (a->v4) {
      if (v4_ == nullptr) return {};
      return NormaliseGeoIpCode(GeoIP_country_code_by_ipnum_gl(v4_.get(), a->ip4, &gl));
    }
    if (v6_ == nullptr) return {};
    geoipv6_t addr{};
    for (int i = 15; i >= 0; --i) {
      addr.s6_addr[i] = static_cast<uint8_t>(a->ip6 >> (8 * (15 - i)));
    }
    return NormaliseGeoIpCode(GeoIP_country_code_by_ipnum_v6_gl(v6_.get(), addr, &gl));
  }

  size_t RangeCount() const override { return 0; }

 private:
  static Result<GeoIpHandle> OpenDat(const std::string& path) {
    GeoIpHandle gi(GeoIP_open(path.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE));
    if (gi == nullptr) return InvalidArgumentError(path + ": libGeoIP cannot open it");
    return gi;
  }

  mutable std::mutex mu_;  // serialises libGeoIP calls
  GeoIpHandle v4_;
  GeoIpHandle v6_;
};

}  // namespace

Result<std::unique_ptr<IpCountryTable>> IpCountryTable::Open(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (!std::filesystem::exists(p, ec)) {
    return NotFoundError("IP-to-country table not found: " + path);
  }
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".dat") return GeoIpTable::Load(path);
  return CsvIpTable::Load(path);
}

}  // namespace orderpilot::risk
