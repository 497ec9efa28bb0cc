// core/json_writer.h — the one JSON output writer used everywhere (API bodies, event payloads).
//
// Streaming and allocation-light: appends to one std::string. The caller is responsible for
// balanced Begin/End calls; commas and escaping are handled here. Strings are escaped per RFC 8259
// (control characters as \u00XX); input is assumed to be valid UTF-8 (parsers validate it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace orderpilot {

class JsonWriter {
 public:
  JsonWriter() { need_comma_.reserve(16); }
  // Room for `bytes` of output up front (a writer that knows its document is ~1 KB grows once).
  explicit JsonWriter(size_t bytes) : JsonWriter() { out_.reserve(bytes); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Writes an object key; the next call writes its value.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Double(double v);  // finite values only; NaN/Inf are written as null
  // As Double, in the shortest form that reads back as the same float ("0.3", not the
  // "0.30000001192092896" that widening to double would print).
  JsonWriter& Float(float v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Inserts already-serialised JSON as one value. REQUIRES: `json` is valid JSON.
  JsonWriter& Raw(std::string_view json);

  // Key + value shorthands.
  JsonWriter& Field(std::string_view key, std::string_view v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, const char* v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, int64_t v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, int v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, bool v) { return Key(key).Bool(v); }
  JsonWriter& Field(std::string_view key, double v) { return Key(key).Double(v); }
  JsonWriter& Field(std::string_view key, float v) { return Key(key).Float(v); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();

  std::string out_;
  std::vector<bool> need_comma_;  // one entry per open container
  bool after_key_ = false;
};

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string& out, std::string_view s);

// Writes `key` with the time in RFC 3339 (FormatTimestamp), or null when `t` is absent.
void WriteOptionalTime(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t);

}  // namespace orderpilot
