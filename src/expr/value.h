// expr/value.h — the runtime values of the expression language (CEL).
//
// A Value is 24 trivially copyable bytes: a kind and two words. It never owns memory. Strings,
// lists and maps it refers to live either in the caller's bound data (an Order the rule reads) or
// in the evaluation's Arena (results such as "a" + "b"); a Value is valid while both live.
// Composite values (lists, maps, objects) are a data pointer plus a table of operations, so the
// engine reads a std::vector<LineItem> or a whole Order in place, without converting it.
//
// Errors in the user's expression are values too (kind kError): `1 / 0` evaluates to an error
// value, which `false && (1 / 0 > 2)` absorbs as CEL's logic operators require.
//
// Thread-safety: Values are immutable; share them freely while what they point to lives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace orderpilot::expr {

enum class Kind : uint8_t {
  kNull,
  kBool,
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kList,
  kMap,
  kObject,
  kTimestamp,
  kDuration,
  kMoney,
  kType,
  kError,
};

class Value;
class EvalContext;

// Bump allocator for values made during one evaluation. Reset() keeps the blocks, so a program
// evaluated again and again stops calling malloc once the arena has grown to its working size.
// Only trivially destructible objects may live here. Not thread-safe: one per evaluating thread.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* Allocate(size_t bytes, size_t align = alignof(std::max_align_t));
  template <typename T, typename... Args>
  T* New(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>);
    return new (Allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
  }
  // Copies `s` into the arena.
  std::string_view Copy(std::string_view s);
  // Forgets everything allocated; keeps the memory for reuse.
  void Reset();
  size_t bytes_in_use() const;

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };
  std::vector<Block> blocks_;
  size_t block_ = 0;  // current block index
  size_t used_ = 0;   // bytes used in the current block
};

// Operations of a list, in place over its data. `get` REQUIRES: i < size.
struct ListOps {
  size_t (*size)(const void* data);
  Value (*get)(const void* data, size_t i, EvalContext& ctx);
};

// Operations of a map. `find` returns false for an absent key; keys iterate in a stable order.
struct MapOps {
  size_t (*size)(const void* data);
  bool (*find)(const void* data, const Value& key, Value* out, EvalContext& ctx);
  Value (*key_at)(const void* data, size_t i, EvalContext& ctx);
  Value (*value_at)(const void* data, size_t i, EvalContext& ctx);
};

struct Type;  // expr/type.h

// A field of an object type. `has` answers CEL's has(); when null, has() is "value is not its
// default" (non-empty string/list/map, non-zero number, true).
struct FieldDescriptor {
  std::string_view name;
  const Type* type;  // static type for the checker; owned by the ObjectType's TypeStore
  Value (*get)(const void* object, EvalContext& ctx);
  bool (*has)(const void* object) = nullptr;
  std::string_view doc;  // one line for `orderpilot rules` help and docs
};

// A native (C++) object the language can read fields of: an Order, a LineItem, … Owned by
// whoever builds the environment; must outlive the programs compiled against it.
struct ObjectType {
  std::string_view name;  // "orderpilot.Order"
  std::vector<FieldDescriptor> fields;
  const FieldDescriptor* FindField(std::string_view field) const;
};

// An error value's payload (arena-allocated or static).
struct ErrorInfo {
  std::string_view message;
};

class Value {
 public:
  constexpr Value() : kind_(Kind::kNull), n_(0), a_{.i = 0}, b_(nullptr) {}

  static constexpr Value Null() { return Value(); }
  static constexpr Value Bool(bool v) { return Value(Kind::kBool, 0, Word{.i = v ? 1 : 0}); }
  static constexpr Value Int(int64_t v) { return Value(Kind::kInt, 0, Word{.i = v}); }
  static constexpr Value Uint(uint64_t v) { return Value(Kind::kUint, 0, Word{.u = v}); }
  static constexpr Value Double(double v) { return Value(Kind::kDouble, 0, Word{.d = v}); }
  // Borrows `s`: it must outlive the value. REQUIRES: s.size() < 2^32.
  static Value String(std::string_view s) { return Str(Kind::kString, s); }
  static Value Bytes(std::string_view s) { return Str(Kind::kBytes, s); }
  static Value List(const void* data, const ListOps* ops) { return Ptr(Kind::kList, data, ops); }
  static Value Map(const void* data, const MapOps* ops) { return Ptr(Kind::kMap, data, ops); }
  static Value Object(const void* data, const ObjectType* type) {
    return Ptr(Kind::kObject, data, type);
  }
  // Seconds since the Unix epoch and nanoseconds 0..999999999.
  static constexpr Value Timestamp(int64_t seconds, int32_t nanos) {
    return Value(Kind::kTimestamp, static_cast<uint32_t>(nanos), Word{.i = seconds});
  }
  // Seconds and nanoseconds with the same sign (|nanos| < 1e9).
  static constexpr Value Duration(int64_t seconds, int32_t nanos) {
    return Value(Kind::kDuration, static_cast<uint32_t>(nanos), Word{.i = seconds});
  }
  // Minor units of an ISO 4217 currency: `code` is three letters, `exponent` its decimals.
  static Value Money(int64_t minor, std::string_view code, int exponent) {
    return Value(Kind::kMoney, PackCurrency(code) | static_cast<uint32_t>(exponent) << 24,
                 Word{.i = minor});
  }
  // The currency's comparable key (see money_currency_key): three letters packed.
  static uint32_t PackCurrency(std::string_view code) {
    if (code.size() != 3) return 0;
    return static_cast<uint32_t>(static_cast<unsigned char>(code[0])) |
           static_cast<uint32_t>(static_cast<unsigned char>(code[1])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(code[2])) << 16;
  }
  // A type value (`type(1)` == int): its name. `name` must outlive the value.
  static Value TypeName(std::string_view name) { return Str(Kind::kType, name); }
  static Value Error(const ErrorInfo* e) { return Ptr(Kind::kError, e, nullptr); }

  Kind kind() const { return kind_; }
  bool is_error() const { return kind_ == Kind::kError; }

  bool bool_value() const { return a_.i != 0; }
  int64_t int_value() const { return a_.i; }
  uint64_t uint_value() const { return a_.u; }
  double double_value() const { return a_.d; }
  std::string_view string_value() const { return {a_.s, n_}; }  // kString, kBytes, kType
  const void* data() const { return a_.p; }                     // kList, kMap, kObject
  const ListOps* list_ops() const { return static_cast<const ListOps*>(b_); }
  const MapOps* map_ops() const { return static_cast<const MapOps*>(b_); }
  const ObjectType* object_type() const { return static_cast<const ObjectType*>(b_); }
  int64_t seconds() const { return a_.i; }  // kTimestamp, kDuration
  int32_t nanos() const { return static_cast<int32_t>(n_); }
  int64_t money_minor() const { return a_.i; }
  // The currency as a comparable key (three letters packed) and as text.
  uint32_t money_currency_key() const { return n_ & 0xFFFFFFu; }
  std::string money_currency() const;
  int money_exponent() const { return static_cast<int>(n_ >> 24); }
  std::string_view error_message() const { return static_cast<const ErrorInfo*>(a_.p)->message; }

  // List/map helpers (REQUIRES the matching kind).
  size_t list_size() const { return list_ops()->size(a_.p); }
  Value list_get(size_t i, EvalContext& ctx) const;
  size_t map_size() const { return map_ops()->size(a_.p); }

 private:
  union Word {
    int64_t i;
    uint64_t u;
    double d;
    const char* s;
    const void* p;
  };
  constexpr Value(Kind k, uint32_t n, Word a, const void* b = nullptr)
      : kind_(k), n_(n), a_(a), b_(b) {}
  static Value Str(Kind k, std::string_view s) {
    return Value(k, static_cast<uint32_t>(s.size()), Word{.s = s.data()});
  }
  static Value Ptr(Kind k, const void* p, const void* b) { return Value(k, 0, Word{.p = p}, b); }

  Kind kind_;
  uint32_t n_;
  Word a_;
  const void* b_;
};
static_assert(sizeof(Value) == 24);
static_assert(std::is_trivially_copyable_v<Value>);

// The name CEL gives a value's type: "int", "list", "google.protobuf.Timestamp", an object's.
std::string_view KindTypeName(const Value& v);

// A list of values stored contiguously (literals, map() results, conformance bindings).
struct ArrayList {
  const Value* items;
  size_t size;
};
extern const ListOps kArrayListOps;
// A map stored as parallel key/value arrays, looked up linearly with CEL key equality
// (1 == 1u == 1.0 as keys). Fine for the small maps rules build.
struct ArrayMap {
  const Value* keys;
  const Value* values;
  size_t size;
};
extern const MapOps kArrayMapOps;

// Builds a list/map in `arena` from values.
Value MakeList(Arena& arena, const Value* items, size_t n);
Value MakeMap(Arena& arena, const Value* keys, const Value* values, size_t n);

// Lists over common C++ containers, read in place (no copy): for binding native objects.
extern const ListOps kStringVectorListOps;  // data: const std::vector<std::string>*

// CEL equality (heterogeneous: numbers compare by value across int/uint/double, other kinds
// differ → false). Returns an error value when either side is an error.
Value Equals(const Value& a, const Value& b, EvalContext& ctx);

// Whether `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// Renders a value for people: `[1, "a"]`, `{"k": 2u}`, `timestamp("2020-01-01T00:00:00Z")`.
std::string DebugString(const Value& v, EvalContext& ctx);

}  // namespace orderpilot::expr
