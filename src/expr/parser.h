// expr/parser.h — CEL source text to an AST (expr/ast.h), with macros expanded.
//
// The grammar is CEL's (github.com/google/cel-spec, doc/langdef.md): ?: || && relations + - * / %
// unary ! -, member selection, indexing, calls, list/map literals, message literals (parsed
// only), all literal forms (raw, triple-quoted, bytes, hex, unsigned, escapes). Reserved words are
// refused. Hostile input is bounded: the source size and the nesting depth are limited, and the
// parser never recurses deeper than the depth limit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "expr/ast.h"

namespace orderpilot::expr {

struct ParseOptions {
  size_t max_source_bytes = 16 * 1024;  // Default: 16 KiB.
  int max_depth = 100;                  // Default: 100 nested calls/operators/brackets.
  bool enable_macros = true;            // Default: true.
};

// A problem in the user's expression, at a byte offset of the source.
struct Issue {
  int32_t offset = 0;
  std::string message;
};

struct ParseResult {
  ParsedExpr parsed;          // valid when issues is empty
  std::vector<Issue> issues;  // the first few syntax errors
};

ParseResult Parse(std::string_view source, const ParseOptions& options = {});

}  // namespace orderpilot::expr
