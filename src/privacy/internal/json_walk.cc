#include "privacy/internal/json_walk.h"

#include <array>

namespace orderpilot::privacy::internal {
namespace {

// Bytes that end the fast scan inside a string: the quote, the backslash, control characters.
constexpr std::array<bool, 256> kStringStop = [] {
  std::array<bool, 256> t{};
  for (int i = 0; i < 0x20; ++i) t[i] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

unsigned HexValue(std::string_view four) {
  unsigned v = 0;
  for (const char c : four) {
    v = v * 16 + static_cast<unsigned>(IsDigit(c)               ? c - '0'
                                       : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                                                : c - 'A' + 10);
  }
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

// The end of a number token starting at `i`, or npos when there is none.
size_t NumberEnd(std::string_view in, size_t i) {
  const size_t n = in.size();
  if (i < n && in[i] == '-') ++i;
  if (i < n && in[i] == '0') {
    ++i;
  } else if (i < n && IsDigit(in[i])) {
    while (i < n && IsDigit(in[i])) ++i;
  } else {
    return std::string_view::npos;
  }
  if (i < n && in[i] == '.') {
    ++i;
    if (i == n || !IsDigit(in[i])) return std::string_view::npos;
    while (i < n && IsDigit(in[i])) ++i;
  }
  if (i < n && (in[i] == 'e' || in[i] == 'E')) {
    ++i;
    if (i < n && (in[i] == '+' || in[i] == '-')) ++i;
    if (i == n || !IsDigit(in[i])) return std::string_view::npos;
    while (i < n && IsDigit(in[i])) ++i;
  }
  return i;
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

}  // namespace

Status JsonSyntaxError(size_t at, std::string_view what) {
  return InvalidArgumentError("invalid JSON at byte " + std::to_string(at) + ": " +
                              std::string(what));
}

Result<size_t> ScanJsonString(std::string_view in, size_t open, bool* escaped) {
  const size_t n = in.size();
  size_t i = open + 1;
  *escaped = false;
  while (true) {
    while (i < n && !kStringStop[static_cast<unsigned char>(in[i])]) ++i;
    if (i >= n) return JsonSyntaxError(n, "unterminated string");
    const char c = in[i];
    if (c == '"') return i;
    if (c != '\\') return JsonSyntaxError(i, "control character in a string");
    *escaped = true;
    if (i + 1 >= n) return JsonSyntaxError(n, "unterminated string");
    switch (in[i + 1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        i += 2;
        break;
      case 'u':
        for (size_t k = i + 2; k < i + 6; ++k) {
          if (k >= n || !IsHex(in[k])) return JsonSyntaxError(i, "invalid \\u escape");
        }
        i += 6;
        break;
      default:
        return JsonSyntaxError(i, "invalid escape in a string");
    }
  }
}

Status JsonCursor::Error(size_t at, std::string_view what) const {
  return JsonSyntaxError(at, what);
}

Status JsonCursor::ParseString(JsonValue* v) {
  v->is_string = true;
  OP_ASSIGN_OR_RETURN(const size_t close, ScanJsonString(in_, pos_, &v->escaped));
  v->begin = pos_;
  v->end = close + 1;
  v->text = in_.substr(pos_ + 1, close - pos_ - 1);
  pos_ = close + 1;
  return Status::Ok();
}

Status JsonCursor::ParseNumber(JsonValue* v) {
  const size_t end = NumberEnd(in_, pos_);
  if (end == std::string_view::npos) return Error(pos_, "invalid number");
  v->is_string = false;
  v->escaped = false;
  v->begin = pos_;
  v->end = end;
  v->text = in_.substr(pos_, end - pos_);
  pos_ = end;
  return Status::Ok();
}

Status JsonCursor::ParseScalar(JsonValue* v, bool* is_value) {
  const char c = in_[pos_];
  *is_value = true;
  if (c == '"') return ParseString(v);
  if (c == '-' || IsDigit(c)) return ParseNumber(v);
  *is_value = false;
  std::string_view literal;
  if (c == 't') {
    literal = "true";
  } else if (c == 'f') {
    literal = "false";
  } else if (c == 'n') {
    literal = "null";
  } else if (c == '}' || c == ']' || c == ',' || c == ':') {
    return Error(pos_, std::string("expected a value, found '") + c + "'");
  } else {
    return Error(pos_, "expected a value");
  }
  if (in_.substr(pos_, literal.size()) != literal) return Error(pos_, "expected a value");
  pos_ += literal.size();
  return Status::Ok();
}

void DecodeJsonString(std::string_view raw, std::string* out) {
  out->clear();
  out->reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out->push_back(raw[i]);
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
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
        AppendUtf8(cp, out);
        break;
      }
      default:  // '"', '\\', '/'
        out->push_back(e);
        break;
    }
  }
}

void AppendJsonEscaped(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
        break;
    }
  }
  out->append(text.substr(run));
}

bool IsJsonNumber(std::string_view text) { return NumberEnd(text, 0) == text.size(); }

std::string JsonPointer(const std::vector<JsonFrame>& stack) {
  std::string path;
  std::string decoded;
  for (const JsonFrame& frame : stack) {
    path.push_back('/');
    if (!frame.is_object) {
      path.append(std::to_string(frame.index));
    } else if (!frame.key_escaped) {
      AppendPointerToken(frame.key, &path);
    } else {
      DecodeJsonString(frame.key, &decoded);
      AppendPointerToken(decoded, &path);
    }
  }
  return path;
}

}  // namespace orderpilot::privacy::internal
