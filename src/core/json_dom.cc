#include "core/json_dom.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <vector>

namespace orderpilot::json_dom {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

simdjson::dom::parser& ThreadParser() {
  // The capacity grows with the largest document parsed on the thread; the depth limit, set by
  // allocate(), stays (ParseObject re-checks it).
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::string_view TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

Status Mismatch(std::string_view want, element e, std::string path) {
  return UnprocessableError(
      "expected " + std::string(want) + ", got " + std::string(TypeName(e.type())),
      std::move(path));
}

}  // namespace

namespace {

// The path ("customer.email", "line_items[2].sku") of the first key that appears twice in one
// object, in document order; nullopt when none does. Iterative: depth is bounded by the parser
// already, but the walk needs no stack of its own calls.
std::optional<std::string> FindDuplicateKey(element root) {
  std::vector<std::pair<element, std::string>> todo;
  todo.emplace_back(root, "");
  std::vector<std::string_view> keys;
  while (!todo.empty()) {
    auto [e, path] = std::move(todo.back());
    todo.pop_back();
    simdjson::dom::object object;
    simdjson::dom::array array;
    if (e.get(object) == simdjson::SUCCESS) {
      keys.clear();
      for (auto field : object) {
        keys.push_back(field.key);
        if (field.value.is_object() || field.value.is_array())
          todo.emplace_back(field.value, MemberPath(path, field.key));
      }
      if (keys.size() < 2) continue;
      std::sort(keys.begin(), keys.end());
      auto dup = std::adjacent_find(keys.begin(), keys.end());
      if (dup != keys.end()) return MemberPath(path, *dup);
    } else if (e.get(array) == simdjson::SUCCESS) {
      size_t i = 0;
      for (element item : array) {
        if (item.is_object() || item.is_array()) todo.emplace_back(item, IndexPath(path, i));
        ++i;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Result<simdjson::dom::object> ParseObject(std::string_view json) {
  if (json.empty()) return InvalidArgumentError("body is empty; expected a JSON object");
  simdjson::dom::parser& parser = ThreadParser();
  if (parser.max_depth() != kMaxDepth &&
      parser.allocate(std::max<size_t>(json.size(), 4096), kMaxDepth) != simdjson::SUCCESS)
    return ResourceExhaustedError("cannot allocate a JSON parser for the body");
  element root;
  simdjson::error_code err = parser.parse(json.data(), json.size(), true).get(root);
  switch (err) {
    case simdjson::SUCCESS:
      break;
    case simdjson::DEPTH_ERROR:
      return InvalidArgumentError("JSON nesting deeper than " + std::to_string(kMaxDepth) +
                                  " levels");
    case simdjson::UTF8_ERROR:
      return InvalidArgumentError("body is not valid UTF-8");
    case simdjson::EMPTY:
      return InvalidArgumentError("body is empty; expected a JSON object");
    case simdjson::MEMALLOC:
    case simdjson::CAPACITY:
      return InvalidArgumentError("JSON document too large");
    case simdjson::NUMBER_ERROR:
      return InvalidArgumentError("invalid JSON: a number is malformed or out of range");
    default:
      return InvalidArgumentError(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS)
    return InvalidArgumentError("top level of the body must be a JSON object, got " +
                                std::string(TypeName(root.type())));
  // Two readers of the same bytes could disagree on which of two values counts (the card scrub
  // sees both, a reader takes one): a document with a key twice is refused, not guessed at.
  if (std::optional<std::string> dup = FindDuplicateKey(root))
    return InvalidArgumentError("invalid JSON: key '" + *dup + "' appears twice", *dup);
  return object;
}

std::string IndexPath(std::string_view array_path, size_t index) {
  std::string p(array_path);
  p += '[';
  p += std::to_string(index);
  p += ']';
  return p;
}

std::string MemberPath(std::string_view object_path, std::string_view key) {
  if (object_path.empty()) return std::string(key);
  std::string p(object_path);
  p += '.';
  p += key;
  return p;
}

Status TypeError(std::string_view what, std::string path) {
  return UnprocessableError("expected " + std::string(what), std::move(path));
}

Result<std::string> IdTextOf(element e, const std::string& path) {
  switch (e.type()) {
    case element_type::INT64:
      return std::to_string(int64_t(e));
    case element_type::UINT64:
      return std::to_string(uint64_t(e));
    case element_type::STRING:
      return std::string(std::string_view(e));
    default:
      return Mismatch("an id (integer or string)", e, path);
  }
}

Result<Money> MoneyOf(element e, Currency currency, MoneyForm form, const std::string& path) {
  std::string text;
  std::string_view amount;
  if (e.type() == element_type::STRING) {
    amount = std::string_view(e);
  } else if (form == MoneyForm::kStringOrNumber && e.is_number()) {
    char buf[64];
    std::to_chars_result r{};
    if (e.type() == element_type::INT64) {
      r = std::to_chars(buf, buf + sizeof buf, int64_t(e));
    } else if (e.type() == element_type::UINT64) {
      r = std::to_chars(buf, buf + sizeof buf, uint64_t(e));
    } else {
      r = std::to_chars(buf, buf + sizeof buf, double(e), std::chars_format::fixed);
    }
    if (r.ec != std::errc()) return UnprocessableError("amount out of range", path);
    text.assign(buf, r.ptr);
    amount = text;
  } else {
    return Mismatch(form == MoneyForm::kStringOnly ? "a decimal string such as \"19.99\""
                                                   : "an amount (decimal string or number)",
                    e, path);
  }
  Result<Money> m = Money::Parse(amount, currency);
  if (!m.ok()) return UnprocessableError(m.status().message(), path);
  return m;
}

std::optional<element> ObjectReader::Find(std::string_view key) const {
  element e;
  if (object_.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  if (e.is_null()) return std::nullopt;
  return e;
}

Result<std::optional<std::string_view>> ObjectReader::OptString(std::string_view key) const {
  std::optional<element> e = Find(key);
  if (!e) return std::optional<std::string_view>();
  if (e->type() != element_type::STRING) return Mismatch("a string", *e, PathOf(key));
  return std::optional<std::string_view>(std::string_view(*e));
}

Result<std::string> ObjectReader::String(std::string_view key) const {
  OP_ASSIGN_OR_RETURN(std::optional<std::string_view> s, OptString(key));
  return s ? std::string(*s) : std::string();
}

Result<std::optional<int64_t>> ObjectReader::OptInt(std::string_view key) const {
  std::optional<element> e = Find(key);
  if (!e) return std::optional<int64_t>();
  if (e->type() == element_type::INT64) return std::optional<int64_t>(int64_t(*e));
  if (e->type() == element_type::UINT64)
    return UnprocessableError("integer out of range", PathOf(key));
  return Mismatch("an integer", *e, PathOf(key));
}

Result<std::optional<bool>> ObjectReader::OptBool(std::string_view key) const {
  std::optional<element> e = Find(key);
  if (!e) return std::optional<bool>();
  if (e->type() != element_type::BOOL) return Mismatch("a boolean", *e, PathOf(key));
  return std::optional<bool>(bool(*e));
}

Result<std::optional<double>> ObjectReader::OptNumber(std::string_view key) const {
  std::optional<element> e = Find(key);
  if (!e) return std::optional<double>();
  double d;
  if (!e->is_number() || e->get(d) != simdjson::SUCCESS)
    return Mismatch("a number", *e, PathOf(key));
  return std::optional<double>(d);
}

Result<std::optional<ObjectReader>> ObjectReader::OptObject(std::string_view key) const {
  std::optional<element> e = Find(key);
  if (!e) return std::optional<ObjectReader>();
  simdjson::dom::object o;
  if (e->get(o) != simdjson::SUCCESS) return Mismatch("an object", *e, PathOf(key));
  return std::optional<ObjectReader>(ObjectReader(o, PathOf(key)));
}

Result<std::optional<simdjson::dom::array>> ObjectReader::OptArray(std::string_view key) const {
  std::optional<element> e = Find(key);
  if (!e) return std::optional<simdjson::dom::array>();
  simdjson::dom::array a;
  if (e->get(a) != simdjson::SUCCESS) return Mismatch("an array", *e, PathOf(key));
  return std::optional<simdjson::dom::array>(a);
}

Result<std::string> ObjectReader::IdText(std::string_view key) const {
  std::optional<element> e = Find(key);
  if (!e) return std::string();
  return IdTextOf(*e, PathOf(key));
}

Result<std::optional<Timestamp>> ObjectReader::OptTimestamp(std::string_view key) const {
  OP_ASSIGN_OR_RETURN(std::optional<std::string_view> s, OptString(key));
  if (!s) return std::optional<Timestamp>();
  Result<Timestamp> t = ParseTimestamp(*s);
  if (!t.ok()) return UnprocessableError(t.status().message(), PathOf(key));
  return std::optional<Timestamp>(*t);
}

Result<std::optional<Money>> ObjectReader::OptMoney(std::string_view key, Currency currency,
                                                    MoneyForm form) const {
  std::optional<element> e = Find(key);
  if (!e) return std::optional<Money>();
  OP_ASSIGN_OR_RETURN(Money m, MoneyOf(*e, currency, form, PathOf(key)));
  return std::optional<Money>(m);
}

Result<std::string_view> ObjectReader::RequiredString(std::string_view key) const {
  OP_ASSIGN_OR_RETURN(std::optional<std::string_view> s, OptString(key));
  if (!s) return UnprocessableError("missing " + std::string(key), PathOf(key));
  return *s;
}

Result<int64_t> ObjectReader::RequiredInt(std::string_view key) const {
  OP_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptInt(key));
  if (!v) return UnprocessableError("missing " + std::string(key), PathOf(key));
  return *v;
}

Result<Money> ObjectReader::RequiredMoney(std::string_view key, Currency currency,
                                          MoneyForm form) const {
  OP_ASSIGN_OR_RETURN(std::optional<Money> m, OptMoney(key, currency, form));
  if (!m) return UnprocessableError("missing " + std::string(key), PathOf(key));
  return *m;
}

Result<ObjectReader> AsObject(element e, std::string path) {
  simdjson::dom::object o;
  if (e.get(o) != simdjson::SUCCESS) return Mismatch("an object", e, std::move(path));
  return ObjectReader(o, std::move(path));
}

Result<std::optional<Address>> ReadAddress(const ObjectReader& parent, std::string_view key) {
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> r, parent.OptObject(key));
  if (!r) return std::optional<Address>();
  Address a;
  std::pair<std::string_view, std::string*> fields[] = {
      {"first_name", &a.first_name},
      {"last_name", &a.last_name},
      {"company", &a.company},
      {"address1", &a.address1},
      {"address2", &a.address2},
      {"city", &a.city},
      {"province", &a.province},
      {"province_code", &a.province_code},
      {"country", &a.country},
      {"country_code", &a.country_code},
      {"zip", &a.zip},
      {"phone", &a.phone},
  };
  for (auto& [name, field] : fields) {
    OP_ASSIGN_OR_RETURN(*field, r->String(name));
  }
  return std::optional<Address>(std::move(a));
}

}  // namespace orderpilot::json_dom
