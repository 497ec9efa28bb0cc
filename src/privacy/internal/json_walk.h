// privacy/internal/json_walk.h — one validating pass over a raw JSON document that hands every
// string and number value (never an object key) to a visitor, with the stack of enclosing
// arrays and objects and each object's current key, so the visitor can tell where the value is.
//
// Iterative (an explicit stack, one frame per open array or object) and allocation-free per
// value: keys and values are views into the document. The visitor rewrites nothing itself; it
// records byte ranges to replace (see field_seal.cc).
//
// Thread-safety: stateless; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orderpilot::privacy::internal {

// Deepest nesting of arrays and objects accepted.
inline constexpr size_t kMaxWalkDepth = 512;

struct JsonFrame {
  bool is_object = false;
  bool key_escaped = false;  // objects: the current key holds a backslash
  size_t index = 0;          // arrays: the current element
  std::string_view key;      // objects: the current member's key, raw (escapes not decoded)
};

struct JsonValue {
  size_t begin = 0;  // the whole token in the document (a string with its quotes)
  size_t end = 0;
  bool is_string = false;
  bool escaped = false;   // strings: the contents hold an escape sequence
  std::string_view text;  // strings: the raw contents between the quotes; numbers: the token
};

// The parsing half of the walk: primitives over one document.
// "invalid JSON at byte <at>: <what>" (InvalidArgument): the one form of every JSON syntax
// error in this module (card_scan.h RedactJson and field_seal.h alike).
Status JsonSyntaxError(size_t at, std::string_view what);

// REQUIRES: in[open] == '"'. The offset of the string literal's closing quote, checking its
// escapes on the way; *escaped says whether it held any. Errors: JsonSyntaxError.
Result<size_t> ScanJsonString(std::string_view in, size_t open, bool* escaped);

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view in) : in_(in) {}

  std::string_view in() const { return in_; }
  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ == in_.size(); }
  char Peek() const { return in_[pos_]; }
  void Advance() { ++pos_; }
  void SkipWhitespace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }
  Status Error(size_t at, std::string_view what) const;
  // At a '"': reads the string and sets `v` (is_string, escaped, text, begin, end).
  Status ParseString(JsonValue* v);
  // At a scalar value: reads it; `v` is set for strings and numbers, `*is_value` false for
  // true/false/null.
  Status ParseScalar(JsonValue* v, bool* is_value);

 private:
  Status ParseNumber(JsonValue* v);

  std::string_view in_;
  size_t pos_ = 0;
};

// Walks `json`, calling `visit(const JsonValue&, const std::vector<JsonFrame>& stack)` ->
// Status for every string and number value; a non-OK Status from the visitor stops the walk.
// InvalidArgument for invalid JSON (with the byte offset) or nesting deeper than kMaxWalkDepth.
// `stack` is scratch space (cleared first), passed in so callers can reuse it.
template <typename Visit>
Status WalkJson(std::string_view json, std::vector<JsonFrame>& stack, Visit&& visit) {
  JsonCursor c(json);
  stack.clear();
  const auto member_key = [&]() -> Status {
    if (c.AtEnd() || c.Peek() != '"') return c.Error(c.pos(), "expected an object key");
    JsonValue k;
    OP_RETURN_IF_ERROR(c.ParseString(&k));
    stack.back().key = k.text;
    stack.back().key_escaped = k.escaped;
    c.SkipWhitespace();
    if (c.AtEnd() || c.Peek() != ':') return c.Error(c.pos(), "expected ':' after a key");
    c.Advance();
    return Status::Ok();
  };
  bool want_value = true;
  while (true) {
    c.SkipWhitespace();
    if (want_value) {
      if (c.AtEnd()) return c.Error(c.pos(), "expected a value, found the end");
      const char ch = c.Peek();
      if (ch != '{' && ch != '[') {
        JsonValue v;
        bool is_value = false;
        OP_RETURN_IF_ERROR(c.ParseScalar(&v, &is_value));
        if (is_value) OP_RETURN_IF_ERROR(visit(static_cast<const JsonValue&>(v), stack));
        want_value = false;
        continue;
      }
      if (stack.size() >= kMaxWalkDepth) {
        return InvalidArgumentError("JSON nested deeper than " + std::to_string(kMaxWalkDepth) +
                                    " levels");
      }
      const bool is_object = ch == '{';
      stack.push_back(JsonFrame{is_object, false, 0, {}});
      c.Advance();
      c.SkipWhitespace();
      if (!c.AtEnd() && c.Peek() == (is_object ? '}' : ']')) {
        c.Advance();
        stack.pop_back();
        want_value = false;
      } else if (is_object) {
        OP_RETURN_IF_ERROR(member_key());
      }
      continue;
    }
    if (stack.empty()) {
      if (!c.AtEnd()) return c.Error(c.pos(), "unexpected bytes after the document");
      return Status::Ok();
    }
    JsonFrame& top = stack.back();
    if (c.AtEnd())
      return c.Error(c.pos(), top.is_object ? "unterminated object" : "unterminated array");
    if (c.Peek() == ',') {
      c.Advance();
      if (top.is_object) {
        c.SkipWhitespace();
        OP_RETURN_IF_ERROR(member_key());
      } else {
        ++top.index;
      }
      want_value = true;
    } else if (c.Peek() == (top.is_object ? '}' : ']')) {
      c.Advance();
      stack.pop_back();
    } else {
      return c.Error(c.pos(), top.is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
}

// The decoded text of a validated string's raw contents. Lone surrogates become U+FFFD.
void DecodeJsonString(std::string_view raw, std::string* out);
// Appends `text` (UTF-8) as the contents of a JSON string: '"', '\\' and control characters
// escaped, everything else as it is.
void AppendJsonEscaped(std::string_view text, std::string* out);
// Whether `text` is exactly one JSON number token.
bool IsJsonNumber(std::string_view text);
// The JSON Pointer (RFC 6901) of the value the stack is at.
std::string JsonPointer(const std::vector<JsonFrame>& stack);

}  // namespace orderpilot::privacy::internal
