#include "privacy/card_scan.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <utility>

#include "privacy/internal/json_walk.h"

namespace orderpilot::privacy {
namespace {

constexpr size_t kMinPanDigits = 13;
constexpr size_t kMaxPanDigits = 19;
constexpr size_t kMinGroupDigits = 3;  // in a grouped PAN, for every group but the last
constexpr size_t kMaxCvvGap = 12;      // bytes between a keyword and its digits

// Bit n set: n digits is a valid length.
constexpr uint32_t Lengths(std::initializer_list<int> lengths) {
  uint32_t mask = 0;
  for (int n : lengths) mask |= uint32_t{1} << n;
  return mask;
}
constexpr uint32_t LengthRange(int min, int max) {
  uint32_t mask = 0;
  for (int n = min; n <= max; ++n) mask |= uint32_t{1} << n;
  return mask;
}

struct IinRange {
  std::string_view brand;
  uint32_t low;  // inclusive range of the number formed by the first `digits` digits
  uint32_t high;
  int digits;
  uint32_t lengths;  // Lengths()/LengthRange() mask of valid PAN lengths
};

// Card brands by IIN (issuer identification number) prefix. The first entry whose prefix and
// length both fit wins, so narrower ranges come before the wide ones they sit in (Discover's
// 65 and 622126–622925 before UnionPay's 62 and Maestro's 6). Maestro is 12–19 digits, but
// candidates have at least 13.
constexpr IinRange kCardBrands[] = {
    {"amex", 34, 34, 2, Lengths({15})},
    {"amex", 37, 37, 2, Lengths({15})},
    {"visa", 4, 4, 1, Lengths({13, 16, 19})},
    {"mastercard", 51, 55, 2, Lengths({16})},
    {"mastercard", 2221, 2720, 4, Lengths({16})},
    {"discover", 6011, 6011, 4, LengthRange(16, 19)},
    {"discover", 644, 649, 3, LengthRange(16, 19)},
    {"discover", 65, 65, 2, LengthRange(16, 19)},
    {"discover", 622126, 622925, 6, LengthRange(16, 19)},
    {"jcb", 3528, 3589, 4, LengthRange(16, 19)},
    {"diners", 300, 305, 3, LengthRange(14, 19)},
    {"diners", 36, 36, 2, LengthRange(14, 19)},
    {"diners", 38, 39, 2, LengthRange(14, 19)},
    {"unionpay", 62, 62, 2, LengthRange(16, 19)},
    {"maestro", 50, 50, 2, LengthRange(12, 19)},
    {"maestro", 56, 58, 2, LengthRange(12, 19)},
    {"maestro", 6, 6, 1, LengthRange(12, 19)},
};

// Longest first, so that "cvv2" wins over "cvv". A space also matches '_' and '-'.
constexpr std::string_view kCvvKeywords[] = {"security code", "card code", "cvv2", "cvc2",
                                             "cvv",           "cvc",       "cid",  "csc"};

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026, not a digit separator

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
constexpr bool IsLetter(char c) { return Lower(c) >= 'a' && Lower(c) <= 'z'; }
constexpr bool IsAlnum(char c) { return IsDigit(c) || IsLetter(c); }
constexpr bool IsGroupSeparator(char c) { return c == ' ' || c == '-'; }
// What may stand between a security-code keyword and its digits (besides the word "is").
constexpr bool IsCvvFiller(char c) {
  return c == ' ' || c == '\t' || c == ':' || c == '=' || c == '#' || c == '-' || c == '"' ||
         c == '\'' || c == '\\';
}

// Byte classes for the hot loops (a clean 3 KB document must cost a few microseconds).
enum : uint8_t {
  kDigitByte = 1,
  kKeywordStartByte = 2,  // 'c', 's' in either case
};
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    if (IsDigit(static_cast<char>(c))) table[c] |= kDigitByte;
    if (c == 'c' || c == 's' || c == 'C' || c == 'S') table[c] |= kKeywordStartByte;
  }
  return table;
}();
inline uint8_t ByteClass(char c) { return kByteClass[static_cast<unsigned char>(c)]; }

// A card candidate that passed Luhn and the IIN table.
struct PanHit {
  size_t offset = 0;
  size_t length = 0;
  char digits[kMaxPanDigits] = {};
  size_t digit_count = 0;
  std::string_view brand;
};

// End of the run of digit groups that starts at the digit t[i].
size_t RunEnd(std::string_view t, size_t i) {
  const size_t n = t.size();
  while (true) {
    while (i < n && IsDigit(t[i])) ++i;
    if (i + 1 < n && IsGroupSeparator(t[i]) && IsDigit(t[i + 1])) {
      ++i;
      continue;
    }
    return i;
  }
}

size_t GroupEnd(std::string_view t, size_t i) {
  while (i < t.size() && IsDigit(t[i])) ++i;
  return i;
}

// Start of the group after the one at `group` in a run ending at `run_end`, or run_end.
size_t NextGroup(std::string_view t, size_t group, size_t run_end) {
  const size_t end = GroupEnd(t, group);
  return end < run_end ? end + 1 : run_end;
}

// Calls on_card(const PanHit&) for each card in order; stops and returns false as soon as
// on_card returns false.
template <typename OnCard>
bool ScanCards(std::string_view t, OnCard&& on_card) {
  const size_t n = t.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && (ByteClass(t[i]) & kDigitByte) == 0) ++i;
    if (i == n) break;
    const size_t run_end = RunEnd(t, i);
    // A group glued to a letter belongs to a word ("SKU1234", "1234A"), never to a card.
    const bool last_glued = run_end < n && IsLetter(t[run_end]);
    size_t start = i > 0 && IsLetter(t[i - 1]) ? NextGroup(t, i, run_end) : i;
    while (start < run_end) {
      PanHit hit;
      size_t count = 0;
      size_t best_end = 0;
      bool may_extend = true;  // the window's last group has at least kMinGroupDigits
      for (size_t g = start; g < run_end && may_extend;) {
        const size_t g_end = GroupEnd(t, g);
        if (count + (g_end - g) > kMaxPanDigits || (last_glued && g_end == run_end)) break;
        for (size_t k = g; k < g_end; ++k) hit.digits[count++] = t[k];
        may_extend = g_end - g >= kMinGroupDigits;
        if (count >= kMinPanDigits) {
          const std::string_view digits(hit.digits, count);
          if (LuhnValid(digits)) {
            const std::string_view brand = CardBrand(digits);
            if (!brand.empty()) {
              best_end = g_end;
              hit.digit_count = count;
              hit.brand = brand;
            }
          }
        }
        g = g_end + 1;
      }
      if (hit.digit_count == 0) {
        start = NextGroup(t, start, run_end);
        continue;
      }
      hit.offset = start;
      hit.length = best_end - start;
      if (!on_card(hit)) return false;
      start = best_end < run_end ? best_end + 1 : run_end;
    }
    i = run_end;
  }
  return true;
}

// Length of the security-code keyword at t[i], or 0.
size_t MatchKeyword(std::string_view t, size_t i) {
  if (t.size() - i < 3) return 0;
  // Quick reject on the second letter: every keyword starts "cv", "ci", "cs", "ca" or "se".
  const char second = Lower(t[i + 1]);
  if (Lower(t[i]) == 'c' ? second != 'v' && second != 'i' && second != 's' && second != 'a'
                         : second != 'e') {
    return 0;
  }
  for (const std::string_view keyword : kCvvKeywords) {
    if (t.size() - i < keyword.size()) continue;
    bool match = true;
    for (size_t k = 0; k < keyword.size() && match; ++k) {
      const char c = t[i + k];
      match = keyword[k] == ' ' ? (c == ' ' || c == '_' || c == '-') : Lower(c) == keyword[k];
    }
    if (match) return keyword.size();
  }
  return 0;
}

// Where the digits after a keyword ending at `i` may start: past the filler, at most
// kMaxCvvGap bytes on.
size_t SkipCvvFiller(std::string_view t, size_t i) {
  const size_t n = t.size();
  const size_t limit = std::min(n, i + kMaxCvvGap);
  while (i < limit) {
    if (IsCvvFiller(t[i])) {
      ++i;
    } else if (Lower(t[i]) == 'i' && i + 1 < n && Lower(t[i + 1]) == 's' &&
               (i + 2 == n || !IsLetter(t[i + 2]))) {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// Calls on_cvv(offset, length) for each security code in order; stops and returns false as soon
// as on_cvv returns false.
template <typename OnCvv>
bool ScanCvvs(std::string_view t, OnCvv&& on_cvv) {
  const size_t n = t.size();
  for (size_t i = 0; i < n; ++i) {
    // Not preceded by a letter ("mycvv"), but a digit may precede it: a security code just
    // redacted before it ("cvc888cvc882") becomes a marker ending in ']', and both passes must
    // read the keyword after it alike, or redacting twice would change the text.
    if ((ByteClass(t[i]) & kKeywordStartByte) == 0 || (i > 0 && IsLetter(t[i - 1]))) continue;
    const size_t keyword = MatchKeyword(t, i);
    if (keyword == 0) continue;
    const size_t keyword_end = i + keyword;
    if (keyword_end < n && IsLetter(t[keyword_end])) continue;  // "cidr", "cvvs"
    const size_t begin = SkipCvvFiller(t, keyword_end);
    const size_t end = GroupEnd(t, begin);
    if (end - begin != 3 && end - begin != 4) continue;
    if (!on_cvv(begin, end - begin)) return false;
    i = end - 1;
  }
  return true;
}

CardFinding ToFinding(const PanHit& hit) {
  CardFinding f;
  f.kind = CardFinding::Kind::kCard;
  f.offset = hit.offset;
  f.length = hit.length;
  f.bin.assign(hit.digits, 6);
  f.last4.assign(hit.digits + hit.digit_count - 4, 4);
  f.brand = hit.brand;
  return f;
}

CardFinding CvvFinding(size_t offset, size_t length) {
  CardFinding f;
  f.kind = CardFinding::Kind::kCvv;
  f.offset = offset;
  f.length = length;
  return f;
}

// Whether `key` ends in a security-code keyword that starts a word: "cvv", "card_cvc",
// "security_code".
bool IsCvvKey(std::string_view key) {
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0 && IsAlnum(key[i - 1])) continue;
    const size_t keyword = MatchKeyword(key, i);
    if (keyword != 0 && i + keyword == key.size()) return true;
  }
  return false;
}

// Whether `key` names a platform identifier or a product code (see IsIdentifierKey in the
// header): compared ASCII-case-insensitively.
bool IsIdentifierKeyImpl(std::string_view key) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  auto ends_with = [&](std::string_view suffix) {
    if (key.size() < suffix.size()) return false;
    const std::string_view tail = key.substr(key.size() - suffix.size());
    for (size_t i = 0; i < suffix.size(); ++i) {
      if (lower(tail[i]) != suffix[i]) return false;
    }
    return true;
  };
  constexpr std::string_view kExact[] = {"id",
                                         "sku",
                                         "barcode",
                                         "gtin",
                                         "upc",
                                         "ean",
                                         "isbn",
                                         "mpn",
                                         "number",
                                         "order_number",
                                         "tracking_number",
                                         "tracking_numbers"};
  for (std::string_view e : kExact) {
    if (key.size() == e.size() && ends_with(e)) return true;
  }
  constexpr std::string_view kSuffixes[] = {"_id", "_ids", "token"};
  for (std::string_view e : kSuffixes) {
    if (ends_with(e)) return true;
  }
  return false;
}

// Whether `t` may hold a finding: a run of at least 13 digits (single spaces and dashes between
// them allowed) or a security-code keyword anywhere. A superset of what FindCards finds, also in
// string literals of a JSON document after MaskEscapes (so a false answer lets RedactJson skip
// all scanning), and a fast single pass.
bool MayHaveFindings(std::string_view t) {
  const size_t n = t.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && (ByteClass(t[i]) & (kDigitByte | kKeywordStartByte)) == 0) ++i;
    if (i == n) break;
    if ((ByteClass(t[i]) & kDigitByte) == 0) {
      if (MatchKeyword(t, i) != 0) return true;
      ++i;
      continue;
    }
    size_t run = 0;  // digits in this run of groups
    while (true) {
      for (; i < n && IsDigit(t[i]); ++i) ++run;
      if (run >= kMinPanDigits) return true;
      if (i + 1 < n && IsGroupSeparator(t[i]) && IsDigit(t[i + 1])) {
        ++i;
        continue;
      }
      break;
    }
  }
  return false;
}

unsigned HexValue(std::string_view four) {
  unsigned v = 0;
  for (const char c : four) v = v * 16 + (IsDigit(c) ? c - '0' : Lower(c) - 'a' + 10);
  return v;
}

void AppendUtf8(unsigned cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The text of a validated string literal's contents. Lone surrogates become U+FFFD.
std::string DecodeJsonString(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.push_back(raw[i]);
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        unsigned cp = HexValue(raw.substr(i + 1, 4));
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u') {
          const unsigned low = HexValue(raw.substr(i + 3, 4));
          if (low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
        AppendUtf8(cp, &out);
        break;
      }
      default:
        out.push_back(e);
        break;  // '"', '\\', '/'
    }
  }
  return out;
}

// A copy of a validated literal's contents in which every escape sequence keeps its backslash
// (and an escaped quote its quote) and the rest becomes spaces: same offsets, and "\n4111…" is
// no longer a card glued to the letter 'n'. A masked space always follows a backslash or another
// masked space, so it never joins two digit groups.
std::string MaskEscapes(std::string_view raw) {
  std::string masked(raw);
  for (size_t i = 0; i < masked.size(); ++i) {
    if (masked[i] != '\\') continue;
    const size_t len = masked[i + 1] == 'u' ? 5 : 1;
    if (masked[i + 1] != '"') std::fill_n(masked.begin() + i + 1, len, ' ');
    i += len;
  }
  return masked;
}

void AppendPointerToken(std::string_view token, std::string* out) {
  for (const char c : token) {
    if (c == '~') {
      out->append("~0");
    } else if (c == '/') {
      out->append("~1");
    } else {
      out->push_back(c);
    }
  }
}

// One pass over a JSON document: validates it and, when `scan`, rewrites findings. Iterative;
// the explicit stack holds one frame per open array or object.
class JsonScrubber {
 public:
  JsonScrubber(std::string_view json, bool scan) : in_(json), scan_(scan) { stack_.reserve(16); }

  Status Run();
  JsonRedaction Take() &&;

 private:
  struct Frame {
    bool is_object = false;
    size_t index = 0;      // arrays: the current element
    std::string_view key;  // objects: the current member's key, raw (escapes not decoded)
  };

  Status Error(size_t at, std::string_view what) const {
    return internal::JsonSyntaxError(at, what);
  }
  void SkipWhitespace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }
  Status Push(bool is_object);
  Status ParseMemberKey();
  Status ParseScalar();
  Status ParseString(size_t* begin, size_t* end, bool* escaped);
  Status ParseNumber(bool* plain_integer);
  Status ParseLiteral(std::string_view literal);

  void ScrubString(size_t begin, size_t end, bool escaped);
  void ScrubInteger(size_t begin, size_t end);
  void Replace(size_t begin, size_t end, std::string_view with);
  void AddFinding(const CardFinding& f);
  std::string Path() const;
  bool InCvvMember() const;
  bool InIdentifierMember() const;

  std::string_view in_;
  bool scan_;
  size_t pos_ = 0;
  std::vector<Frame> stack_;
  std::string out_;
  size_t copied_ = 0;  // in_[0, copied_) is in out_ (rewritten) once `rewritten_`
  bool rewritten_ = false;
  std::vector<JsonFinding> findings_;
};

Status JsonScrubber::Run() {
  bool want_value = true;
  while (true) {
    SkipWhitespace();
    if (want_value) {
      if (pos_ == in_.size()) return Error(pos_, "expected a value, found the end");
      const char c = in_[pos_];
      if (c != '{' && c != '[') {
        OP_RETURN_IF_ERROR(ParseScalar());
        want_value = false;
        continue;
      }
      const bool is_object = c == '{';
      OP_RETURN_IF_ERROR(Push(is_object));
      ++pos_;
      SkipWhitespace();
      if (pos_ < in_.size() && in_[pos_] == (is_object ? '}' : ']')) {
        ++pos_;
        stack_.pop_back();
        want_value = false;
      } else if (is_object) {
        OP_RETURN_IF_ERROR(ParseMemberKey());
      }
      continue;
    }
    if (stack_.empty()) {
      if (pos_ != in_.size()) return Error(pos_, "unexpected bytes after the document");
      return Status::Ok();
    }
    Frame& top = stack_.back();
    if (pos_ == in_.size()) {
      return Error(pos_, top.is_object ? "unterminated object" : "unterminated array");
    }
    if (in_[pos_] == ',') {
      ++pos_;
      if (top.is_object) {
        SkipWhitespace();
        OP_RETURN_IF_ERROR(ParseMemberKey());
      } else {
        ++top.index;
      }
      want_value = true;
    } else if (in_[pos_] == (top.is_object ? '}' : ']')) {
      ++pos_;
      stack_.pop_back();
    } else {
      return Error(pos_, top.is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
}

JsonRedaction JsonScrubber::Take() && {
  JsonRedaction r;
  if (rewritten_) {
    out_.append(in_.substr(copied_));
    r.json = std::move(out_);
  } else {
    r.json.assign(in_);
  }
  r.findings = std::move(findings_);
  return r;
}

Status JsonScrubber::Push(bool is_object) {
  if (stack_.size() >= kMaxJsonDepth) {
    return InvalidArgumentError("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                                " levels");
  }
  stack_.push_back(Frame{is_object, 0, {}});
  return Status::Ok();
}

// At a member's key: reads it, the ':' and the whitespace before the value.
Status JsonScrubber::ParseMemberKey() {
  if (pos_ == in_.size() || in_[pos_] != '"') return Error(pos_, "expected an object key");
  size_t begin = 0, end = 0;
  bool escaped = false;
  OP_RETURN_IF_ERROR(ParseString(&begin, &end, &escaped));
  stack_.back().key = in_.substr(begin, end - begin);
  SkipWhitespace();
  if (pos_ == in_.size() || in_[pos_] != ':') return Error(pos_, "expected ':' after a key");
  ++pos_;
  return Status::Ok();
}

Status JsonScrubber::ParseScalar() {
  const size_t start = pos_;
  const char c = in_[pos_];
  if (c == '"') {
    size_t begin = 0, end = 0;
    bool escaped = false;
    OP_RETURN_IF_ERROR(ParseString(&begin, &end, &escaped));
    if (scan_) ScrubString(begin, end, escaped);
    return Status::Ok();
  }
  if (c == '-' || IsDigit(c)) {
    bool plain_integer = false;
    OP_RETURN_IF_ERROR(ParseNumber(&plain_integer));
    if (scan_ && plain_integer) ScrubInteger(start, pos_);
    return Status::Ok();
  }
  if (c == 't') return ParseLiteral("true");
  if (c == 'f') return ParseLiteral("false");
  if (c == 'n') return ParseLiteral("null");
  if (c == '}' || c == ']' || c == ',' || c == ':') {
    return Error(pos_, std::string("expected a value, found '") + c + "'");
  }
  return Error(pos_, "expected a value");
}

Status JsonScrubber::ParseString(size_t* begin, size_t* end, bool* escaped) {
  OP_ASSIGN_OR_RETURN(const size_t close, internal::ScanJsonString(in_, pos_, escaped));
  *begin = pos_ + 1;
  *end = close;
  pos_ = close + 1;
  return Status::Ok();
}

Status JsonScrubber::ParseNumber(bool* plain_integer) {
  const size_t n = in_.size();
  size_t i = pos_;
  *plain_integer = true;
  if (in_[i] == '-') {
    *plain_integer = false;
    ++i;
  }
  if (i < n && in_[i] == '0') {
    ++i;
  } else if (i < n && IsDigit(in_[i])) {
    while (i < n && IsDigit(in_[i])) ++i;
  } else {
    return Error(i, "invalid number");
  }
  if (i < n && in_[i] == '.') {
    *plain_integer = false;
    ++i;
    if (i == n || !IsDigit(in_[i])) return Error(i, "invalid number: no digit after '.'");
    while (i < n && IsDigit(in_[i])) ++i;
  }
  if (i < n && (in_[i] == 'e' || in_[i] == 'E')) {
    *plain_integer = false;
    ++i;
    if (i < n && (in_[i] == '+' || in_[i] == '-')) ++i;
    if (i == n || !IsDigit(in_[i])) return Error(i, "invalid number: no digit in the exponent");
    while (i < n && IsDigit(in_[i])) ++i;
  }
  pos_ = i;
  return Status::Ok();
}

Status JsonScrubber::ParseLiteral(std::string_view literal) {
  if (in_.substr(pos_, literal.size()) != literal) return Error(pos_, "expected a value");
  pos_ += literal.size();
  return Status::Ok();
}

// The key checks (InIdentifierMember, InCvvMember) come last: most values hold nothing, and
// reading the key for every value would cost more than scanning it.
void JsonScrubber::ScrubString(size_t begin, size_t end, bool escaped) {
  const std::string_view raw = in_.substr(begin, end - begin);
  std::string masked;
  if (escaped) masked = MaskEscapes(raw);
  const std::vector<CardFinding> found = FindCards(escaped ? std::string_view(masked) : raw);
  if (!found.empty()) {
    if (InIdentifierMember()) return;
    for (const CardFinding& f : found) {
      Replace(begin + f.offset, begin + f.offset + f.length, RedactionMarker(f));
      AddFinding(f);
    }
    return;
  }
  // {"cvv": " 123 "}: the key says what the digits are.
  const size_t first = raw.find_first_not_of(' ');
  if (first == std::string_view::npos) return;
  const size_t digits = GroupEnd(raw, first) - first;
  if ((digits != 3 && digits != 4) || raw.find_first_not_of(' ', first + digits) != raw.npos) {
    return;
  }
  if (!InCvvMember() || InIdentifierMember()) return;
  const CardFinding cvv = CvvFinding(first, digits);
  Replace(begin + first, begin + first + digits, RedactionMarker(cvv));
  AddFinding(cvv);
}

void JsonScrubber::ScrubInteger(size_t begin, size_t end) {
  const std::string_view digits = in_.substr(begin, end - begin);
  CardFinding f;
  if (digits.size() >= kMinPanDigits && digits.size() <= kMaxPanDigits && LuhnValid(digits) &&
      !CardBrand(digits).empty()) {
    PanHit hit;
    std::copy(digits.begin(), digits.end(), hit.digits);
    hit.digit_count = digits.size();
    hit.brand = CardBrand(digits);
    f = ToFinding(hit);
  } else if ((digits.size() == 3 || digits.size() == 4) && InCvvMember()) {
    f = CvvFinding(0, digits.size());
  } else {
    return;
  }
  if (InIdentifierMember()) return;
  Replace(begin, end, "\"" + RedactionMarker(f) + "\"");
  AddFinding(f);
}

void JsonScrubber::Replace(size_t begin, size_t end, std::string_view with) {
  if (!rewritten_) {
    out_.reserve(in_.size() + 64);
    rewritten_ = true;
  }
  out_.append(in_.substr(copied_, begin - copied_));
  out_.append(with);
  copied_ = end;
}

void JsonScrubber::AddFinding(const CardFinding& f) {
  findings_.push_back(JsonFinding{Path(), f.kind, f.bin, f.last4, f.brand});
}

std::string JsonScrubber::Path() const {
  std::string path;
  for (const Frame& frame : stack_) {
    path.push_back('/');
    if (!frame.is_object) {
      path.append(std::to_string(frame.index));
    } else if (frame.key.find('\\') == std::string_view::npos) {
      AppendPointerToken(frame.key, &path);
    } else {
      AppendPointerToken(DecodeJsonString(frame.key), &path);
    }
  }
  return path;
}

bool JsonScrubber::InIdentifierMember() const {
  for (size_t i = stack_.size(); i-- > 0;) {  // the nearest member, through arrays
    if (!stack_[i].is_object) continue;
    const std::string_view key = stack_[i].key;
    return key.find('\\') == std::string_view::npos ? IsIdentifierKeyImpl(key)
                                                    : IsIdentifierKeyImpl(DecodeJsonString(key));
  }
  return false;
}

bool JsonScrubber::InCvvMember() const {
  if (stack_.empty() || !stack_.back().is_object) return false;
  const std::string_view key = stack_.back().key;
  return key.find('\\') == std::string_view::npos ? IsCvvKey(key) : IsCvvKey(DecodeJsonString(key));
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

std::string_view CardBrand(std::string_view digits) {
  for (const IinRange& range : kCardBrands) {
    if (digits.size() < static_cast<size_t>(range.digits) || digits.size() > kMaxPanDigits ||
        (range.lengths & (uint32_t{1} << digits.size())) == 0) {
      continue;
    }
    uint32_t prefix = 0;
    for (int k = 0; k < range.digits; ++k) prefix = prefix * 10 + (digits[k] - '0');
    if (prefix >= range.low && prefix <= range.high) return range.brand;
  }
  return {};
}

std::vector<CardFinding> FindCards(std::string_view text) {
  if (!MayHaveFindings(text)) return {};
  std::vector<CardFinding> cards;
  ScanCards(text, [&](const PanHit& hit) {
    cards.push_back(ToFinding(hit));
    return true;
  });
  std::vector<CardFinding> all;
  size_t next_card = 0;
  ScanCvvs(text, [&](size_t offset, size_t length) {
    while (next_card < cards.size() &&
           cards[next_card].offset + cards[next_card].length <= offset) {
      all.push_back(std::move(cards[next_card++]));
    }
    // The next card ends after the code starts: they overlap when it starts before the code ends.
    if (next_card < cards.size() && cards[next_card].offset < offset + length) return true;
    all.push_back(CvvFinding(offset, length));
    return true;
  });
  if (all.empty()) return cards;
  for (; next_card < cards.size(); ++next_card) all.push_back(std::move(cards[next_card]));
  return all;
}

bool HasCards(std::string_view text) {
  return MayHaveFindings(text) && (!ScanCards(text, [](const PanHit&) { return false; }) ||
                                   !ScanCvvs(text, [](size_t, size_t) { return false; }));
}

std::string RedactionMarker(const CardFinding& finding) {
  if (finding.kind == CardFinding::Kind::kCvv) return "[cvv removed]";
  std::string marker = "[card ";
  marker.append(finding.brand).append(" ").append(finding.bin).append(kEllipsis);
  marker.append(finding.last4).append(" removed]");
  return marker;
}

std::string RedactCards(std::string_view text, std::vector<CardFinding>* findings) {
  std::vector<CardFinding> found = FindCards(text);
  std::string out;
  if (found.empty()) {
    out.assign(text);
  } else {
    out.reserve(text.size() + 32 * found.size());
    size_t copied = 0;
    for (const CardFinding& f : found) {
      out.append(text.substr(copied, f.offset - copied)).append(RedactionMarker(f));
      copied = f.offset + f.length;
    }
    out.append(text.substr(copied));
  }
  if (findings != nullptr) *findings = std::move(found);
  return out;
}

Result<JsonRedaction> RedactJson(std::string_view json) {
  JsonScrubber scrubber(json, MayHaveFindings(json));
  OP_RETURN_IF_ERROR(scrubber.Run());
  return std::move(scrubber).Take();
}

bool IsIdentifierKey(std::string_view key) { return IsIdentifierKeyImpl(key); }

}  // namespace orderpilot::privacy
