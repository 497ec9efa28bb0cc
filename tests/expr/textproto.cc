#include "expr/textproto.h"

#include <cstdint>
#include <fstream>
#include <sstream>

namespace orderpilot::conformance {

const Node* Node::Find(std::string_view child_name) const {
  for (const Node& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const Node*> Node::FindAll(std::string_view child_name) const {
  std::vector<const Node*> out;
  for (const Node& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

namespace {

constexpr int kMaxDepth = 100;  // nesting limit, so hostile input cannot exhaust the stack

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Node> ParseRoot() {
    Node root;
    root.is_message = true;
    root.line = 1;
    OP_RETURN_IF_ERROR(ParseFields(root, '\0', 0));
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  char PeekAt(size_t ahead) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void Advance() {
    if (text_[pos_++] == '\n') {
      ++line_;
      line_start_ = pos_;
    }
  }

  Status Error(const std::string& msg) const {
    return InvalidArgumentError(std::to_string(line_) + ":" +
                                std::to_string(pos_ - line_start_ + 1) + ": " + msg);
  }
  std::string Found() const {
    if (AtEnd()) return "end of input";
    return std::string("'") + Peek() + "'";
  }

  void SkipSpace() {
    while (!AtEnd()) {
      char c = Peek();
      if (c == '#') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        Advance();
      } else {
        return;
      }
    }
  }

  bool Consume(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    Advance();
    return true;
  }

  std::string ReadIdentifier() {
    size_t start = pos_;
    while (IsIdentChar(Peek())) Advance();
    return std::string(text_.substr(start, pos_ - start));
  }

  // Fields up to `close` ('}' or '>'), or to end of input when close is '\0'.
  Status ParseFields(Node& msg, char close, int depth) {
    if (depth > kMaxDepth) return Error("messages nested too deeply");
    while (true) {
      SkipSpace();
      if (close == '\0' ? AtEnd() : Peek() == close) break;
      if (AtEnd()) return Error(std::string("expected '") + close + "' but found end of input");
      OP_RETURN_IF_ERROR(ParseField(msg, depth));
      if (!Consume(',')) (void)Consume(';');
    }
    if (close != '\0') Advance();
    return Status::Ok();
  }

  Status ParseFieldName(Node& field) {
    field.line = line_;
    if (IsIdentStart(Peek())) {
      field.name = ReadIdentifier();
      return Status::Ok();
    }
    if (Peek() != '[') return Error("expected a field name but found " + Found());
    Advance();
    field.name = "[";
    while (true) {
      SkipSpace();
      char c = Peek();
      if (c == ']') break;
      if (!IsIdentChar(c) && c != '.' && c != '/') {
        return Error("bad character in extension or Any name: " + Found());
      }
      field.name += c;
      Advance();
    }
    Advance();
    if (field.name.size() == 1) return Error("empty extension or Any name");
    field.name += ']';
    return Status::Ok();
  }

  Status ParseField(Node& msg, int depth) {
    Node field;
    OP_RETURN_IF_ERROR(ParseFieldName(field));
    bool colon = Consume(':');
    SkipSpace();
    char c = Peek();
    if (colon && c == '[') {  // list syntax: several fields with the same name
      Advance();
      if (Consume(']')) return Status::Ok();
      do {
        Node elem;
        elem.name = field.name;
        elem.line = line_;
        OP_RETURN_IF_ERROR(ParseValue(elem, depth));
        msg.children.push_back(std::move(elem));
      } while (Consume(','));
      if (!Consume(']')) return Error("expected ',' or ']' in list but found " + Found());
      return Status::Ok();
    }
    if (!colon && c != '{' && c != '<') {
      return Error("expected ':' or '{' after field '" + field.name + "' but found " + Found());
    }
    OP_RETURN_IF_ERROR(ParseValue(field, depth));
    msg.children.push_back(std::move(field));
    return Status::Ok();
  }

  // A message body or a scalar, starting at the next token.
  Status ParseValue(Node& field, int depth) {
    SkipSpace();
    char c = Peek();
    if (c == '{' || c == '<') {
      Advance();
      field.is_message = true;
      return ParseFields(field, c == '{' ? '}' : '>', depth + 1);
    }
    if (c == '"' || c == '\'') {
      field.scalar_kind = Node::ScalarKind::kString;
      do {
        OP_RETURN_IF_ERROR(ReadString(field.scalar));
        SkipSpace();
      } while (Peek() == '"' || Peek() == '\'');
      return Status::Ok();
    }
    std::string sign;
    if (c == '-') {
      sign = "-";
      Advance();
      SkipSpace();
      c = Peek();
    }
    if (IsDigit(c) || (c == '.' && IsDigit(PeekAt(1)))) {
      field.scalar_kind = Node::ScalarKind::kNumber;
      field.scalar = sign + ReadNumber();
      return Status::Ok();
    }
    if (IsIdentStart(c)) {
      std::string ident = ReadIdentifier();
      bool special = EqualsIgnoreCase(ident, "inf") || EqualsIgnoreCase(ident, "infinity") ||
                     EqualsIgnoreCase(ident, "nan");
      if (!sign.empty() && !special) return Error("'-' before identifier '" + ident + "'");
      field.scalar_kind = special ? Node::ScalarKind::kNumber : Node::ScalarKind::kIdentifier;
      field.scalar = sign + ident;
      return Status::Ok();
    }
    return Error("expected a value for field '" + field.name + "' but found " + Found());
  }

  // Digits, letters, '.', '_' (covers hex, exponents, suffixes); a sign only after a decimal
  // exponent. Validating the number is left to whoever knows the field's type.
  std::string ReadNumber() {
    size_t start = pos_;
    bool hex = Peek() == '0' && (PeekAt(1) == 'x' || PeekAt(1) == 'X');
    while (true) {
      char c = Peek();
      if (IsIdentChar(c) || c == '.') {
        Advance();
      } else if ((c == '+' || c == '-') && !hex &&
                 (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')) {
        Advance();
      } else {
        break;
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // One quoted literal, appended to `out` decoded.
  Status ReadString(std::string& out) {
    char quote = Peek();
    Advance();
    while (true) {
      if (AtEnd() || Peek() == '\n') return Error("unterminated string literal");
      char c = Peek();
      if (c == quote) {
        Advance();
        return Status::Ok();
      }
      if (c != '\\') {
        out += c;
        Advance();
        continue;
      }
      Advance();
      if (AtEnd()) return Error("unterminated string literal");
      OP_RETURN_IF_ERROR(ReadEscape(out));
    }
  }

  // The escape after a backslash.
  Status ReadEscape(std::string& out) {
    char c = Peek();
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'f':
        out += '\f';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case '\\':
      case '\'':
      case '"':
      case '?':
        out += c;
        break;
      case 'x':
      case 'X': {
        Advance();
        int v = 0, n = 0;
        for (; n < 2 && HexValue(Peek()) >= 0; ++n, Advance()) v = v * 16 + HexValue(Peek());
        if (n == 0) return Error("\\x needs a hex digit");
        out += static_cast<char>(v);
        return Status::Ok();
      }
      case 'u':
      case 'U': {
        uint32_t cp = 0;
        OP_RETURN_IF_ERROR(ReadCodePoint(c == 'u' ? 4 : 8, cp));
        // A high surrogate followed by \uLOW is one code point, as in protobuf's tokenizer.
        if (cp >= 0xD800 && cp < 0xDC00 && Peek() == '\\' && PeekAt(1) == 'u') {
          size_t p = pos_ + 2;
          uint32_t low = 0;
          for (int i = 0; i < 4 && p < text_.size() && HexValue(text_[p]) >= 0; ++i, ++p) {
            low = low * 16 + static_cast<uint32_t>(HexValue(text_[p]));
          }
          if (p == pos_ + 6 && low >= 0xDC00 && low < 0xE000) {
            Advance();  // the backslash; ReadCodePoint skips the 'u'
            OP_RETURN_IF_ERROR(ReadCodePoint(4, low));
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
        }
        AppendUtf8(cp, out);
        return Status::Ok();
      }
      default:
        if (c >= '0' && c <= '7') {
          int v = 0;
          for (int n = 0; n < 3 && Peek() >= '0' && Peek() <= '7'; ++n, Advance()) {
            v = v * 8 + (Peek() - '0');
          }
          if (v > 255) return Error("octal escape above \\377");
          out += static_cast<char>(v);
          return Status::Ok();
        }
        return Error(std::string("unknown escape '\\") + c + "'");
    }
    Advance();
    return Status::Ok();
  }

  // At 'u' or 'U': reads exactly `digits` hex digits into `cp`.
  Status ReadCodePoint(int digits, uint32_t& cp) {
    Advance();
    cp = 0;
    for (int i = 0; i < digits; ++i, Advance()) {
      if (HexValue(Peek()) < 0) return Error("\\u needs 4 and \\U 8 hex digits");
      cp = cp * 16 + static_cast<uint32_t>(HexValue(Peek()));
    }
    if (cp > 0x10FFFF) return Error("code point above U+10FFFF");
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

// The string value of `msg`'s field `name`, or "" if absent; an error if not a string.
Status GetString(const Node& msg, std::string_view name, std::string& out) {
  const Node* n = msg.Find(name);
  if (n == nullptr) return Status::Ok();
  if (n->is_message || n->scalar_kind != Node::ScalarKind::kString) {
    return InvalidArgumentError("line " + std::to_string(n->line) + ": field '" +
                                std::string(name) + "' must be a string");
  }
  out = n->scalar;
  return Status::Ok();
}

Status GetBool(const Node& msg, std::string_view name, bool& out) {
  const Node* n = msg.Find(name);
  if (n == nullptr) return Status::Ok();
  const std::string& s = n->scalar;
  if (!n->is_message && (s == "true" || s == "True" || s == "t" || s == "1")) {
    out = true;
  } else if (!n->is_message && (s == "false" || s == "False" || s == "f" || s == "0")) {
    out = false;
  } else {
    return InvalidArgumentError("line " + std::to_string(n->line) + ": field '" +
                                std::string(name) + "' must be a bool");
  }
  return Status::Ok();
}

Result<ConformanceTest> ModelTest(const std::string& section, const Node& t) {
  ConformanceTest test;
  test.section = section;
  test.node = &t;
  if (!t.is_message) return InvalidArgumentError("line " + std::to_string(t.line) + ": bad test");
  OP_RETURN_IF_ERROR(GetString(t, "name", test.name));
  OP_RETURN_IF_ERROR(GetString(t, "expr", test.expr));
  OP_RETURN_IF_ERROR(GetString(t, "container", test.container));
  OP_RETURN_IF_ERROR(GetBool(t, "disable_check", test.disable_check));
  OP_RETURN_IF_ERROR(GetBool(t, "disable_macros", test.disable_macros));
  OP_RETURN_IF_ERROR(GetBool(t, "check_only", test.check_only));
  test.type_env = t.FindAll("type_env");
  for (const Node* b : t.FindAll("bindings")) {
    std::string key;
    OP_RETURN_IF_ERROR(GetString(*b, "key", key));
    const Node* expr_value = b->Find("value");
    if (expr_value == nullptr || !expr_value->is_message) {
      return InvalidArgumentError("line " + std::to_string(b->line) + ": binding '" + key +
                                  "' has no ExprValue");
    }
    const Node* value = expr_value->Find("value");
    if (value == nullptr) {
      test.binding_not_value = true;
      value = expr_value;
    }
    test.bindings.emplace_back(key, value);
  }
  static constexpr std::pair<std::string_view, ConformanceTest::Expect> kMatchers[] = {
      {"value", ConformanceTest::Expect::kValue},
      {"eval_error", ConformanceTest::Expect::kEvalError},
      {"any_eval_errors", ConformanceTest::Expect::kAnyEvalErrors},
      {"unknown", ConformanceTest::Expect::kUnknown},
      {"any_unknowns", ConformanceTest::Expect::kAnyUnknowns},
      {"typed_result", ConformanceTest::Expect::kTypedResult},
  };
  for (const auto& [field, expect] : kMatchers) {
    const Node* m = t.Find(field);
    if (m == nullptr) continue;
    if (test.value != nullptr || !m->is_message) {
      return InvalidArgumentError("line " + std::to_string(m->line) + ": test '" + test.name +
                                  "' has a second or non-message result matcher '" +
                                  std::string(field) + "'");
    }
    test.expect = expect;
    test.value = m;
  }
  if (test.expect == ConformanceTest::Expect::kEvalError) {
    for (const Node* e : test.value->FindAll("errors")) {
      std::string message;
      OP_RETURN_IF_ERROR(GetString(*e, "message", message));
      test.error_messages.push_back(std::move(message));
    }
  }
  return test;
}

}  // namespace

Result<Node> ParseTextProto(std::string_view text) { return Parser(text).ParseRoot(); }

Result<ConformanceFile> LoadConformanceFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  Result<Node> parsed = ParseTextProto(buf.str());
  if (!parsed.ok()) return InvalidArgumentError(path + ":" + parsed.status().message());

  ConformanceFile file;
  file.root = std::make_unique<Node>(std::move(parsed).value());
  Status status = GetString(*file.root, "name", file.name);
  for (const Node* section : file.root->FindAll("section")) {
    std::string section_name;
    if (status.ok()) status = GetString(*section, "name", section_name);
    for (const Node* t : section->FindAll("test")) {
      if (!status.ok()) break;
      Result<ConformanceTest> test = ModelTest(section_name, *t);
      if (!test.ok()) {
        status = test.status();
      } else {
        file.tests.push_back(std::move(test).value());
      }
    }
  }
  if (!status.ok()) return InvalidArgumentError(path + ": " + status.message());
  return file;
}

}  // namespace orderpilot::conformance
