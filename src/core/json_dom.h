// core/json_dom.h — typed, path-aware reading of simdjson DOM objects, shared by every decoder of
// inbound JSON (core/order_json.cc, ingest/*.cc).
//
// THIS HEADER INCLUDES simdjson.h: include it only from .cc files, never from another header, and
// only in targets that link simdjson (core and ingest link it privately).
//
// Contract shared by every reader: a member that is absent or JSON null reads as "not there" (the
// channels send null for most empty fields); a member of the wrong JSON type is
// Unprocessable("expected <type>", "<path>") where <path> is the JSON path from the document root,
// e.g. "line_items[2].quantity". Parse errors of the document itself are InvalidArgument.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/money.h"
#include "core/order.h"
#include "core/status.h"
#include "core/time.h"

namespace orderpilot::json_dom {

// Deepest nesting of arrays and objects accepted in any inbound document (the top-level object
// counts as 1).
inline constexpr size_t kMaxDepth = 64;

// Parses `json` with the calling thread's parser. The returned object points into that parser and
// is valid until the next ParseObject call on the same thread.
// InvalidArgument (no field) for: invalid JSON, invalid UTF-8, nesting deeper than kMaxDepth,
// integers beyond the uint64 range, and a top-level value that is not an object.
Result<simdjson::dom::object> ParseObject(std::string_view json);

// "line_items" + 2 → "line_items[2]".
std::string IndexPath(std::string_view array_path, size_t index);
// "" + "currency" → "currency"; "customer" + "email" → "customer.email".
std::string MemberPath(std::string_view object_path, std::string_view key);

// Unprocessable("expected <what>", path).
Status TypeError(std::string_view what, std::string path);

// Decimal text of an integer element (int64 or uint64 exactly) or the text of a string element;
// Unprocessable otherwise. Shopify ids exceed 2^53, so they are never read through a double.
Result<std::string> IdTextOf(simdjson::dom::element e, const std::string& path);

// How money members may be written.
enum class MoneyForm {
  kStringOnly,      // "19.99" — the canonical format
  kStringOrNumber,  // also 19.99 (Shopify's refund subtotals); the number is read through its
                    // shortest round-trip decimal form, so any amount with ≤ 15 significant
                    // digits is exact
};

// One JSON object plus its path from the document root. Cheap to copy (a simdjson handle and a
// string). Not thread-safe beyond the thread that parsed the document.
class ObjectReader {
 public:
  ObjectReader(simdjson::dom::object object, std::string path)
      : object_(object), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return MemberPath(path_, key); }

  // The member, or nullopt when it is absent or null.
  std::optional<simdjson::dom::element> Find(std::string_view key) const;

  Result<std::optional<std::string_view>> OptString(std::string_view key) const;
  // As OptString, "" when absent or null.
  Result<std::string> String(std::string_view key) const;
  // Integers only (1.0 and "1" are refused); uint64 values above INT64_MAX are refused.
  Result<std::optional<int64_t>> OptInt(std::string_view key) const;
  Result<std::optional<bool>> OptBool(std::string_view key) const;
  // Any JSON number, as a double.
  Result<std::optional<double>> OptNumber(std::string_view key) const;
  Result<std::optional<ObjectReader>> OptObject(std::string_view key) const;
  Result<std::optional<simdjson::dom::array>> OptArray(std::string_view key) const;
  // An id as exact decimal text (see IdTextOf); "" when absent or null.
  Result<std::string> IdText(std::string_view key) const;
  // An RFC 3339 string; Unprocessable (with the parser's message) when it does not parse.
  Result<std::optional<Timestamp>> OptTimestamp(std::string_view key) const;
  // An amount in `currency`; Unprocessable when it does not parse exactly in that currency.
  Result<std::optional<Money>> OptMoney(std::string_view key, Currency currency,
                                        MoneyForm form) const;

  // Required variants: Unprocessable("missing <key>", path) when absent or null.
  Result<std::string_view> RequiredString(std::string_view key) const;
  Result<int64_t> RequiredInt(std::string_view key) const;
  Result<Money> RequiredMoney(std::string_view key, Currency currency, MoneyForm form) const;

 private:
  simdjson::dom::object object_;
  std::string path_;
};

// The element at `path` as an object; Unprocessable("expected an object", path) otherwise.
Result<ObjectReader> AsObject(simdjson::dom::element e, std::string path);

// Calls `fn(const ObjectReader&) -> Status` for each element of the array member `key` of
// `parent`, stopping at the first error. Absent or null: no calls. An element that is not an
// object is Unprocessable at "<key>[i]".
template <typename Fn>
Status ForEachObject(const ObjectReader& parent, std::string_view key, Fn&& fn) {
  OP_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> arr, parent.OptArray(key));
  if (!arr) return Status::Ok();
  std::string base = parent.PathOf(key);
  size_t i = 0;
  for (simdjson::dom::element e : *arr) {
    OP_ASSIGN_OR_RETURN(ObjectReader item, AsObject(e, IndexPath(base, i)));
    OP_RETURN_IF_ERROR(fn(item));
    ++i;
  }
  return Status::Ok();
}

// Reads `e` as money in `currency` (see MoneyForm); errors name `path`.
Result<Money> MoneyOf(simdjson::dom::element e, Currency currency, MoneyForm form,
                      const std::string& path);

// Reads the address object at `key` (absent or null: nullopt). The keys are the canonical ones,
// which are also Shopify's: first_name, last_name, company, address1, address2, city, province,
// province_code, country, country_code, zip, phone.
Result<std::optional<Address>> ReadAddress(const ObjectReader& parent, std::string_view key);

}  // namespace orderpilot::json_dom
