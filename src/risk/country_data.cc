#include "risk/country_data.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>

namespace orderpilot::risk {
namespace {

struct Centroid {
  std::string_view code;
  double lat;
  double lon;
};

// Approximate centres, sorted by code (checked at compile time below).
constexpr Centroid kCentroids[] = {
    {"AD", 42.5, 1.6},     {"AE", 23.4, 53.8},    {"AF", 33.9, 67.7},    {"AG", 17.1, -61.8},
    {"AI", 18.2, -63.1},   {"AL", 41.2, 20.2},    {"AM", 40.1, 45.0},    {"AO", -11.2, 17.9},
    {"AQ", -75.3, 0.0},    {"AR", -38.4, -63.6},  {"AS", -14.3, -170.1}, {"AT", 47.5, 14.6},
    {"AU", -25.3, 133.8},  {"AW", 12.5, -70.0},   {"AX", 60.2, 20.0},    {"AZ", 40.1, 47.6},
    {"BA", 43.9, 17.7},    {"BB", 13.2, -59.5},   {"BD", 23.7, 90.4},    {"BE", 50.5, 4.5},
    {"BF", 12.2, -1.6},    {"BG", 42.7, 25.5},    {"BH", 26.0, 50.6},    {"BI", -3.4, 29.9},
    {"BJ", 9.3, 2.3},      {"BL", 17.9, -62.8},   {"BM", 32.3, -64.8},   {"BN", 4.5, 114.7},
    {"BO", -16.3, -63.6},  {"BQ", 12.2, -68.3},   {"BR", -14.2, -51.9},  {"BS", 25.0, -77.4},
    {"BT", 27.5, 90.4},    {"BV", -54.4, 3.4},    {"BW", -22.3, 24.7},   {"BY", 53.7, 28.0},
    {"BZ", 17.2, -88.5},   {"CA", 56.1, -106.3},  {"CC", -12.2, 96.9},   {"CD", -4.0, 21.8},
    {"CF", 6.6, 20.9},     {"CG", -0.2, 15.8},    {"CH", 46.8, 8.2},     {"CI", 7.5, -5.5},
    {"CK", -21.2, -159.8}, {"CL", -35.7, -71.5},  {"CM", 7.4, 12.4},     {"CN", 35.9, 104.2},
    {"CO", 4.6, -74.3},    {"CR", 9.7, -83.8},    {"CU", 21.5, -77.8},   {"CV", 16.0, -24.0},
    {"CW", 12.2, -69.0},   {"CX", -10.4, 105.7},  {"CY", 35.1, 33.4},    {"CZ", 49.8, 15.5},
    {"DE", 51.2, 10.5},    {"DJ", 11.8, 42.6},    {"DK", 56.3, 9.5},     {"DM", 15.4, -61.4},
    {"DO", 18.7, -70.2},   {"DZ", 28.0, 1.7},     {"EC", -1.8, -78.2},   {"EE", 58.6, 25.0},
    {"EG", 26.8, 30.8},    {"EH", 24.2, -12.9},   {"ER", 15.2, 39.8},    {"ES", 40.5, -3.7},
    {"ET", 9.1, 40.5},     {"FI", 61.9, 25.7},    {"FJ", -16.6, 179.4},  {"FK", -51.8, -59.5},
    {"FM", 7.4, 150.6},    {"FO", 61.9, -6.9},    {"FR", 46.2, 2.2},     {"GA", -0.8, 11.6},
    {"GB", 55.4, -3.4},    {"GD", 12.3, -61.6},   {"GE", 42.3, 43.4},    {"GF", 3.9, -53.1},
    {"GG", 49.5, -2.6},    {"GH", 7.9, -1.0},     {"GI", 36.1, -5.3},    {"GL", 71.7, -42.6},
    {"GM", 13.4, -15.3},   {"GN", 9.9, -9.7},     {"GP", 16.3, -61.6},   {"GQ", 1.7, 10.3},
    {"GR", 39.1, 21.8},    {"GS", -54.4, -36.6},  {"GT", 15.8, -90.2},   {"GU", 13.4, 144.8},
    {"GW", 11.8, -15.2},   {"GY", 4.9, -58.9},    {"HK", 22.4, 114.1},   {"HM", -53.1, 73.5},
    {"HN", 15.2, -86.2},   {"HR", 45.1, 15.2},    {"HT", 19.0, -72.3},   {"HU", 47.2, 19.5},
    {"ID", -0.8, 113.9},   {"IE", 53.4, -8.2},    {"IL", 31.0, 34.9},    {"IM", 54.2, -4.5},
    {"IN", 20.6, 79.0},    {"IO", -6.3, 71.9},    {"IQ", 33.2, 43.7},    {"IR", 32.4, 53.7},
    {"IS", 65.0, -19.0},   {"IT", 41.9, 12.6},    {"JE", 49.2, -2.1},    {"JM", 18.1, -77.3},
    {"JO", 30.6, 36.2},    {"JP", 36.2, 138.3},   {"KE", 0.0, 37.9},     {"KG", 41.2, 74.8},
    {"KH", 12.6, 105.0},   {"KI", 1.9, -157.4},   {"KM", -11.9, 43.9},   {"KN", 17.4, -62.8},
    {"KP", 40.3, 127.5},   {"KR", 35.9, 127.8},   {"KW", 29.3, 47.5},    {"KY", 19.5, -80.6},
    {"KZ", 48.0, 66.9},    {"LA", 19.9, 102.5},   {"LB", 33.9, 35.9},    {"LC", 13.9, -61.0},
    {"LI", 47.2, 9.6},     {"LK", 7.9, 80.8},     {"LR", 6.4, -9.4},     {"LS", -29.6, 28.2},
    {"LT", 55.2, 23.9},    {"LU", 49.8, 6.1},     {"LV", 56.9, 24.6},    {"LY", 26.3, 17.2},
    {"MA", 31.8, -7.1},    {"MC", 43.7, 7.4},     {"MD", 47.4, 28.4},    {"ME", 42.7, 19.4},
    {"MF", 18.1, -63.1},   {"MG", -18.8, 46.9},   {"MH", 7.1, 171.2},    {"MK", 41.6, 21.7},
    {"ML", 17.6, -4.0},    {"MM", 21.9, 96.0},    {"MN", 46.9, 103.8},   {"MO", 22.2, 113.5},
    {"MP", 15.2, 145.7},   {"MQ", 14.6, -61.0},   {"MR", 21.0, -10.9},   {"MS", 16.7, -62.2},
    {"MT", 35.9, 14.4},    {"MU", -20.3, 57.6},   {"MV", 3.2, 73.2},     {"MW", -13.3, 34.3},
    {"MX", 23.6, -102.6},  {"MY", 4.2, 102.0},    {"MZ", -18.7, 35.5},   {"NA", -23.0, 18.5},
    {"NC", -20.9, 165.6},  {"NE", 17.6, 8.1},     {"NF", -29.0, 168.0},  {"NG", 9.1, 8.7},
    {"NI", 12.9, -85.2},   {"NL", 52.1, 5.3},     {"NO", 60.5, 8.5},     {"NP", 28.4, 84.1},
    {"NR", -0.5, 166.9},   {"NU", -19.1, -169.9}, {"NZ", -40.9, 174.9},  {"OM", 21.5, 55.9},
    {"PA", 8.5, -80.8},    {"PE", -9.2, -75.0},   {"PF", -17.7, -149.4}, {"PG", -6.3, 144.0},
    {"PH", 12.9, 121.8},   {"PK", 30.4, 69.3},    {"PL", 51.9, 19.1},    {"PM", 46.9, -56.3},
    {"PN", -24.7, -127.4}, {"PR", 18.2, -66.6},   {"PS", 31.9, 35.2},    {"PT", 39.4, -8.2},
    {"PW", 7.5, 134.6},    {"PY", -23.4, -58.4},  {"QA", 25.4, 51.2},    {"RE", -21.1, 55.5},
    {"RO", 45.9, 25.0},    {"RS", 44.0, 21.0},    {"RU", 61.5, 105.3},   {"RW", -1.9, 29.9},
    {"SA", 23.9, 45.1},    {"SB", -9.6, 160.2},   {"SC", -4.7, 55.5},    {"SD", 15.5, 30.2},
    {"SE", 60.1, 18.6},    {"SG", 1.35, 103.8},   {"SH", -15.9, -5.7},   {"SI", 46.2, 15.0},
    {"SJ", 77.6, 23.7},    {"SK", 48.7, 19.7},    {"SL", 8.5, -11.8},    {"SM", 43.9, 12.5},
    {"SN", 14.5, -14.5},   {"SO", 5.2, 46.2},     {"SR", 3.9, -56.0},    {"SS", 7.3, 30.4},
    {"ST", 0.2, 6.6},      {"SV", 13.8, -88.9},   {"SX", 18.0, -63.1},   {"SY", 34.8, 39.0},
    {"SZ", -26.5, 31.5},   {"TC", 21.7, -71.8},   {"TD", 15.5, 18.7},    {"TF", -49.3, 69.3},
    {"TG", 8.6, 0.8},      {"TH", 15.9, 101.0},   {"TJ", 38.9, 71.3},    {"TK", -9.0, -171.9},
    {"TL", -8.9, 125.7},   {"TM", 39.0, 59.6},    {"TN", 33.9, 9.5},     {"TO", -21.2, -175.2},
    {"TR", 39.0, 35.2},    {"TT", 10.7, -61.2},   {"TV", -7.1, 177.6},   {"TW", 23.7, 121.0},
    {"TZ", -6.4, 34.9},    {"UA", 48.4, 31.2},    {"UG", 1.4, 32.3},     {"UM", 19.3, 166.6},
    {"US", 37.1, -95.7},   {"UY", -32.5, -55.8},  {"UZ", 41.4, 64.6},    {"VA", 41.9, 12.45},
    {"VC", 13.0, -61.3},   {"VE", 6.4, -66.6},    {"VG", 18.4, -64.6},   {"VI", 18.3, -64.9},
    {"VN", 14.1, 108.3},   {"VU", -15.4, 167.0},  {"WF", -13.8, -177.2}, {"WS", -13.8, -172.1},
    {"XK", 42.6, 20.9},    {"YE", 15.6, 48.5},    {"YT", -12.8, 45.2},   {"ZA", -30.6, 22.9},
    {"ZM", -13.1, 27.8},   {"ZW", -19.0, 29.2},
};

constexpr bool CentroidsSorted() {
  for (size_t i = 1; i < std::size(kCentroids); ++i) {
    if (!(kCentroids[i - 1].code < kCentroids[i].code)) return false;
  }
  return true;
}
static_assert(CentroidsSorted(), "kCentroids must be sorted by code for binary search");

// A country's postcode formats. In a format '9' is a digit, 'A' a letter, 'X' a letter or
// digit, ' ' and '-' an optional separator (space, hyphen or nothing); anything else is literal.
struct PostcodeRule {
  std::string_view country;
  std::array<std::string_view, 6> formats;  // unused slots are empty
};

constexpr PostcodeRule kPostcodeRules[] = {
    {"AR", {"9999", "A9999AAA"}},
    {"AT", {"9999"}},
    {"AU", {"9999"}},
    {"BE", {"9999"}},
    {"BG", {"9999"}},
    {"BR", {"99999-999"}},
    {"CA", {"A9A 9A9"}},
    {"CH", {"9999"}},
    {"CL", {"999-9999"}},
    {"CN", {"999999"}},
    {"CO", {"999999"}},
    {"CZ", {"999 99"}},
    {"DE", {"99999"}},
    {"DK", {"9999"}},
    {"EE", {"99999"}},
    {"ES", {"99999"}},
    {"FI", {"99999"}},
    {"FR", {"99999"}},
    {"GB", {"A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA"}},
    {"GR", {"999 99"}},
    {"HR", {"99999"}},
    {"HU", {"9999"}},
    {"ID", {"99999"}},
    {"IE", {"A99 XXXX", "A9W XXXX"}},
    {"IL", {"9999999"}},
    {"IN", {"999 999"}},
    {"IS", {"999"}},
    {"IT", {"99999"}},
    {"JP", {"999-9999"}},
    {"KR", {"99999"}},
    {"LT", {"LT-99999", "99999"}},
    {"LU", {"L-9999", "9999"}},
    {"LV", {"LV-9999", "9999"}},
    {"MX", {"99999"}},
    {"MY", {"99999"}},
    {"NL", {"9999 AA"}},
    {"NO", {"9999"}},
    {"NZ", {"9999"}},
    {"PE", {"99999"}},
    {"PH", {"9999"}},
    {"PL", {"99-999"}},
    {"PT", {"9999-999"}},
    {"RO", {"999999"}},
    {"RU", {"999999"}},
    {"SA", {"99999", "99999-9999"}},
    {"SE", {"999 99"}},
    {"SG", {"999999"}},
    {"SI", {"9999"}},
    {"SK", {"999 99"}},
    {"TH", {"99999"}},
    {"TR", {"99999"}},
    {"TW", {"999", "999-99", "999-999"}},
    {"UA", {"99999"}},
    {"US", {"99999", "99999-9999"}},
    {"VN", {"999999"}},
    {"ZA", {"9999"}},
};

// Phone numbers: calling code, the length range of national significant numbers (digits after
// the calling code, without the trunk prefix) and the trunk prefix dialled before them at home.
struct PhoneRule {
  std::string_view country;
  std::string_view calling_code;
  int min_digits;
  int max_digits;
  std::string_view trunk;
};

constexpr PhoneRule kPhoneRules[] = {
    {"AE", "971", 8, 9, "0"},  {"AR", "54", 10, 11, "0"}, {"AT", "43", 4, 13, "0"},
    {"AU", "61", 9, 9, "0"},   {"BE", "32", 8, 9, "0"},   {"BG", "359", 7, 9, "0"},
    {"BR", "55", 10, 11, "0"}, {"CA", "1", 10, 10, "1"},  {"CH", "41", 9, 9, "0"},
    {"CL", "56", 9, 9, ""},    {"CN", "86", 10, 11, "0"}, {"CO", "57", 10, 10, ""},
    {"CZ", "420", 9, 9, ""},   {"DE", "49", 6, 13, "0"},  {"DK", "45", 8, 8, ""},
    {"EE", "372", 7, 8, ""},   {"EG", "20", 9, 10, "0"},  {"ES", "34", 9, 9, ""},
    {"FI", "358", 5, 12, "0"}, {"FR", "33", 9, 9, "0"},   {"GB", "44", 9, 10, "0"},
    {"GR", "30", 10, 10, ""},  {"HK", "852", 8, 8, ""},   {"HR", "385", 8, 9, "0"},
    {"HU", "36", 8, 9, "06"},  {"ID", "62", 8, 12, "0"},  {"IE", "353", 7, 9, "0"},
    {"IL", "972", 8, 9, "0"},  {"IN", "91", 10, 10, "0"}, {"IS", "354", 7, 9, ""},
    {"IT", "39", 6, 11, ""},   {"JP", "81", 9, 10, "0"},  {"KR", "82", 8, 10, "0"},
    {"KZ", "7", 10, 10, "8"},  {"LT", "370", 8, 8, "8"},  {"LU", "352", 4, 11, ""},
    {"LV", "371", 8, 8, ""},   {"MA", "212", 9, 9, "0"},  {"MX", "52", 10, 11, ""},
    {"MY", "60", 8, 10, "0"},  {"NG", "234", 8, 10, "0"}, {"NL", "31", 9, 9, "0"},
    {"NO", "47", 8, 8, ""},    {"NZ", "64", 8, 10, "0"},  {"PE", "51", 8, 9, "0"},
    {"PH", "63", 8, 10, "0"},  {"PK", "92", 9, 10, "0"},  {"PL", "48", 9, 9, ""},
    {"PT", "351", 9, 9, ""},   {"RO", "40", 9, 9, "0"},   {"RS", "381", 8, 9, "0"},
    {"RU", "7", 10, 10, "8"},  {"SA", "966", 9, 9, "0"},  {"SE", "46", 7, 10, "0"},
    {"SG", "65", 8, 8, ""},    {"SI", "386", 8, 8, "0"},  {"SK", "421", 9, 9, "0"},
    {"TH", "66", 8, 9, "0"},   {"TR", "90", 10, 10, "0"}, {"TW", "886", 8, 9, "0"},
    {"UA", "380", 9, 9, "0"},  {"US", "1", 10, 10, "1"},  {"VN", "84", 9, 10, "0"},
    {"ZA", "27", 9, 9, "0"},
};

char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Upper-cased two-letter code, or "" when `code` is not two letters.
std::string NormalCode(std::string_view code) {
  while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
  while (!code.empty() && code.back() == ' ') code.remove_suffix(1);
  if (code.size() != 2 || !IsAlpha(code[0]) || !IsAlpha(code[1])) return {};
  return {Upper(code[0]), Upper(code[1])};
}

const PostcodeRule* FindPostcodeRule(std::string_view code) {
  for (const PostcodeRule& r : kPostcodeRules) {
    if (r.country == code) return &r;
  }
  return nullptr;
}

const PhoneRule* FindPhoneRule(std::string_view code) {
  for (const PhoneRule& r : kPhoneRules) {
    if (r.country == code) return &r;
  }
  return nullptr;
}

bool IsSeparator(char c) { return c == ' ' || c == '-'; }

// Matches upper-cased `s` against `format` (see PostcodeRule), backtracking over optional
// separators.
bool MatchFormat(std::string_view format, std::string_view s) {
  if (format.empty()) return s.empty();
  const char f = format.front();
  if (IsSeparator(f)) {
    if (!s.empty() && IsSeparator(s.front()) && MatchFormat(format.substr(1), s.substr(1))) {
      return true;
    }
    return MatchFormat(format.substr(1), s);
  }
  if (s.empty()) return false;
  const char c = s.front();
  bool ok = false;
  switch (f) {
    case '9':
      ok = IsDigit(c);
      break;
    case 'A':
      ok = IsAlpha(c);
      break;
    case 'X':
      ok = IsDigit(c) || IsAlpha(c);
      break;
    default:
      ok = c == f;
  }
  return ok && MatchFormat(format.substr(1), s.substr(1));
}

bool NsnFits(const PhoneRule& rule, std::string_view nsn) {
  const int n = static_cast<int>(nsn.size());
  return n >= rule.min_digits && n <= rule.max_digits;
}

// Strips a trailing extension ("x12", "ext 12", "ext. 12", "extension 12").
std::string_view StripExtension(std::string_view phone) {
  std::string lower(phone);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view marker : {"extension", "ext.", "ext", "x", "#"}) {
    const size_t at = lower.rfind(marker);
    if (at == std::string::npos || at == 0) continue;
    std::string_view rest = std::string_view(lower).substr(at + marker.size());
    bool digits_only = !rest.empty();
    bool any_digit = false;
    for (char c : rest) {
      if (IsDigit(c)) {
        any_digit = true;
      } else if (c != ' ' && c != '.' && c != ':') {
        digits_only = false;
      }
    }
    if (digits_only && any_digit) return phone.substr(0, at);
  }
  return phone;
}

}  // namespace

std::optional<LatLon> CountryCentroid(std::string_view iso2) {
  const std::string code = NormalCode(iso2);
  if (code.empty()) return std::nullopt;
  const auto* end = std::end(kCentroids);
  const auto* it =
      std::lower_bound(std::begin(kCentroids), end, std::string_view(code),
                       [](const Centroid& c, std::string_view k) { return c.code < k; });
  if (it == end || it->code != code) return std::nullopt;
  return LatLon{it->lat, it->lon};
}

double GreatCircleKm(LatLon a, LatLon b) {
  constexpr double kEarthRadiusKm = 6371.0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlon = (b.lon - a.lon) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

std::optional<double> CountryDistanceKm(std::string_view a, std::string_view b) {
  const std::string ca = NormalCode(a);
  const std::string cb = NormalCode(b);
  if (ca.empty() || cb.empty()) return std::nullopt;
  if (ca == cb) return 0.0;
  const std::optional<LatLon> pa = CountryCentroid(ca);
  const std::optional<LatLon> pb = CountryCentroid(cb);
  if (!pa || !pb) return std::nullopt;
  return GreatCircleKm(*pa, *pb);
}

FormatCheck CheckPostcode(std::string_view country, std::string_view postcode) {
  const PostcodeRule* rule = FindPostcodeRule(NormalCode(country));
  if (rule == nullptr) return FormatCheck::kNoRule;
  std::string s;
  for (char c : postcode) {
    if (c == '\t') c = ' ';
    if (c == ' ' && (s.empty() || s.back() == ' ')) continue;  // trim and collapse
    s.push_back(Upper(c));
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.empty()) return FormatCheck::kBad;
  for (std::string_view format : rule->formats) {
    if (!format.empty() && MatchFormat(format, s)) return FormatCheck::kOk;
  }
  return FormatCheck::kBad;
}

FormatCheck CheckPhone(std::string_view phone, std::string_view country) {
  phone = StripExtension(phone);
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (IsDigit(c)) {
      digits.push_back(c);
    } else if (c == '+') {
      if (plus || !digits.empty()) return FormatCheck::kBad;
      plus = true;
    } else if (plus && c == '(' && i + 2 < phone.size() && phone[i + 1] == '0' &&
               phone[i + 2] == ')') {
      i += 2;  // "+44 (0)20 …": the trunk digit some write after the calling code
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t') {
      continue;
    } else {
      return FormatCheck::kBad;
    }
  }
  if (digits.empty()) return FormatCheck::kBad;

  std::string_view d = digits;
  bool international = plus;
  if (!international && d.substr(0, 2) == "00") {
    international = true;
    d.remove_prefix(2);
  }
  if (international) {
    if (d.size() < 8 || d.size() > 15) return FormatCheck::kBad;
    // Longest calling code first (codes are 1–3 digits).
    for (size_t len = 3; len >= 1; --len) {
      if (d.size() <= len) continue;
      const std::string_view cc = d.substr(0, len);
      bool known = false;
      for (const PhoneRule& r : kPhoneRules) {
        if (r.calling_code != cc) continue;
        known = true;
        if (NsnFits(r, d.substr(len))) return FormatCheck::kOk;
      }
      if (known) return FormatCheck::kBad;
    }
    return FormatCheck::kOk;  // unknown calling code: E.164 length only
  }

  const PhoneRule* rule = FindPhoneRule(NormalCode(country));
  if (rule == nullptr) return FormatCheck::kNoRule;
  if (NsnFits(*rule, d)) return FormatCheck::kOk;
  if (!rule->trunk.empty() && d.substr(0, rule->trunk.size()) == rule->trunk &&
      NsnFits(*rule, d.substr(rule->trunk.size()))) {
    return FormatCheck::kOk;
  }
  if (d.substr(0, rule->calling_code.size()) == rule->calling_code &&
      NsnFits(*rule, d.substr(rule->calling_code.size()))) {
    return FormatCheck::kOk;
  }
  return FormatCheck::kBad;
}

}  // namespace orderpilot::risk
