// expr/type.h — static types of the checker.
//
// Types are interned in a TypeStore and compared by pointer: the store hands out one `Type` per
// distinct shape (list(int) is always the same pointer). `dyn` matches anything; a program whose
// every part is dyn still runs, with each operation checked at evaluation time.
//
// Thread-safety: a TypeStore is built single-threaded and read-only afterwards.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace orderpilot::expr {

struct ObjectType;

enum class TypeKind : uint8_t {
  kDyn,
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

struct Type {
  TypeKind kind = TypeKind::kDyn;
  const Type* param0 = nullptr;        // list element, map key, type's type
  const Type* param1 = nullptr;        // map value
  const ObjectType* object = nullptr;  // kObject
};

// "int", "list(string)", "map(string, dyn)", "orderpilot.Order".
std::string TypeName(const Type* t);

class TypeStore {
 public:
  TypeStore();
  const Type* Dyn() const { return &basic_[0]; }
  const Type* Basic(TypeKind k) const;  // REQUIRES: k is not kList/kMap/kObject/kType
  // Interning is internally synchronised, so a const store (a compiled Env) can still make
  // list(string) for a function's result type.
  const Type* List(const Type* elem) const;
  const Type* Map(const Type* key, const Type* value) const;
  const Type* Object(const ObjectType* object) const;
  const Type* TypeOf(const Type* t) const;

 private:
  Type basic_[16];
  mutable std::mutex mu_;
  mutable std::deque<Type> interned_;  // GUARDED_BY(mu_)
  const Type* Intern(const Type& t) const;
};

// Whether a value of type `actual` may be used where `want` is expected (dyn on either side
// matches; lists and maps match element-wise).
bool Assignable(const Type* want, const Type* actual);

}  // namespace orderpilot::expr
