#include "expr/type.h"

#include "expr/value.h"

namespace orderpilot::expr {

TypeStore::TypeStore() {
  for (int i = 0; i < 16; ++i) basic_[i].kind = static_cast<TypeKind>(i);
}

const Type* TypeStore::Basic(TypeKind k) const { return &basic_[static_cast<int>(k)]; }

const Type* TypeStore::Intern(const Type& t) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Type& e : interned_) {
    if (e.kind == t.kind && e.param0 == t.param0 && e.param1 == t.param1 && e.object == t.object) {
      return &e;
    }
  }
  interned_.push_back(t);
  return &interned_.back();
}

const Type* TypeStore::List(const Type* elem) const { return Intern({TypeKind::kList, elem}); }
const Type* TypeStore::Map(const Type* key, const Type* value) const {
  return Intern({TypeKind::kMap, key, value});
}
const Type* TypeStore::Object(const ObjectType* object) const {
  return Intern({TypeKind::kObject, nullptr, nullptr, object});
}
const Type* TypeStore::TypeOf(const Type* t) const { return Intern({TypeKind::kType, t}); }

std::string TypeName(const Type* t) {
  switch (t->kind) {
    case TypeKind::kDyn:
      return "dyn";
    case TypeKind::kNull:
      return "null_type";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kUint:
      return "uint";
    case TypeKind::kDouble:
      return "double";
    case TypeKind::kString:
      return "string";
    case TypeKind::kBytes:
      return "bytes";
    case TypeKind::kList:
      return "list(" + TypeName(t->param0) + ")";
    case TypeKind::kMap:
      return "map(" + TypeName(t->param0) + ", " + TypeName(t->param1) + ")";
    case TypeKind::kObject:
      return std::string(t->object->name);
    case TypeKind::kTimestamp:
      return "timestamp";
    case TypeKind::kDuration:
      return "duration";
    case TypeKind::kMoney:
      return "money";
    case TypeKind::kType:
      return t->param0 ? "type(" + TypeName(t->param0) + ")" : "type";
    case TypeKind::kError:
      return "*error*";
  }
  return "?";
}

bool Assignable(const Type* want, const Type* actual) {
  if (want == actual) return true;
  if (want->kind == TypeKind::kDyn || actual->kind == TypeKind::kDyn) return true;
  if (actual->kind == TypeKind::kError || want->kind == TypeKind::kError) return true;
  if (want->kind != actual->kind) {
    // null is assignable to objects and maps? Not in CEL without wrappers; keep it strict.
    return false;
  }
  switch (want->kind) {
    case TypeKind::kList:
      return Assignable(want->param0, actual->param0);
    case TypeKind::kMap:
      return Assignable(want->param0, actual->param0) && Assignable(want->param1, actual->param1);
    case TypeKind::kObject:
      return want->object == actual->object;
    case TypeKind::kType:
      return !want->param0 || !actual->param0 || Assignable(want->param0, actual->param0);
    default:
      return true;
  }
}

}  // namespace orderpilot::expr
