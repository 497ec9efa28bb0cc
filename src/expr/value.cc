#include "expr/value.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "expr/internal/functions.h"
#include "expr/program.h"

namespace orderpilot::expr {

// --- Arena ---

void* Arena::Allocate(size_t bytes, size_t align) {
  while (true) {
    if (block_ < blocks_.size()) {
      Block& b = blocks_[block_];
      uintptr_t base = reinterpret_cast<uintptr_t>(b.data.get());
      uintptr_t p = (base + used_ + align - 1) & ~(uintptr_t{align} - 1);
      if (p + bytes <= base + b.size) {
        used_ = p + bytes - base;
        return reinterpret_cast<void*>(p);
      }
      if (block_ + 1 < blocks_.size()) {
        ++block_;
        used_ = 0;
        continue;
      }
    }
    size_t size = blocks_.empty() ? 4096 : blocks_.back().size * 2;
    while (size < bytes + align) size *= 2;
    blocks_.push_back({std::make_unique<char[]>(size), size});
    block_ = blocks_.size() - 1;
    used_ = 0;
  }
}

std::string_view Arena::Copy(std::string_view s) {
  if (s.empty()) return {};
  char* p = static_cast<char*>(Allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

void Arena::Reset() {
  block_ = 0;
  used_ = 0;
}

size_t Arena::bytes_in_use() const {
  size_t n = used_;
  for (size_t i = 0; i < block_ && i < blocks_.size(); ++i) n += blocks_[i].size;
  return n;
}

// --- Value ---

std::string Value::money_currency() const {
  std::string s(3, ' ');
  for (int i = 0; i < 3; ++i) s[i] = static_cast<char>((n_ >> (8 * i)) & 0xFF);
  return s;
}

Value Value::list_get(size_t i, EvalContext& ctx) const { return list_ops()->get(a_.p, i, ctx); }

const FieldDescriptor* ObjectType::FindField(std::string_view field) const {
  for (const FieldDescriptor& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

std::string_view KindTypeName(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "map";
    case Kind::kObject:
      return v.object_type()->name;
    case Kind::kTimestamp:
      return "google.protobuf.Timestamp";
    case Kind::kDuration:
      return "google.protobuf.Duration";
    case Kind::kMoney:
      return "orderpilot.Money";
    case Kind::kType:
      return "type";
    case Kind::kError:
      return "*error*";
  }
  return "?";
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 6) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c >> 4) == 14) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c >> 3) == 30) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (int k = 1; k <= n; ++k) {
      unsigned char d = s[i + k];
      if ((d >> 6) != 2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// --- contiguous lists and maps ---

namespace {

size_t ArrayListSize(const void* d) { return static_cast<const ArrayList*>(d)->size; }
Value ArrayListGet(const void* d, size_t i, EvalContext&) {
  return static_cast<const ArrayList*>(d)->items[i];
}

bool IsNumber(Kind k) { return k == Kind::kInt || k == Kind::kUint || k == Kind::kDouble; }

// Exact comparison of numbers of any two numeric kinds: -1, 0, 1, or 2 when unordered (NaN).
int CompareNumbers(const Value& a, const Value& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  // CEL compares an integer with a double as doubles (so 2^63-1 is not < 2^63 as a double).
  auto int_double = [&](int64_t i, double d) -> int {
    if (std::isnan(d)) return 2;
    return cmp(static_cast<double>(i), d);
  };
  auto uint_double = [&](uint64_t u, double d) -> int {
    if (std::isnan(d)) return 2;
    return cmp(static_cast<double>(u), d);
  };
  switch (a.kind()) {
    case Kind::kInt:
      if (b.kind() == Kind::kInt) return cmp(a.int_value(), b.int_value());
      if (b.kind() == Kind::kUint) {
        return a.int_value() < 0 ? -1 : cmp(static_cast<uint64_t>(a.int_value()), b.uint_value());
      }
      return int_double(a.int_value(), b.double_value());
    case Kind::kUint:
      if (b.kind() == Kind::kUint) return cmp(a.uint_value(), b.uint_value());
      if (b.kind() == Kind::kInt) {
        return b.int_value() < 0 ? 1 : cmp(a.uint_value(), static_cast<uint64_t>(b.int_value()));
      }
      return uint_double(a.uint_value(), b.double_value());
    default:
      if (b.kind() == Kind::kDouble) {
        if (std::isnan(a.double_value()) || std::isnan(b.double_value())) return 2;
        return cmp(a.double_value(), b.double_value());
      }
      if (b.kind() == Kind::kInt) {
        int c = int_double(b.int_value(), a.double_value());
        return c == 2 ? 2 : -c;
      }
      int c = uint_double(b.uint_value(), a.double_value());
      return c == 2 ? 2 : -c;
  }
}

bool KeyEquals(const Value& a, const Value& b) {
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return CompareNumbers(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kBool:
      return a.bool_value() == b.bool_value();
    case Kind::kString:
      return a.string_value() == b.string_value();
    default:
      return false;
  }
}

size_t ArrayMapSize(const void* d) { return static_cast<const ArrayMap*>(d)->size; }
bool ArrayMapFind(const void* d, const Value& key, Value* out, EvalContext&) {
  const auto* m = static_cast<const ArrayMap*>(d);
  for (size_t i = 0; i < m->size; ++i) {
    if (KeyEquals(m->keys[i], key)) {
      *out = m->values[i];
      return true;
    }
  }
  return false;
}
Value ArrayMapKey(const void* d, size_t i, EvalContext&) {
  return static_cast<const ArrayMap*>(d)->keys[i];
}
Value ArrayMapValue(const void* d, size_t i, EvalContext&) {
  return static_cast<const ArrayMap*>(d)->values[i];
}

size_t StringVectorSize(const void* d) {
  return static_cast<const std::vector<std::string>*>(d)->size();
}
Value StringVectorGet(const void* d, size_t i, EvalContext&) {
  return Value::String((*static_cast<const std::vector<std::string>*>(d))[i]);
}

}  // namespace

const ListOps kArrayListOps = {ArrayListSize, ArrayListGet};
const MapOps kArrayMapOps = {ArrayMapSize, ArrayMapFind, ArrayMapKey, ArrayMapValue};
const ListOps kStringVectorListOps = {StringVectorSize, StringVectorGet};

Value MakeList(Arena& arena, const Value* items, size_t n) {
  Value* copy = static_cast<Value*>(arena.Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
  for (size_t i = 0; i < n; ++i) copy[i] = items[i];
  return Value::List(arena.New<ArrayList>(ArrayList{copy, n}), &kArrayListOps);
}

Value MakeMap(Arena& arena, const Value* keys, const Value* values, size_t n) {
  Value* k = static_cast<Value*>(arena.Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
  Value* v = static_cast<Value*>(arena.Allocate(sizeof(Value) * (n ? n : 1), alignof(Value)));
  for (size_t i = 0; i < n; ++i) {
    k[i] = keys[i];
    v[i] = values[i];
  }
  return Value::Map(arena.New<ArrayMap>(ArrayMap{k, v, n}), &kArrayMapOps);
}

namespace internal {
int CompareNumbers(const Value& a, const Value& b) { return expr::CompareNumbers(a, b); }
}  // namespace internal

Value Equals(const Value& a, const Value& b, EvalContext& ctx) {
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return Value::Bool(CompareNumbers(a, b) == 0);
  if (a.kind() != b.kind()) return Value::Bool(false);
  switch (a.kind()) {
    case Kind::kNull:
      return Value::Bool(true);
    case Kind::kBool:
      return Value::Bool(a.bool_value() == b.bool_value());
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kType:
      return Value::Bool(a.string_value() == b.string_value());
    case Kind::kTimestamp:
    case Kind::kDuration:
      return Value::Bool(a.seconds() == b.seconds() && a.nanos() == b.nanos());
    case Kind::kMoney:
      return Value::Bool(a.money_minor() == b.money_minor() &&
                         a.money_currency_key() == b.money_currency_key());
    case Kind::kList: {
      size_t n = a.list_size();
      if (n != b.list_size()) return Value::Bool(false);
      for (size_t i = 0; i < n; ++i) {
        Value e = Equals(a.list_get(i, ctx), b.list_get(i, ctx), ctx);
        if (e.is_error() || !e.bool_value()) return e;
      }
      return Value::Bool(true);
    }
    case Kind::kMap: {
      size_t n = a.map_size();
      if (n != b.map_size()) return Value::Bool(false);
      const MapOps* ops = a.map_ops();
      for (size_t i = 0; i < n; ++i) {
        Value key = ops->key_at(a.data(), i, ctx);
        Value other;
        if (!b.map_ops()->find(b.data(), key, &other, ctx)) return Value::Bool(false);
        Value e = Equals(ops->value_at(a.data(), i, ctx), other, ctx);
        if (e.is_error() || !e.bool_value()) return e;
      }
      return Value::Bool(true);
    }
    case Kind::kObject: {
      if (a.object_type() != b.object_type()) return Value::Bool(false);
      if (a.data() == b.data()) return Value::Bool(true);
      for (const FieldDescriptor& f : a.object_type()->fields) {
        Value e = Equals(f.get(a.data(), ctx), f.get(b.data(), ctx), ctx);
        if (e.is_error() || !e.bool_value()) return e;
      }
      return Value::Bool(true);
    }
    case Kind::kDouble:
    case Kind::kInt:
    case Kind::kUint:
    case Kind::kError:
      break;
  }
  return Value::Bool(false);
}

namespace {

void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void Debug(std::string& out, const Value& v, EvalContext& ctx) {
  switch (v.kind()) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += v.bool_value() ? "true" : "false";
      return;
    case Kind::kInt:
      out += std::to_string(v.int_value());
      return;
    case Kind::kUint:
      out += std::to_string(v.uint_value()) + "u";
      return;
    case Kind::kDouble: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.double_value());
      out.append(buf, r.ptr);
      return;
    }
    case Kind::kString:
      AppendQuoted(out, v.string_value());
      return;
    case Kind::kBytes:
      out += 'b';
      AppendQuoted(out, v.string_value());
      return;
    case Kind::kType:
      out.append(v.string_value());
      return;
    case Kind::kTimestamp:
      out += "timestamp(" + std::to_string(v.seconds()) + "s+" + std::to_string(v.nanos()) + "ns)";
      return;
    case Kind::kDuration:
      out += "duration(" + std::to_string(v.seconds()) + "s+" + std::to_string(v.nanos()) + "ns)";
      return;
    case Kind::kMoney:
      out += "money(" + std::to_string(v.money_minor()) + " minor " + v.money_currency() + ")";
      return;
    case Kind::kError:
      out += "error(";
      out.append(v.error_message());
      out += ")";
      return;
    case Kind::kList: {
      out += '[';
      for (size_t i = 0; i < v.list_size(); ++i) {
        if (i) out += ", ";
        Debug(out, v.list_get(i, ctx), ctx);
      }
      out += ']';
      return;
    }
    case Kind::kMap: {
      out += '{';
      const MapOps* ops = v.map_ops();
      for (size_t i = 0; i < v.map_size(); ++i) {
        if (i) out += ", ";
        Debug(out, ops->key_at(v.data(), i, ctx), ctx);
        out += ": ";
        Debug(out, ops->value_at(v.data(), i, ctx), ctx);
      }
      out += '}';
      return;
    }
    case Kind::kObject: {
      out.append(v.object_type()->name);
      out += '{';
      bool first = true;
      for (const FieldDescriptor& f : v.object_type()->fields) {
        if (!first) out += ", ";
        first = false;
        out.append(f.name);
        out += ": ";
        Debug(out, f.get(v.data(), ctx), ctx);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string DebugString(const Value& v, EvalContext& ctx) {
  std::string out;
  Debug(out, v, ctx);
  return out;
}

}  // namespace orderpilot::expr
