// expr/ast.h — the parsed form of an expression.
//
// Operators are calls with CEL's internal names ("_+_", "_&&_", "_?_:_", "_[_]", "@in", "!_",
// "-_"). Macros (has, all, exists, exists_one, map, filter) are expanded by the parser into
// kHas and kComprehension nodes. Every node has an id (unique in its tree) and the offset of its
// first character in the source, from which errors get their line and column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace orderpilot::expr {

enum class ExprKind : uint8_t {
  kConst,
  kIdent,
  kSelect,
  kHas,  // has(operand.field)
  kCall,
  kList,
  kMap,
  kStruct,  // Message{field: value}: parsed, refused by the checker (we model no messages)
  kComprehension,
};

enum class ConstKind : uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kBytes };

enum class MacroKind : uint8_t {
  kAll,
  kExists,
  kExistsOne,
  kMap,
  kMapFilter,
  kFilter,
  kTransformList,  // list.transformList(i, v, [pred,] t) / map.transformList(k, v, [pred,] t)
  kTransformMap,   // the same, keeping keys: a map from each key (or index) to t
};

struct Expr {
  int32_t id = 0;
  int32_t offset = 0;  // byte offset in the source
  ExprKind kind = ExprKind::kConst;

  // kConst
  ConstKind const_kind = ConstKind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double double_value = 0;
  std::string string_value;  // kString/kBytes contents; kIdent/kSelect/kHas name; kCall function
                             // kStruct message name; kComprehension iteration variable

  // kSelect/kHas: operand; kCall: receiver (may be null); kComprehension: the range.
  std::unique_ptr<Expr> operand;
  // kCall arguments; kList elements; kMap keys and values interleaved; kStruct field values;
  // kComprehension: [predicate] or [transform] or [predicate, transform] (kMapFilter, and the
  // transform macros when they filter).
  std::vector<std::unique_ptr<Expr>> args;
  std::vector<std::string> field_names;  // kStruct
  MacroKind macro = MacroKind::kAll;     // kComprehension
  bool leading_dot = false;              // kIdent written as ".name" (root scope)
  std::string iter_var2;                 // kComprehension: the second variable (index or value)
};

struct ParsedExpr {
  std::unique_ptr<Expr> root;
  int32_t node_count = 0;
  std::string source;
};

}  // namespace orderpilot::expr
