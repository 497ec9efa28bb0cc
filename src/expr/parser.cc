#include "expr/parser.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string>
#include <unordered_set>

#include "expr/value.h"

namespace orderpilot::expr {
namespace {

enum class Tok : uint8_t {
  kEnd,
  kError,
  kIdent,
  kQuotedIdent,  // `a.b-c`: a field name in backticks (after '.')
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kBang,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kEqEq,
  kNotEq,
  kAnd,
  kOr,
  kIn,
  kTrue,
  kFalse,
  kNull,
};

struct Token {
  Tok kind = Tok::kEnd;
  int32_t offset = 0;
  std::string text;  // identifier name, decoded string/bytes, or numeric text (digits only)
  int base = 10;     // for kInt/kUint
  std::string error;
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexVal(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

void AppendUtf8(std::string& out, uint32_t cp) {
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

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Token Next() {
    SkipSpaceAndComments();
    Token t;
    t.offset = static_cast<int32_t>(pos_);
    if (pos_ >= src_.size()) return t;
    char c = src_[pos_];
    // String prefixes: r, b, rb, br (any case).
    if (c == 'r' || c == 'R' || c == 'b' || c == 'B') {
      size_t p = pos_;
      bool raw = false, bytes = false;
      for (int i = 0; i < 2 && p < src_.size(); ++i) {
        char d = src_[p];
        if ((d == 'r' || d == 'R') && !raw) {
          raw = true;
          ++p;
        } else if ((d == 'b' || d == 'B') && !bytes) {
          bytes = true;
          ++p;
        } else {
          break;
        }
      }
      if (p < src_.size() && (src_[p] == '"' || src_[p] == '\'')) {
        pos_ = p;
        return LexString(t, raw, bytes);
      }
    }
    if (IsIdentStart(c)) {
      size_t start = pos_;
      while (pos_ < src_.size() && (IsIdentStart(src_[pos_]) || IsDigit(src_[pos_]))) ++pos_;
      t.text = std::string(src_.substr(start, pos_ - start));
      if (t.text == "in") {
        t.kind = Tok::kIn;
      } else if (t.text == "true") {
        t.kind = Tok::kTrue;
      } else if (t.text == "false") {
        t.kind = Tok::kFalse;
      } else if (t.text == "null") {
        t.kind = Tok::kNull;
      } else {
        t.kind = Tok::kIdent;
      }
      return t;
    }
    if (IsDigit(c) || (c == '.' && pos_ + 1 < src_.size() && IsDigit(src_[pos_ + 1]))) {
      return LexNumber(t);
    }
    if (c == '"' || c == '\'') return LexString(t, false, false);
    if (c == '`') {
      size_t end = src_.find('`', pos_ + 1);
      if (end == std::string_view::npos || end == pos_ + 1) {
        ++pos_;
        return Fail(t, "unterminated or empty `quoted` field name");
      }
      t.kind = Tok::kQuotedIdent;
      t.text = std::string(src_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return t;
    }
    ++pos_;
    auto two = [&](char next, Tok yes, Tok no) {
      if (pos_ < src_.size() && src_[pos_] == next) {
        ++pos_;
        return yes;
      }
      return no;
    };
    switch (c) {
      case '(':
        t.kind = Tok::kLParen;
        break;
      case ')':
        t.kind = Tok::kRParen;
        break;
      case '[':
        t.kind = Tok::kLBracket;
        break;
      case ']':
        t.kind = Tok::kRBracket;
        break;
      case '{':
        t.kind = Tok::kLBrace;
        break;
      case '}':
        t.kind = Tok::kRBrace;
        break;
      case '.':
        t.kind = Tok::kDot;
        break;
      case ',':
        t.kind = Tok::kComma;
        break;
      case ':':
        t.kind = Tok::kColon;
        break;
      case '?':
        t.kind = Tok::kQuestion;
        break;
      case '+':
        t.kind = Tok::kPlus;
        break;
      case '-':
        t.kind = Tok::kMinus;
        break;
      case '*':
        t.kind = Tok::kStar;
        break;
      case '/':
        t.kind = Tok::kSlash;
        break;
      case '%':
        t.kind = Tok::kPercent;
        break;
      case '!':
        t.kind = two('=', Tok::kNotEq, Tok::kBang);
        break;
      case '<':
        t.kind = two('=', Tok::kLessEq, Tok::kLess);
        break;
      case '>':
        t.kind = two('=', Tok::kGreaterEq, Tok::kGreater);
        break;
      case '=':
        t.kind = two('=', Tok::kEqEq, Tok::kError);
        if (t.kind == Tok::kError) t.error = "unexpected '=' (did you mean '=='?)";
        break;
      case '&':
        t.kind = two('&', Tok::kAnd, Tok::kError);
        if (t.kind == Tok::kError) t.error = "unexpected '&' (did you mean '&&'?)";
        break;
      case '|':
        t.kind = two('|', Tok::kOr, Tok::kError);
        if (t.kind == Tok::kError) t.error = "unexpected '|' (did you mean '||'?)";
        break;
      default:
        t.kind = Tok::kError;
        t.error = std::string("unexpected character '") + c + "'";
    }
    return t;
  }

 private:
  void SkipSpaceAndComments() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  Token LexNumber(Token& t) {
    size_t start = pos_;
    if (src_[pos_] == '0' && pos_ + 1 < src_.size() &&
        (src_[pos_ + 1] == 'x' || src_[pos_ + 1] == 'X')) {
      pos_ += 2;
      size_t digits = pos_;
      while (pos_ < src_.size() && IsHex(src_[pos_])) ++pos_;
      if (pos_ == digits) return Fail(t, "invalid hex literal");
      t.text = std::string(src_.substr(digits, pos_ - digits));
      t.base = 16;
      t.kind = Tok::kInt;
      if (pos_ < src_.size() && (src_[pos_] == 'u' || src_[pos_] == 'U')) {
        ++pos_;
        t.kind = Tok::kUint;
      }
      return t;
    }
    while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
    bool is_double = false;
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' && IsDigit(src_[pos_ + 1])) {
      is_double = true;
      ++pos_;
      while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
      if (p < src_.size() && IsDigit(src_[p])) {
        is_double = true;
        pos_ = p;
        while (pos_ < src_.size() && IsDigit(src_[pos_])) ++pos_;
      }
    }
    t.text = std::string(src_.substr(start, pos_ - start));
    if (is_double) {
      t.kind = Tok::kDouble;
    } else if (pos_ < src_.size() && (src_[pos_] == 'u' || src_[pos_] == 'U')) {
      ++pos_;
      t.kind = Tok::kUint;
    } else {
      t.kind = Tok::kInt;
    }
    return t;
  }

  Token& Fail(Token& t, std::string msg) {
    t.kind = Tok::kError;
    t.error = std::move(msg);
    return t;
  }

  Token LexString(Token& t, bool raw, bool bytes) {
    char q = src_[pos_];
    bool triple = pos_ + 2 < src_.size() && src_[pos_ + 1] == q && src_[pos_ + 2] == q;
    pos_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (pos_ >= src_.size()) return Fail(t, "unterminated string literal");
      char c = src_[pos_];
      if (triple) {
        if (c == q && pos_ + 2 < src_.size() && src_[pos_ + 1] == q && src_[pos_ + 2] == q) {
          pos_ += 3;
          break;
        }
      } else {
        if (c == q) {
          ++pos_;
          break;
        }
        if (c == '\n' || c == '\r') return Fail(t, "newline in string literal");
      }
      if (c == '\\' && !raw) {
        std::string err = Escape(out, bytes);
        if (!err.empty()) return Fail(t, err);
        continue;
      }
      out += c;
      ++pos_;
    }
    t.kind = bytes ? Tok::kBytes : Tok::kString;
    t.text = std::move(out);
    return t;
  }

  // At a backslash: decodes one escape into `out`. Returns an error message or "".
  std::string Escape(std::string& out, bool bytes) {
    ++pos_;
    if (pos_ >= src_.size()) return "unterminated escape";
    char c = src_[pos_++];
    switch (c) {
      case 'a':
        out += '\a';
        return "";
      case 'b':
        out += '\b';
        return "";
      case 'f':
        out += '\f';
        return "";
      case 'n':
        out += '\n';
        return "";
      case 'r':
        out += '\r';
        return "";
      case 't':
        out += '\t';
        return "";
      case 'v':
        out += '\v';
        return "";
      case '\\':
        out += '\\';
        return "";
      case '?':
        out += '?';
        return "";
      case '"':
        out += '"';
        return "";
      case '\'':
        out += '\'';
        return "";
      case '`':
        out += '`';
        return "";
      case 'x':
      case 'X': {
        if (pos_ + 2 > src_.size() || !IsHex(src_[pos_]) || !IsHex(src_[pos_ + 1])) {
          return "invalid \\x escape";
        }
        uint32_t v = HexVal(src_[pos_]) * 16 + HexVal(src_[pos_ + 1]);
        pos_ += 2;
        if (bytes) {
          out += static_cast<char>(v);
        } else {
          AppendUtf8(out, v);
        }
        return "";
      }
      case 'u':
      case 'U': {
        if (bytes) return "unicode escape in bytes literal";
        int n = c == 'u' ? 4 : 8;
        if (pos_ + n > src_.size()) return "invalid unicode escape";
        uint32_t v = 0;
        for (int i = 0; i < n; ++i) {
          if (!IsHex(src_[pos_ + i])) return "invalid unicode escape";
          v = v * 16 + HexVal(src_[pos_ + i]);
        }
        pos_ += n;
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return "invalid unicode code point";
        AppendUtf8(out, v);
        return "";
      }
      default:
        if (c >= '0' && c <= '3') {
          if (pos_ + 2 > src_.size() || src_[pos_] < '0' || src_[pos_] > '7' ||
              src_[pos_ + 1] < '0' || src_[pos_ + 1] > '7') {
            return "invalid octal escape";
          }
          uint32_t v = (c - '0') * 64 + (src_[pos_] - '0') * 8 + (src_[pos_ + 1] - '0');
          pos_ += 2;
          if (bytes) {
            out += static_cast<char>(v);
          } else {
            AppendUtf8(out, v);
          }
          return "";
        }
        return std::string("invalid escape '\\") + c + "'";
    }
  }

  std::string_view src_;
  size_t pos_ = 0;
};

const std::unordered_set<std::string_view>& ReservedWords() {
  static const std::unordered_set<std::string_view> kWords = {
      "as",  "break", "const",   "continue",  "else",   "for", "function", "if",   "import",
      "let", "loop",  "package", "namespace", "return", "var", "void",     "while"};
  return kWords;
}

class Parser {
 public:
  Parser(std::string_view src, const ParseOptions& options) : lex_(src), options_(options) {
    Advance();
  }

  ParseResult Run() {
    ParseResult r;
    auto root = ParseExpr();
    if (issues_.empty() && tok_.kind != Tok::kEnd) {
      Error(tok_.offset, "unexpected " + Describe(tok_) + " after the end of the expression");
    }
    r.issues = std::move(issues_);
    if (r.issues.empty()) {
      r.parsed.root = std::move(root);
      r.parsed.node_count = next_id_ - 1;
    }
    return r;
  }

 private:
  using Ptr = std::unique_ptr<Expr>;

  void Advance() {
    tok_ = lex_.Next();
    if (tok_.kind == Tok::kError) Error(tok_.offset, tok_.error);
  }

  void Error(int32_t offset, std::string msg) {
    if (issues_.size() < 5) issues_.push_back({offset, std::move(msg)});
    failed_ = true;
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd:
        return "end of input";
      case Tok::kIdent:
        return "'" + t.text + "'";
      case Tok::kInt:
      case Tok::kUint:
      case Tok::kDouble:
        return "number";
      case Tok::kString:
        return "string";
      case Tok::kBytes:
        return "bytes";
      default:
        return "token";
    }
  }

  bool Expect(Tok kind, const char* what) {
    if (tok_.kind == kind) {
      Advance();
      return true;
    }
    if (!failed_) Error(tok_.offset, std::string("expected ") + what + ", found " + Describe(tok_));
    return false;
  }

  Ptr New(ExprKind kind, int32_t offset) {
    auto e = std::make_unique<Expr>();
    e->id = next_id_++;
    e->kind = kind;
    e->offset = offset;
    return e;
  }

  Ptr Call(std::string fn, int32_t offset, Ptr a, Ptr b = nullptr, Ptr c = nullptr) {
    auto e = New(ExprKind::kCall, offset);
    e->string_value = std::move(fn);
    e->args.push_back(std::move(a));
    if (b) e->args.push_back(std::move(b));
    if (c) e->args.push_back(std::move(c));
    return e;
  }

  // RAII depth guard.
  struct Depth {
    Parser& p;
    bool ok;
    explicit Depth(Parser& parser) : p(parser), ok(++parser.depth_ <= parser.options_.max_depth) {
      if (!ok && !p.failed_) {
        p.Error(p.tok_.offset,
                "expression nesting exceeds the limit of " + std::to_string(p.options_.max_depth));
      }
    }
    ~Depth() { --p.depth_; }
  };

  Ptr ParseExpr() {
    Depth d(*this);
    if (!d.ok || failed_) return New(ExprKind::kConst, tok_.offset);
    Ptr cond = ParseBinary(0);
    if (tok_.kind != Tok::kQuestion) return cond;
    int32_t off = tok_.offset;
    Advance();
    Ptr yes = ParseBinary(0);
    Expect(Tok::kColon, "':'");
    Ptr no = ParseExpr();
    return Call("_?_:_", off, std::move(cond), std::move(yes), std::move(no));
  }

  bool Level(int& levels) {
    ++levels;
    if (++depth_ > options_.max_depth) {
      if (!failed_) {
        Error(tok_.offset,
              "expression nesting exceeds the limit of " + std::to_string(options_.max_depth));
      }
      return false;
    }
    return true;
  }

  // The binary operators, by precedence level from loosest (||) to tightest (* / %); the
  // function name of `t` at `level`, or null.
  static constexpr int kBinaryLevels = 5;
  static const char* BinaryOperator(int level, Tok t) {
    switch (level) {
      case 0:
        return t == Tok::kOr ? "_||_" : nullptr;
      case 1:
        return t == Tok::kAnd ? "_&&_" : nullptr;
      case 2:
        switch (t) {
          case Tok::kLess:
            return "_<_";
          case Tok::kLessEq:
            return "_<=_";
          case Tok::kGreater:
            return "_>_";
          case Tok::kGreaterEq:
            return "_>=_";
          case Tok::kEqEq:
            return "_==_";
          case Tok::kNotEq:
            return "_!=_";
          case Tok::kIn:
            return "@in";
          default:
            return nullptr;
        }
      case 3:
        return t == Tok::kPlus ? "_+_" : t == Tok::kMinus ? "_-_" : nullptr;
      default:
        return t == Tok::kStar      ? "_*_"
               : t == Tok::kSlash   ? "_/_"
               : t == Tok::kPercent ? "_%_"
                                    : nullptr;
    }
  }

  // One precedence level, left-associative. Chains are built iteratively, but each operand is a
  // deeper construct, so long chains (a || b || c ...) count as one level of depth each to bound
  // the tree depth that the checker and planner walk recursively.
  Ptr ParseBinary(int level) {
    if (level == kBinaryLevels) return ParseUnary();
    Ptr left = ParseBinary(level + 1);
    int levels = 0;
    while (!failed_) {
      const char* fn = BinaryOperator(level, tok_.kind);
      if (!fn) break;
      int32_t off = tok_.offset;
      Advance();
      if (!Level(levels)) break;
      left = Call(fn, off, std::move(left), ParseBinary(level + 1));
    }
    depth_ -= levels;
    return left;
  }

  // Each nesting construct (a parenthesis, bracket, call argument, or a unary operator) costs
  // one level of ParseOptions::max_depth.
  Ptr ParseUnary() {
    if (failed_) return New(ExprKind::kConst, tok_.offset);
    if (tok_.kind == Tok::kBang) {
      int32_t off = tok_.offset;
      Advance();
      Depth d(*this);
      if (!d.ok) return New(ExprKind::kConst, off);
      return Call("!_", off, ParseUnary());
    }
    if (tok_.kind == Tok::kMinus) {
      int32_t off = tok_.offset;
      Advance();
      // A negative numeric literal is one constant (so -9223372036854775808 is an int).
      if (tok_.kind == Tok::kInt || tok_.kind == Tok::kDouble) {
        Token lit = tok_;
        Advance();
        Ptr e = NumberLiteral(lit, /*negative=*/true, off);
        return ParseMemberSuffix(std::move(e));
      }
      Depth d(*this);
      if (!d.ok) return New(ExprKind::kConst, off);
      return Call("-_", off, ParseUnary());
    }
    return ParseMember();
  }

  Ptr NumberLiteral(const Token& t, bool negative, int32_t off) {
    Ptr e = New(ExprKind::kConst, off);
    if (t.kind == Tok::kDouble) {
      e->const_kind = ConstKind::kDouble;
      e->double_value = std::strtod(t.text.c_str(), nullptr);
      if (negative) e->double_value = -e->double_value;
      return e;
    }
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v, t.base);
    if (ec != std::errc() || p != t.text.data() + t.text.size()) {
      Error(off, "integer literal out of range: " + t.text);
      return e;
    }
    if (t.kind == Tok::kUint) {
      e->const_kind = ConstKind::kUint;
      e->uint_value = v;
      if (negative) Error(off, "unsigned literal cannot be negative");
      return e;
    }
    e->const_kind = ConstKind::kInt;
    if (negative) {
      if (v > 9223372036854775808ull) {
        Error(off, "integer literal out of range: -" + t.text);
      } else {
        e->int_value = static_cast<int64_t>(0 - v);
      }
    } else if (v > 9223372036854775807ull) {
      Error(off, "integer literal out of range: " + t.text);
    } else {
      e->int_value = static_cast<int64_t>(v);
    }
    return e;
  }

  Ptr ParseMember() { return ParseMemberSuffix(ParsePrimary()); }

  Ptr ParseMemberSuffix(Ptr e) {
    int levels = 0;
    while (!failed_) {
      if (tok_.kind == Tok::kDot) {
        int32_t off = tok_.offset;
        Advance();
        if (tok_.kind != Tok::kIdent && tok_.kind != Tok::kQuotedIdent) {
          Expect(Tok::kIdent, "a field or method name after '.'");
          break;
        }
        bool quoted = tok_.kind == Tok::kQuotedIdent;
        std::string name = tok_.text;
        int32_t name_off = tok_.offset;
        Advance();
        if (!Level(levels)) break;
        if (tok_.kind == Tok::kLParen && !quoted) {
          Advance();
          std::vector<Ptr> args = ParseArgs(Tok::kRParen, "')'");
          e = MakeCall(std::move(name), name_off, std::move(e), std::move(args));
        } else {
          Ptr s = New(ExprKind::kSelect, off);
          s->string_value = std::move(name);
          s->operand = std::move(e);
          e = std::move(s);
        }
      } else if (tok_.kind == Tok::kLBracket) {
        int32_t off = tok_.offset;
        Advance();
        if (!Level(levels)) break;
        Ptr index = ParseExpr();
        Expect(Tok::kRBracket, "']'");
        e = Call("_[_]", off, std::move(e), std::move(index));
      } else {
        break;
      }
    }
    depth_ -= levels;
    return e;
  }

  std::vector<Ptr> ParseArgs(Tok close, const char* what) {
    std::vector<Ptr> args;
    if (tok_.kind == close) {
      Advance();
      return args;
    }
    while (!failed_) {
      args.push_back(ParseExpr());
      if (tok_.kind == Tok::kComma) {
        Advance();
        if (close != Tok::kRParen && tok_.kind == close) break;  // trailing comma in lists
        continue;
      }
      break;
    }
    Expect(close, what);
    return args;
  }

  bool IsReserved(const std::string& name, int32_t off) {
    if (ReservedWords().count(name)) {
      Error(off, "'" + name + "' is a reserved word");
      return true;
    }
    return false;
  }

  Ptr ParsePrimary() {
    Token t = tok_;
    if (failed_) return New(ExprKind::kConst, t.offset);
    switch (t.kind) {
      case Tok::kInt:
      case Tok::kUint:
      case Tok::kDouble:
        Advance();
        return NumberLiteral(t, false, t.offset);
      case Tok::kString:
      case Tok::kBytes: {
        Advance();
        Ptr e = New(ExprKind::kConst, t.offset);
        e->const_kind = t.kind == Tok::kString ? ConstKind::kString : ConstKind::kBytes;
        if (t.kind == Tok::kString && !IsValidUtf8(t.text)) {
          Error(t.offset, "string literal is not valid UTF-8");
        }
        e->string_value = std::move(t.text);
        return e;
      }
      case Tok::kTrue:
      case Tok::kFalse: {
        Advance();
        Ptr e = New(ExprKind::kConst, t.offset);
        e->const_kind = ConstKind::kBool;
        e->bool_value = t.kind == Tok::kTrue;
        return e;
      }
      case Tok::kNull: {
        Advance();
        return New(ExprKind::kConst, t.offset);
      }
      case Tok::kLParen: {
        Advance();
        Ptr e = ParseExpr();
        Expect(Tok::kRParen, "')'");
        return e;
      }
      case Tok::kLBracket: {
        Advance();
        Ptr e = New(ExprKind::kList, t.offset);
        e->args = ParseArgs(Tok::kRBracket, "']'");
        return e;
      }
      case Tok::kLBrace: {
        Advance();
        Ptr e = New(ExprKind::kMap, t.offset);
        ParseEntries(*e, /*fields=*/false);
        return e;
      }
      case Tok::kDot:
      case Tok::kIdent: {
        bool leading_dot = t.kind == Tok::kDot;
        if (leading_dot) {
          Advance();
          if (tok_.kind != Tok::kIdent) {
            Expect(Tok::kIdent, "an identifier after '.'");
            return New(ExprKind::kConst, t.offset);
          }
        }
        std::string name = tok_.text;
        int32_t off = tok_.offset;
        Advance();
        if (IsReserved(name, off)) return New(ExprKind::kConst, off);
        if (tok_.kind == Tok::kLParen) {
          Advance();
          std::vector<Ptr> args = ParseArgs(Tok::kRParen, "')'");
          if (leading_dot) name = "." + name;
          return MakeCall(std::move(name), off, nullptr, std::move(args));
        }
        // Message literal: Name{...} or a.b.Name{...}: only after a plain (qualified) name.
        if (tok_.kind == Tok::kLBrace) {
          Advance();
          Ptr e = New(ExprKind::kStruct, off);
          e->string_value = (leading_dot ? "." : "") + name;
          ParseEntries(*e, /*fields=*/true);
          return e;
        }
        Ptr e = New(ExprKind::kIdent, off);
        e->string_value = std::move(name);
        e->leading_dot = leading_dot;
        // Qualified message names: a.b.Name{...}. Each selection is a level of nesting.
        int levels = 0;
        struct Restore {
          Parser& p;
          int& levels;
          ~Restore() { p.depth_ -= levels; }
        } restore{*this, levels};
        while (tok_.kind == Tok::kDot && !failed_) {
          if (!Level(levels)) break;
          // Peek: ident followed by '{' makes a message literal; else leave to member suffix.
          Lexer save = lex_;
          Token save_tok = tok_;
          Advance();
          if (tok_.kind == Tok::kIdent) {
            std::string part = tok_.text;
            Advance();
            if (tok_.kind == Tok::kLBrace && QualifiedName(*e)) {
              Advance();
              Ptr s = New(ExprKind::kStruct, off);
              s->string_value = QualifiedText(*e) + "." + part;
              ParseEntries(*s, /*fields=*/true);
              return s;
            }
            if (tok_.kind != Tok::kLParen && tok_.kind != Tok::kLBrace) {
              Ptr sel = New(ExprKind::kSelect, save_tok.offset);
              sel->string_value = std::move(part);
              sel->operand = std::move(e);
              e = std::move(sel);
              continue;
            }
          }
          lex_ = save;
          tok_ = save_tok;
          break;
        }
        return e;
      }
      default:
        if (!failed_) Error(t.offset, "expected an expression, found " + Describe(t));
        return New(ExprKind::kConst, t.offset);
    }
  }

  static bool QualifiedName(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return true;
    return e.kind == ExprKind::kSelect && QualifiedName(*e.operand);
  }
  static std::string QualifiedText(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return (e.leading_dot ? "." : "") + e.string_value;
    return QualifiedText(*e.operand) + "." + e.string_value;
  }

  void ParseEntries(Expr& e, bool fields) {
    if (tok_.kind == Tok::kRBrace) {
      Advance();
      return;
    }
    while (!failed_) {
      if (fields) {
        if (tok_.kind != Tok::kIdent) {
          Expect(Tok::kIdent, "a field name");
          return;
        }
        e.field_names.push_back(tok_.text);
        Advance();
        Expect(Tok::kColon, "':'");
        e.args.push_back(ParseExpr());
      } else {
        e.args.push_back(ParseExpr());
        Expect(Tok::kColon, "':'");
        e.args.push_back(ParseExpr());
      }
      if (tok_.kind == Tok::kComma) {
        Advance();
        if (tok_.kind == Tok::kRBrace) break;
        continue;
      }
      break;
    }
    Expect(Tok::kRBrace, "'}'");
  }

  // The comprehension for a receiver macro call, or null when `name(args)` is no macro (target
  // and args are then left untouched).
  Ptr MakeMacro(const std::string& name, int32_t off, Ptr& target, std::vector<Ptr>& args) {
    MacroKind kind;
    int vars = 1;
    size_t n = args.size();
    if (name == "all" || name == "exists" || name == "exists_one" || name == "existsOne") {
      kind = name == "all"      ? MacroKind::kAll
             : name == "exists" ? MacroKind::kExists
                                : MacroKind::kExistsOne;
      if (n == 3) {
        vars = 2;
      } else if (n != 2) {
        return nullptr;
      }
    } else if (name == "map" && (n == 2 || n == 3)) {
      kind = n == 3 ? MacroKind::kMapFilter : MacroKind::kMap;
    } else if (name == "filter" && n == 2) {
      kind = MacroKind::kFilter;
    } else if ((name == "transformList" || name == "transformMap") && (n == 3 || n == 4)) {
      kind = name == "transformList" ? MacroKind::kTransformList : MacroKind::kTransformMap;
      vars = 2;
    } else {
      return nullptr;
    }
    for (int i = 0; i < vars; ++i) {
      if (args[i]->kind != ExprKind::kIdent || args[i]->leading_dot) {
        Error(args[i]->offset,
              "argument " + std::to_string(i + 1) + " of " + name + "() must be a variable name");
        return New(ExprKind::kConst, off);
      }
    }
    Ptr c = New(ExprKind::kComprehension, off);
    c->macro = kind;
    c->string_value = args[0]->string_value;
    if (vars == 2) c->iter_var2 = args[1]->string_value;
    c->operand = std::move(target);
    for (size_t i = vars; i < n; ++i) c->args.push_back(std::move(args[i]));
    return c;
  }

  // Builds a call, expanding macros.
  Ptr MakeCall(std::string name, int32_t off, Ptr target, std::vector<Ptr> args) {
    if (options_.enable_macros) {
      if (!target && name == "has" && args.size() == 1) {
        if (args[0]->kind != ExprKind::kSelect) {
          Error(off, "has() needs a field selection, as in has(order.shipping_address)");
          return New(ExprKind::kConst, off);
        }
        Ptr sel = std::move(args[0]);
        sel->kind = ExprKind::kHas;
        return sel;
      }
      if (target) {
        if (Ptr c = MakeMacro(name, off, target, args)) return c;
      }
    }
    Ptr e = New(ExprKind::kCall, off);
    e->string_value = std::move(name);
    e->operand = std::move(target);
    e->args = std::move(args);
    return e;
  }

  Lexer lex_;
  Token tok_;
  const ParseOptions& options_;
  std::vector<Issue> issues_;
  bool failed_ = false;
  int depth_ = 0;
  int32_t next_id_ = 1;
};

}  // namespace

ParseResult Parse(std::string_view source, const ParseOptions& options) {
  if (source.size() > options.max_source_bytes) {
    ParseResult r;
    r.issues.push_back({0, "expression is " + std::to_string(source.size()) +
                               " bytes, over the limit of " +
                               std::to_string(options.max_source_bytes)});
    return r;
  }
  Parser p(source, options);
  ParseResult r = p.Run();
  if (r.issues.empty()) r.parsed.source = std::string(source);
  return r;
}

}  // namespace orderpilot::expr
