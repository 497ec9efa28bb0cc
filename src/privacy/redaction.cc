#include "privacy/redaction.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "privacy/card_scan.h"

namespace orderpilot::privacy {
namespace {

// --- bytes and words --------------------------------------------------------------------------

bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
// Letters, digits, '_' and every non-ASCII byte (UTF-8 letters of any script) make words.
bool IsWordByte(unsigned char c) { return IsDigit(c) || IsAsciiAlpha(c) || c == '_' || c >= 0x80; }

bool WordByteAt(std::string_view s, size_t i) {
  return i < s.size() && IsWordByte(static_cast<unsigned char>(s[i]));
}
bool WordByteBefore(std::string_view s, size_t i) {
  return i > 0 && IsWordByte(static_cast<unsigned char>(s[i - 1]));
}

// Lower-cases ASCII letters and the Latin-1 capitals of UTF-8 (U+00C0–U+00DE but ×), keeping
// every byte offset: "MÜLLER" and "müller" fold alike.
std::string Fold(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    if (IsUpper(c)) {
      out[i] = static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < out.size()) {
      auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}

// Trimmed, with every run of white space as one ' '.
std::string CollapseSpace(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (char ch : s) {
    if (IsSpace(static_cast<unsigned char>(ch))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(ch);
  }
  return out;
}

std::string DigitsOf(std::string_view s) {
  std::string out;
  for (char ch : s)
    if (IsDigit(static_cast<unsigned char>(ch))) out.push_back(ch);
  return out;
}

// The stable key of a phone: its last 9 digits, which survive "+33 6…" vs "06…" and "+1 415…"
// vs "(415)…".
std::string PhoneKey(std::string_view digits) {
  return std::string(digits.size() > 9 ? digits.substr(digits.size() - 9) : digits);
}

// Whether two digit strings are the same phone: equal, or equal over their last min(9, shorter)
// digits when that is at least 7.
bool SamePhone(std::string_view a, std::string_view b) {
  if (a == b) return true;
  size_t k = std::min<size_t>({9, a.size(), b.size()});
  if (k < 7) return false;
  return a.substr(a.size() - k) == b.substr(b.size() - k);
}

// SamePhone, where what `candidate` has before the shared digits is nothing, a trunk '0', or the
// known number's own prefix (its country code) with "00" or a trunk '0' around it: "qty 3
// 0612345678" is the phone 0612345678 after a quantity, not the phone "30612345678".
bool SamePhoneStrict(std::string_view known, std::string_view candidate) {
  if (!SamePhone(known, candidate)) return false;
  size_t k = std::min<size_t>({9, known.size(), candidate.size()});
  std::string_view p = candidate.substr(0, candidate.size() - k);
  std::string kp(known.substr(0, known.size() - k));
  if (!kp.empty() && kp[0] == '0') kp.erase(0, kp.find_first_not_of('0'));
  return p.empty() || p == "0" || p == kp || p == "00" + kp || p == kp + "0" ||
         p == "00" + kp + "0";
}

std::string_view PrefixOf(ValueKind kind) {
  switch (kind) {
    case ValueKind::kName:
      return "NAME";
    case ValueKind::kEmail:
      return "EMAIL";
    case ValueKind::kPhone:
      return "PHONE";
    case ValueKind::kAddress:
      return "ADDRESS";
    case ValueKind::kPostcode:
      return "POSTCODE";
    case ValueKind::kCity:
      return "CITY";
    case ValueKind::kCompany:
      return "COMPANY";
    case ValueKind::kIp:
      return "IP";
    case ValueKind::kOther:
      return "VALUE";
  }
  return "VALUE";
}

bool ValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 48) return false;
  for (char ch : label) {
    auto c = static_cast<unsigned char>(ch);
    if (!IsUpper(c) && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

// --- placeholders already in a text -------------------------------------------------------------

struct Region {
  size_t begin;
  size_t end;
};

// The placeholders of `issued` found in `text`: later passes leave them alone.
std::vector<Region> PlaceholderRegions(std::string_view text,
                                       const std::map<std::string, std::string>& issued) {
  std::vector<Region> out;
  for (size_t i = text.find('['); i != std::string_view::npos; i = text.find('[', i + 1)) {
    size_t close = text.find(']', i + 1);
    if (close == std::string_view::npos || close - i > 64) continue;
    if (issued.count(std::string(text.substr(i, close + 1 - i))) == 0) continue;
    out.push_back({i, close + 1});
    i = close;
  }
  return out;
}

bool Overlaps(const std::vector<Region>& regions, size_t begin, size_t end) {
  for (const Region& r : regions)
    if (begin < r.end && r.begin < end) return true;
  return false;
}

struct Replacement {
  size_t begin;
  size_t end;
  std::string placeholder;
};

// `text` with each (sorted, non-overlapping) replacement applied.
std::string Apply(std::string_view text, const std::vector<Replacement>& reps) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (const Replacement& r : reps) {
    out.append(text.substr(at, r.begin - at)).append(r.placeholder);
    at = r.end;
  }
  out.append(text.substr(at));
  return out;
}

// --- e-mail addresses ------------------------------------------------------------------------

bool IsLocalByte(unsigned char c) {
  return IsDigit(c) || IsAsciiAlpha(c) || c >= 0x80 ||
         std::string_view("._%+-'").find(static_cast<char>(c)) != std::string_view::npos;
}
bool IsDomainByte(unsigned char c) {
  return IsDigit(c) || IsAsciiAlpha(c) || c >= 0x80 || c == '-' || c == '.';
}

std::vector<Region> FindEmails(std::string_view t) {
  std::vector<Region> out;
  size_t from = 0;
  for (size_t at = t.find('@'); at != std::string_view::npos;
       at = t.find('@', std::max(at + 1, from))) {
    if (at < from) continue;
    size_t l = at;
    while (l > from && IsLocalByte(static_cast<unsigned char>(t[l - 1]))) --l;
    while (l < at && (t[l] == '.' || t[l] == '\'')) ++l;
    size_t r = at + 1;
    while (r < t.size() && IsDomainByte(static_cast<unsigned char>(t[r]))) ++r;
    while (r > at + 1 && (t[r - 1] == '.' || t[r - 1] == '-')) --r;
    std::string_view domain = t.substr(at + 1, r - at - 1);
    size_t dot = domain.rfind('.');
    if (l == at || dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2)
      continue;
    out.push_back({l, r});
    from = r;
  }
  return out;
}

// --- IP addresses -----------------------------------------------------------------------------

bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// An IPv4 dotted quad starting at `i`; its end, or npos.
size_t MatchIpv4(std::string_view t, size_t i) {
  size_t p = i;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p >= t.size() || t[p] != '.') return std::string_view::npos;
      ++p;
    }
    size_t start = p;
    int value = 0;
    while (p < t.size() && IsDigit(static_cast<unsigned char>(t[p])) && p - start < 3) {
      value = value * 10 + (t[p] - '0');
      ++p;
    }
    if (p == start || value > 255) return std::string_view::npos;
  }
  if (WordByteAt(t, p)) return std::string_view::npos;
  if (p + 1 < t.size() && t[p] == '.' && IsDigit(static_cast<unsigned char>(t[p + 1])))
    return std::string_view::npos;  // "1.2.3.4.5" is a version, not an address
  return p;
}

// An IPv6 address starting at `i` ("2001:db8::1", "fe80::1"); its end, or npos.
size_t MatchIpv6(std::string_view t, size_t i) {
  size_t p = i;
  int colons = 0;
  while (p < t.size() && (IsHex(static_cast<unsigned char>(t[p])) || t[p] == ':' || t[p] == '.')) {
    colons += t[p] == ':';
    ++p;
  }
  while (p > i && t[p - 1] == '.') --p;
  std::string_view run = t.substr(i, p - i);
  if (colons < 2 || (run.find("::") == std::string_view::npos && colons != 7)) {
    return std::string_view::npos;  // "12:30:45" is a time
  }
  if (run.size() > 45 || WordByteAt(t, p)) return std::string_view::npos;
  std::string text(run);
  std::array<unsigned char, 16> buf{};
  if (inet_pton(AF_INET6, text.c_str(), buf.data()) != 1) return std::string_view::npos;
  return p;
}

std::vector<Region> FindIps(std::string_view t) {
  std::vector<Region> out;
  for (size_t i = 0; i < t.size(); ++i) {
    auto c = static_cast<unsigned char>(t[i]);
    if (!(IsHex(c) || c == ':') || WordByteBefore(t, i)) continue;
    if (i > 0 && (t[i - 1] == '.' || t[i - 1] == ':')) continue;
    size_t end = IsDigit(c) ? MatchIpv4(t, i) : std::string_view::npos;
    if (end == std::string_view::npos) end = MatchIpv6(t, i);
    if (end == std::string_view::npos) continue;
    out.push_back({i, end});
    i = end - 1;
  }
  return out;
}

// --- phone numbers ----------------------------------------------------------------------------

struct DigitGroup {
  size_t begin;
  size_t end;
};

struct PhoneRun {
  size_t begin;  // the '+', '(' or first digit
  size_t end;    // after the last digit or ')'
  std::vector<DigitGroup> groups;
};

bool IsPhoneSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}

// Runs of digit groups joined by single separators (or ") " / " ("), starting with '+', '(' or a
// digit that does not continue a word or a number.
std::vector<PhoneRun> FindPhoneRuns(std::string_view t) {
  std::vector<PhoneRun> out;
  size_t i = 0;
  while (i < t.size()) {
    auto c = static_cast<unsigned char>(t[i]);
    bool starts =
        IsDigit(c) || ((c == '+' || c == '(') && i + 1 < t.size() &&
                       (IsDigit(static_cast<unsigned char>(t[i + 1])) || t[i + 1] == '+'));
    if (!starts || WordByteBefore(t, i) ||
        (i >= 2 && std::string_view(".,:/-").find(t[i - 1]) != std::string_view::npos &&
         IsDigit(static_cast<unsigned char>(t[i - 2])))) {
      ++i;
      continue;
    }
    PhoneRun run{i, i, {}};
    size_t p = i;
    bool open_paren = t[p] == '(';
    if (t[p] == '+' || t[p] == '(') ++p;
    if (p < t.size() && t[p] == '+') ++p;
    for (;;) {
      size_t g = p;
      while (p < t.size() && IsDigit(static_cast<unsigned char>(t[p]))) ++p;
      if (p == g) break;
      run.groups.push_back({g, p});
      run.end = p;
      if (p < t.size() && t[p] == ')' && open_paren) {
        run.end = ++p;
        open_paren = false;
      }
      // Up to two separators ("-", ") ", " (") then a digit continue the run.
      size_t q = p;
      if (q < t.size() && t[q] == ')' && !open_paren) break;  // "(… 06 12 34 56 78)"
      if (q < t.size() && t[q] == '(') open_paren = true;
      if (q + 1 < t.size() && t[q] == ' ' && t[q + 1] == '(') open_paren = true;
      while (q < t.size() && q - p < 2 && IsPhoneSeparator(t[q])) ++q;
      if (q == p || q >= t.size() || !IsDigit(static_cast<unsigned char>(t[q]))) break;
      std::string_view sep = t.substr(p, q - p);
      if (sep.size() == 2 && sep != " (" && sep != ") " && sep != " -" && sep != "- ") break;
      p = q;
    }
    if (run.groups.empty()) {
      ++i;
      continue;
    }
    if (WordByteAt(t, run.end)) {  // "0612345678abc" is an identifier
      i = run.end + 1;
      continue;
    }
    out.push_back(std::move(run));
    i = out.back().end;
  }
  return out;
}

std::string GroupDigits(std::string_view t, const std::vector<DigitGroup>& groups, size_t a,
                        size_t b) {
  std::string out;
  for (size_t g = a; g <= b; ++g)
    out.append(t.substr(groups[g].begin, groups[g].end - groups[g].begin));
  return out;
}

// "2024-05-01", "01/05/2024", "1.5.2024": dates, not phones.
bool StartsLikeDate(std::string_view t, const PhoneRun& run) {
  if (run.groups.size() < 3) return false;
  auto len = [&](size_t g) { return run.groups[g].end - run.groups[g].begin; };
  auto sep = [&](size_t g) { return t[run.groups[g].end]; };
  if (sep(0) != sep(1) || (sep(0) != '-' && sep(0) != '/' && sep(0) != '.')) return false;
  bool ymd = len(0) == 4 && len(1) <= 2 && len(2) <= 2;
  bool dmy = len(0) <= 2 && len(1) <= 2 && (len(2) == 4 || len(2) == 2);
  return ymd || dmy;
}

// --- street addresses --------------------------------------------------------------------------

struct StreetWord {
  std::string_view word;  // folded
  bool ambiguous;         // an everyday word too: needs capitals around it
};

// Street-type words written apart ("Rue", "Street", "Via"), folded.
constexpr StreetWord kStreetWords[] = {
    // English
    {"street", false},
    {"st", false},
    {"avenue", false},
    {"ave", false},
    {"av", false},
    {"road", false},
    {"rd", false},
    {"boulevard", false},
    {"blvd", false},
    {"lane", true},
    {"ln", false},
    {"drive", true},
    {"dr", true},
    {"way", true},
    {"court", true},
    {"ct", false},
    {"place", true},
    {"pl", false},
    {"parkway", false},
    {"pkwy", false},
    {"highway", false},
    {"hwy", false},
    {"terrace", false},
    {"square", true},
    {"sq", false},
    {"crescent", false},
    {"cres", false},
    {"close", true},
    {"circle", true},
    {"cir", false},
    {"trail", true},
    {"row", true},
    {"alley", false},
    {"broadway", false},
    {"plaza", false},
    {"walk", true},
    {"gardens", true},
    {"grove", true},
    {"mews", false},
    // French
    {"rue", false},
    {"bd", false},
    {"chemin", false},
    {"allée", false},
    {"allee", false},
    {"impasse", false},
    {"quai", false},
    {"route", true},
    {"cours", true},
    {"passage", true},
    {"rte", false},
    {"faubourg", false},
    // Spanish, Portuguese, Catalan
    {"calle", false},
    {"avenida", false},
    {"avda", false},
    {"paseo", false},
    {"carrer", false},
    {"rua", false},
    {"travessa", false},
    {"praça", false},
    {"camino", false},
    {"carretera", false},
    // Italian
    {"via", true},
    {"viale", false},
    {"corso", false},
    {"piazza", false},
    {"largo", true},
    {"vicolo", false},
    // German, Dutch, Scandinavian (written apart: "Berliner Straße 12")
    {"straße", false},
    {"strasse", false},
    {"str", false},
    {"weg", false},
    {"gasse", false},
    {"platz", false},
    {"allee", false},
    {"ring", true},
    {"damm", false},
    {"ufer", false},
    {"chaussee", false},
    {"straat", false},
    {"laan", false},
    {"plein", false},
    {"gracht", false},
    {"kade", false},
    {"singel", false},
    {"vej", false},
    {"gatan", false},
    {"gata", false},
};

// Endings of compound street names ("Hauptstraße", "Karl-Marx-Allee", "Kalverstraat").
constexpr std::string_view kStreetSuffixes[] = {
    "straße",   "strasse", "str",  "weg",   "gasse",  "platz", "allee",  "damm",  "ufer",
    "chaussee", "steig",   "pfad", "ring",  "straat", "laan",  "gracht", "plein", "kade",
    "singel",   "vej",     "gade", "gatan", "vägen",  "veien", "gata",
};

// Words that may sit inside a street name in lower case ("Rue de la Paix", "Via dei Mille").
constexpr std::string_view kParticles[] = {
    "de",    "du", "des", "la", "le",  "les", "l'",  "d'",  "del", "della", "delle", "dei",
    "degli", "di", "da",  "do", "dos", "das", "van", "von", "der", "den",   "het",   "of",
    "the",   "y",  "e",   "et", "am",  "an",  "auf", "im",  "zum", "zur",
};

// Words that start a unit or box number ("Apt 4B", "Suite 200", "PO Box 12").
constexpr std::string_view kUnitWords[] = {
    "apt",      "apartment", "suite",       "ste",     "flat", "unit", "bldg",
    "building", "appt",      "appartement", "wohnung", "piso", "box",
};

enum class TokenKind { kWord, kNumber, kPlaceholder };

struct Token {
  size_t begin;
  size_t end;
  TokenKind kind;
  std::string folded;
  bool capitalized = false;  // upper-case first letter, non-Latin script, or a placeholder
  bool dotted = false;       // followed directly by '.' ("St.")
  bool house_number = false;
};

// "12", "221B", "12a", "12-14", "7bis", "5/1"
bool IsHouseNumber(std::string_view w) {
  size_t i = 0;
  while (i < w.size() && IsDigit(static_cast<unsigned char>(w[i]))) ++i;
  if (i == 0 || i > 5) return false;
  std::string_view rest = w.substr(i);
  if (rest.empty()) return true;
  if (rest.size() == 1 && IsAsciiAlpha(static_cast<unsigned char>(rest[0]))) return true;
  if (rest == "bis" || rest == "ter" || rest == "th" || rest == "st" || rest == "nd" ||
      rest == "rd")
    return rest.size() == 3;  // an ordinal ("5th") is part of a street name, not a number
  if ((rest[0] == '-' || rest[0] == '/') && rest.size() >= 2 && rest.size() <= 6) {
    for (char ch : rest.substr(1))
      if (!IsDigit(static_cast<unsigned char>(ch)) && !IsAsciiAlpha(static_cast<unsigned char>(ch)))
        return false;
    return true;
  }
  return false;
}

std::vector<Token> Tokenize(std::string_view t, const std::vector<Region>& placeholders) {
  std::vector<Token> out;
  size_t i = 0;
  size_t next_region = 0;
  while (i < t.size()) {
    while (next_region < placeholders.size() && placeholders[next_region].end <= i) ++next_region;
    if (next_region < placeholders.size() && placeholders[next_region].begin == i) {
      const Region& r = placeholders[next_region];
      Token tok{r.begin, r.end, TokenKind::kPlaceholder, "", true, false, false};
      out.push_back(std::move(tok));
      i = r.end;
      continue;
    }
    if (!IsWordByte(static_cast<unsigned char>(t[i]))) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < t.size()) {
      if (IsWordByte(static_cast<unsigned char>(t[i]))) {
        ++i;
      } else if ((t[i] == '-' || t[i] == '\'' || t[i] == '/') && WordByteAt(t, i + 1)) {
        i += 2;
      } else {
        break;
      }
    }
    Token tok{b, i, TokenKind::kWord, Fold(t.substr(b, i - b)), false, false, false};
    auto first = static_cast<unsigned char>(t[b]);
    tok.capitalized =
        IsUpper(first) || (first >= 0x80 && first != 0xC3) ||
        (first == 0xC3 && b + 1 < t.size() && static_cast<unsigned char>(t[b + 1]) <= 0x9E);
    tok.dotted = i < t.size() && t[i] == '.';
    if (IsDigit(first)) {
      tok.kind = TokenKind::kNumber;
      tok.house_number = IsHouseNumber(tok.folded);
      tok.capitalized = true;  // "5th Avenue", "Straße des 17. Juni"
    }
    out.push_back(std::move(tok));
  }
  return out;
}

// Whether only spaces (and at most one comma) separate tokens a and b: same line, same phrase.
bool Adjacent(std::string_view t, const Token& a, const Token& b, bool allow_comma) {
  size_t from = a.end + (a.dotted ? 1 : 0);
  if (from > b.begin) return false;
  int commas = 0;
  for (size_t i = from; i < b.begin; ++i) {
    char c = t[i];
    if (c == ',') {
      ++commas;
    } else if (c != ' ' && c != '\t' && c != '#') {
      return false;
    }
  }
  return commas == 0 || (allow_comma && commas == 1);
}

const StreetWord* StreetWordOf(const Token& tok) {
  if (tok.kind != TokenKind::kWord) return nullptr;
  for (const StreetWord& w : kStreetWords)
    if (tok.folded == w.word) return &w;
  return nullptr;
}

bool IsCompoundStreet(const Token& tok) {
  if (tok.kind != TokenKind::kWord || !tok.capitalized) return false;
  std::string_view w = tok.folded;
  for (std::string_view s : kStreetSuffixes)
    if (w.size() > s.size() + 2 && w.substr(w.size() - s.size()) == s) return true;
  return false;
}

bool IsParticle(const Token& tok) {
  if (tok.kind != TokenKind::kWord) return false;
  for (std::string_view p : kParticles)
    if (tok.folded == p) return true;
  // "l'Église", "d'Orsay"
  return tok.folded.size() > 2 &&
         (tok.folded.compare(0, 2, "l'") == 0 || tok.folded.compare(0, 2, "d'") == 0);
}

bool IsDirection(const Token& tok) {
  static constexpr std::string_view kDirections[] = {"n", "s", "e", "w", "ne", "nw", "se", "sw"};
  if (tok.kind != TokenKind::kWord || !tok.capitalized) return false;
  for (std::string_view d : kDirections)
    if (tok.folded == d) return true;
  return false;
}

bool IsUnitWord(const Token& tok) {
  if (tok.kind != TokenKind::kWord) return false;
  for (std::string_view u : kUnitWords)
    if (tok.folded == u) return true;
  return false;
}

std::vector<Region> FindStreetAddresses(std::string_view t, const std::vector<Region>& held) {
  std::vector<Token> toks = Tokenize(t, held);
  std::vector<Region> out;
  auto add = [&](size_t first, size_t last) {
    size_t end = toks[last].end;
    Region r{toks[first].begin, end};
    if (!out.empty() && r.begin < out.back().end) {
      out.back().end = std::max(out.back().end, r.end);  // overlapping finds merge
    } else {
      out.push_back(r);
    }
  };
  const size_t n = toks.size();
  for (size_t i = 0; i < n; ++i) {
    const Token& tok = toks[i];
    // "Apt 4B", "Suite 200", "PO Box 12"
    if (IsUnitWord(tok) && i + 1 < n && toks[i + 1].kind == TokenKind::kNumber &&
        Adjacent(t, tok, toks[i + 1], false)) {
      if (tok.folded == "box") {
        if (i >= 1 && (toks[i - 1].folded == "po" || toks[i - 1].folded == "o")) {
          size_t first = i - 1;
          if (toks[first].folded == "o" && first >= 1 && toks[first - 1].folded == "p") --first;
          add(first, i + 1);
        }
      } else {
        add(i, i + 1);
      }
      continue;
    }
    const StreetWord* word = StreetWordOf(tok);
    bool compound = word == nullptr && IsCompoundStreet(tok);
    if (word == nullptr && !compound) continue;
    bool needs_capitals = word != nullptr && word->ambiguous;
    if (needs_capitals && !tok.capitalized) continue;

    // Words of the name before the street word ("Amphitheatre Pkwy", "Berliner Straße").
    // A street word in lower case ("12 main street") takes at most two plain words before it.
    const bool lower_street = !tok.capitalized;
    size_t left = i;
    // A compound ("Hauptstraße") is the whole name: the capitalised nouns of a German sentence
    // before it are not part of it.
    while (!compound && left > 0 && i - left < (lower_street ? 2u : 4u)) {
      const Token& prev = toks[left - 1];
      if (prev.kind == TokenKind::kNumber || !Adjacent(t, prev, toks[left], false)) break;
      if (lower_street ? IsParticle(prev) : (!prev.capitalized && !IsParticle(prev))) break;
      --left;
    }
    while (left < i && IsParticle(toks[left])) ++left;

    // A house number before the name: "1600 Amphitheatre Pkwy", "12, rue de Rivoli".
    if (left > 0 && toks[left - 1].house_number && Adjacent(t, toks[left - 1], toks[left], true)) {
      size_t last = i;
      if (left == i) {
        // The street word comes first ("12 Rue de Rivoli"): take the name after it.
        bool named = false;
        for (size_t j = i + 1; j < n && j - i <= 5; ++j) {
          const Token& next = toks[j];
          if (!Adjacent(t, toks[j - 1], next, false) || next.house_number) break;
          if (IsParticle(next)) continue;
          if (next.capitalized || (!named && !needs_capitals)) {
            last = j;
            bool stop = !next.capitalized;
            named = true;
            if (stop) break;
          } else {
            break;
          }
        }
        if (needs_capitals && !named) continue;  // "2 Place settings"
      } else if (i + 1 < n && IsDirection(toks[i + 1]) && Adjacent(t, tok, toks[i + 1], false)) {
        last = i + 1;  // "1600 Pennsylvania Avenue NW"
      }
      add(left - 1, last);
      continue;
    }

    // A house number after the name: "Hauptstraße 5", "Via Roma 10", "Calle Mayor, 5".
    if (!tok.capitalized && !(left < i && toks[left].capitalized)) continue;
    size_t j = i + 1;
    while (j < n && j - i <= 4 && !toks[j].house_number &&
           Adjacent(t, toks[j - 1], toks[j], false) &&
           (toks[j].capitalized || IsParticle(toks[j]))) {
      ++j;
    }
    if (j < n && toks[j].house_number && Adjacent(t, toks[j - 1], toks[j], true)) {
      if (j == i + 1 && word != nullptr && left == i && !compound) {
        // A lone street word then a number ("Ring 5") is too weak, unless nothing is ambiguous.
        if (word->ambiguous) continue;
      }
      add(left, j);
    }
  }
  return out;
}

}  // namespace

// --- the order's known values --------------------------------------------------------------------

std::vector<KnownValue> KnownValuesOf(const Order& order) {
  std::vector<KnownValue> out;
  auto full = [](const std::string& first, const std::string& last) {
    if (first.empty()) return last;
    if (last.empty()) return first;
    return first + " " + last;
  };
  std::string first = order.customer.first_name;
  std::string last = order.customer.last_name;
  for (const auto* a : {&order.billing_address, &order.shipping_address}) {
    if (first.empty() && last.empty() && a->has_value()) {
      first = (*a)->first_name;
      last = (*a)->last_name;
    }
  }
  const std::string customer = Fold(CollapseSpace(full(first, last)));
  if (!first.empty() && !last.empty())
    out.push_back({ValueKind::kName, full(first, last), "CUSTOMER_NAME"});
  if (!first.empty()) out.push_back({ValueKind::kName, first, "CUSTOMER_FIRST_NAME"});
  if (!last.empty()) out.push_back({ValueKind::kName, last, "CUSTOMER_LAST_NAME"});

  int person = 0;
  for (const auto* a : {&order.billing_address, &order.shipping_address}) {
    if (!a->has_value()) continue;
    const Address& addr = **a;
    std::string name = full(addr.first_name, addr.last_name);
    if (!name.empty() && Fold(CollapseSpace(name)) != customer) {
      std::string n = std::to_string(++person);
      if (!addr.first_name.empty() && !addr.last_name.empty())
        out.push_back({ValueKind::kName, name, "NAME_" + n});
      if (!addr.first_name.empty())
        out.push_back({ValueKind::kName, addr.first_name, "FIRST_NAME_" + n});
      if (!addr.last_name.empty())
        out.push_back({ValueKind::kName, addr.last_name, "LAST_NAME_" + n});
    }
  }
  for (const std::string* e : {&order.email, &order.customer.email})
    if (!e->empty()) out.push_back({ValueKind::kEmail, *e});
  for (const std::string* p : {&order.phone, &order.customer.phone})
    if (!p->empty()) out.push_back({ValueKind::kPhone, *p});
  for (const auto* a : {&order.billing_address, &order.shipping_address}) {
    if (!a->has_value()) continue;
    const Address& addr = **a;
    if (!addr.phone.empty()) out.push_back({ValueKind::kPhone, addr.phone});
    if (!addr.address1.empty()) out.push_back({ValueKind::kAddress, addr.address1});
    if (!addr.address2.empty()) out.push_back({ValueKind::kAddress, addr.address2});
    if (!addr.company.empty()) out.push_back({ValueKind::kCompany, addr.company});
    if (!addr.zip.empty()) out.push_back({ValueKind::kPostcode, addr.zip});
    if (!addr.city.empty()) out.push_back({ValueKind::kCity, addr.city});
  }
  if (!order.client.browser_ip.empty()) out.push_back({ValueKind::kIp, order.client.browser_ip});
  return out;
}

// --- Redactor ------------------------------------------------------------------------------------

Redactor::Redactor(const Order& order, const std::vector<KnownValue>& extra) {
  for (const KnownValue& v : KnownValuesOf(order)) AddKnown(v);
  for (const KnownValue& v : extra) AddKnown(v);
}

std::string Redactor::PlaceholderFor(std::string_view prefix, const std::string& key,
                                     std::string_view original, std::string_view label) {
  std::string map_key = std::string(prefix) + "\n" + key;
  if (auto it = by_key_.find(map_key); it != by_key_.end()) return it->second;
  std::string placeholder;
  if (ValidLabel(label) && refill_.count("[" + std::string(label) + "]") == 0) {
    placeholder = "[" + std::string(label) + "]";
  } else {
    std::string base = ValidLabel(label) ? std::string(label) : std::string(prefix);
    do {
      placeholder = "[" + base + "_" + std::to_string(++counters_[base]) + "]";
    } while (refill_.count(placeholder) != 0);
  }
  by_key_.emplace(std::move(map_key), placeholder);
  refill_.emplace(placeholder, std::string(original));
  return placeholder;
}

std::string Redactor::PhonePlaceholder(std::string_view digits, std::string_view original) {
  for (const Phone& p : phones_)
    if (SamePhone(p.key, digits)) return p.placeholder;
  return PlaceholderFor("PHONE", PhoneKey(digits), original);
}

void Redactor::AddKnown(const KnownValue& value) {
  std::string_view prefix = PrefixOf(value.kind);
  if (value.kind == ValueKind::kPhone) {
    std::string digits = DigitsOf(value.value);
    if (digits.size() < 5) return;
    for (const Phone& p : phones_)
      if (SamePhone(p.key, digits)) return;
    std::string placeholder = PlaceholderFor(prefix, PhoneKey(digits), value.value, value.label);
    phones_.push_back({digits, placeholder});
    return;
  }
  std::string folded = Fold(CollapseSpace(value.value));
  if (folded.size() < 2) return;
  std::string placeholder = PlaceholderFor(prefix, folded, CollapseSpace(value.value), value.label);
  for (const Entry& e : entries_)
    if (e.folded == folded) return;  // the same text under another kind keeps its first placeholder
  entries_.push_back({value.kind, folded, placeholder});
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.folded.size() > b.folded.size();
  });
}

namespace {

// The end of `pattern` (folded, single spaces) matched at `i` of `folded`, where a pattern space
// matches any run of white space; npos when it does not match.
size_t MatchFolded(std::string_view folded, size_t i, std::string_view pattern) {
  size_t p = i;
  for (size_t k = 0; k < pattern.size(); ++k) {
    if (pattern[k] == ' ') {
      if (p >= folded.size() || !IsSpace(static_cast<unsigned char>(folded[p])))
        return std::string_view::npos;
      while (p < folded.size() && IsSpace(static_cast<unsigned char>(folded[p]))) ++p;
      continue;
    }
    if (p >= folded.size() || folded[p] != pattern[k]) return std::string_view::npos;
    ++p;
  }
  return p;
}

}  // namespace

std::vector<Redactor::Span> Redactor::MatchKnown(std::string_view text) const {
  std::vector<Span> out;
  if (entries_.empty()) return out;
  const std::string folded = Fold(text);
  const std::vector<Region> held = PlaceholderRegions(text, refill_);
  size_t next_region = 0;
  for (size_t i = 0; i < folded.size();) {
    while (next_region < held.size() && held[next_region].end <= i) ++next_region;
    if (next_region < held.size() && held[next_region].begin <= i) {
      i = held[next_region].end;
      continue;
    }
    size_t best_end = std::string_view::npos;
    const Entry* best = nullptr;
    for (const Entry& e : entries_) {
      bool word_start = WordByteAt(e.folded, 0);
      if (word_start && WordByteBefore(folded, i)) continue;  // mid-word
      size_t end = MatchFolded(folded, i, e.folded);
      if (end == std::string_view::npos) continue;
      if (WordByteAt(e.folded, e.folded.size() - 1) && WordByteAt(folded, end)) continue;
      if (Overlaps(held, i, end)) continue;
      if (best == nullptr || end > best_end) {
        best = &e;
        best_end = end;
      }
    }
    if (best == nullptr) {
      ++i;
      continue;
    }
    out.push_back({i, best_end, best->placeholder});
    i = best_end;
  }
  return out;
}

std::vector<Redactor::Span> Redactor::MatchKnownPhones(std::string_view text) const {
  std::vector<Span> out;
  if (phones_.empty()) return out;
  const std::vector<Region> held = PlaceholderRegions(text, refill_);
  for (const PhoneRun& run : FindPhoneRuns(text)) {
    const size_t n = run.groups.size();
    // The longest stretch of whole groups whose digits are a known phone, leftmost first: with
    // plausible prefixes only, then with any.
    bool found = false;
    for (int strict = 1; strict >= 0 && !found; --strict) {
      for (size_t len = n; len >= 1 && !found; --len) {
        for (size_t a = 0; a + len <= n && !found; ++a) {
          std::string digits = GroupDigits(text, run.groups, a, a + len - 1);
          if (digits.size() < 7) continue;
          for (const Phone& p : phones_) {
            if (strict ? !SamePhoneStrict(p.key, digits) : !SamePhone(p.key, digits)) continue;
            size_t begin = a == 0 ? run.begin : run.groups[a].begin;
            size_t end = a + len == n ? run.end : run.groups[a + len - 1].end;
            if (!Overlaps(held, begin, end)) out.push_back({begin, end, p.placeholder});
            found = true;
            break;
          }
        }
      }
    }
  }
  return out;
}

std::string Redactor::Redact(std::string_view text) {
  std::string cur(text);
  // 1. Cards and security codes. The PAN is never kept: the placeholder refills to the marker.
  {
    std::vector<Replacement> reps;
    for (const CardFinding& f : FindCards(cur)) {
      std::string marker = RedactionMarker(f);
      bool cvv = f.kind == CardFinding::Kind::kCvv;
      reps.push_back(
          {f.offset, f.offset + f.length, PlaceholderFor(cvv ? "CVV" : "CARD", marker, marker)});
    }
    if (!reps.empty()) cur = Apply(cur, reps);
  }
  // 2. E-mail addresses, known or not.
  {
    std::vector<Region> held = PlaceholderRegions(cur, refill_);
    std::vector<Replacement> reps;
    for (const Region& r : FindEmails(cur)) {
      if (Overlaps(held, r.begin, r.end)) continue;
      std::string_view email = std::string_view(cur).substr(r.begin, r.end - r.begin);
      reps.push_back({r.begin, r.end, PlaceholderFor("EMAIL", Fold(email), email)});
    }
    if (!reps.empty()) cur = Apply(cur, reps);
  }
  // 3. Known phones, by digits.
  {
    std::vector<Span> spans = MatchKnownPhones(cur);
    std::vector<Replacement> reps;
    for (Span& s : spans) reps.push_back({s.begin, s.end, std::move(s.placeholder)});
    if (!reps.empty()) cur = Apply(cur, reps);
  }
  // 4. Known values.
  {
    std::vector<Span> spans = MatchKnown(cur);
    std::vector<Replacement> reps;
    for (Span& s : spans) reps.push_back({s.begin, s.end, std::move(s.placeholder)});
    if (!reps.empty()) cur = Apply(cur, reps);
  }
  // 5. IP addresses.
  {
    std::vector<Region> held = PlaceholderRegions(cur, refill_);
    std::vector<Replacement> reps;
    for (const Region& r : FindIps(cur)) {
      if (Overlaps(held, r.begin, r.end)) continue;
      std::string_view ip = std::string_view(cur).substr(r.begin, r.end - r.begin);
      reps.push_back({r.begin, r.end, PlaceholderFor("IP", Fold(ip), ip)});
    }
    if (!reps.empty()) cur = Apply(cur, reps);
  }
  // 6. Other phone numbers.
  {
    std::vector<Region> held = PlaceholderRegions(cur, refill_);
    std::vector<Replacement> reps;
    for (const PhoneRun& run : FindPhoneRuns(cur)) {
      if (Overlaps(held, run.begin, run.end)) continue;
      std::string digits = GroupDigits(cur, run.groups, 0, run.groups.size() - 1);
      bool plus = cur[run.begin] == '+' || cur.compare(run.begin, 2, "(+") == 0 ||
                  digits.compare(0, 2, "00") == 0;
      size_t min_digits = plus ? 8 : 9;
      if (digits.size() < min_digits || digits.size() > 15 || StartsLikeDate(cur, run)) continue;
      // One bare run of 13+ digits is an id (a Shopify order id), not a phone.
      if (!plus && run.groups.size() == 1 && digits.size() > 12) continue;
      std::string_view original = std::string_view(cur).substr(run.begin, run.end - run.begin);
      reps.push_back({run.begin, run.end, PhonePlaceholder(digits, original)});
    }
    if (!reps.empty()) cur = Apply(cur, reps);
  }
  // 7. Street addresses.
  {
    std::vector<Region> held = PlaceholderRegions(cur, refill_);
    std::vector<Replacement> reps;
    for (const Region& r : FindStreetAddresses(cur, held)) {
      std::string_view street = std::string_view(cur).substr(r.begin, r.end - r.begin);
      reps.push_back(
          {r.begin, r.end, PlaceholderFor("ADDRESS", Fold(CollapseSpace(street)), street)});
    }
    if (!reps.empty()) cur = Apply(cur, reps);
  }
  return cur;
}

namespace {

void RefillInto(std::string& out, std::string_view text,
                const std::map<std::string, std::string>& refill, int depth) {
  size_t at = 0;
  for (size_t i = text.find('['); i != std::string_view::npos; i = text.find('[', i + 1)) {
    size_t close = text.find(']', i + 1);
    if (close == std::string_view::npos) break;
    if (close - i > 64) continue;
    auto it = refill.find(std::string(text.substr(i, close + 1 - i)));
    if (it == refill.end()) continue;
    out.append(text.substr(at, i - at));
    // A street found around a placeholder ("12 Rue [CUSTOMER_LAST_NAME]") holds it: refill it too.
    if (depth < 4) {
      RefillInto(out, it->second, refill, depth + 1);
    } else {
      out.append(it->second);
    }
    at = close + 1;
    i = close;
  }
  out.append(text.substr(at));
}

}  // namespace

std::string Redactor::Refill(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  RefillInto(out, text, refill_, 0);
  return out;
}

std::vector<Leak> Redactor::FindLeaks(std::string_view text) const {
  std::vector<Leak> out;
  for (const Span& s : MatchKnownPhones(text))
    out.push_back({Leak::Kind::kKnownValue, s.begin, s.end - s.begin, s.placeholder});
  for (const Span& s : MatchKnown(text))
    out.push_back({Leak::Kind::kKnownValue, s.begin, s.end - s.begin, s.placeholder});
  for (const CardFinding& f : FindCards(text)) {
    out.push_back({Leak::Kind::kCard, f.offset, f.length,
                   f.kind == CardFinding::Kind::kCvv ? "[CVV]" : "[CARD]"});
  }
  std::sort(out.begin(), out.end(),
            [](const Leak& a, const Leak& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace orderpilot::privacy
