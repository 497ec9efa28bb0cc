// tests/expr/textproto.h — a schema-less protobuf text format parser, and a model of the cel-spec
// conformance files (cel.expr.conformance.test.SimpleTestFile) built on it. Test support only.
//
// The parser knows no .proto schema: it yields a tree of named nodes, each either a message
// (children in file order) or a scalar (string, number or identifier token). Repeated fields and
// the list syntax `f: [a, b]` both give several children named `f`. Interpreting scalars (is
// `1` an int64 or a double?) is left to the caller, who knows the field.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orderpilot::conformance {

struct Node {
  enum class ScalarKind { kString, kNumber, kIdentifier };

  // The field name; for Any expansions and extensions the bracketed name with spaces removed,
  // e.g. "[type.googleapis.com/google.protobuf.Int64Value]". The root node's name is "".
  std::string name;
  bool is_message = false;
  ScalarKind scalar_kind = ScalarKind::kString;  // meaningful only when !is_message
  // kString: the decoded bytes (escapes resolved, adjacent literals joined; may be non-UTF-8).
  // kNumber: the token text, sign included: "-1", "1e10", "0x1F", "1.5f", "-inf", "nan".
  // kIdentifier: the token text: "NULL_VALUE", "true", "INT64".
  std::string scalar;
  std::vector<Node> children;  // messages only, in file order
  int line = 0;                // 1-based line of the field name

  // The first child named `name`, or nullptr.
  const Node* Find(std::string_view child_name) const;
  // All children named `name`, in file order.
  std::vector<const Node*> FindAll(std::string_view child_name) const;
};

// Parses a whole text-format message. Returns the root message node (name "").
// Errors are InvalidArgument with a "line:column: " prefix (both 1-based; columns count bytes).
Result<Node> ParseTextProto(std::string_view text);

// One `test` of a SimpleTestFile, flattened. Node pointers point into ConformanceFile::root.
struct ConformanceTest {
  enum class Expect {
    kValue,          // `value`: the result equals the Value in `value`
    kEvalError,      // `eval_error`: evaluation fails; error_messages lists the expected texts
    kAnyEvalErrors,  // `any_eval_errors`
    kUnknown,        // `unknown`
    kAnyUnknowns,    // `any_unknowns`
    kTypedResult,    // `typed_result`: result value plus deduced type
    kNone,           // no matcher: the cel-spec default, the result is bool true
  };

  std::string section;
  std::string name;
  std::string expr;
  std::string container;
  bool disable_check = false;
  bool disable_macros = false;
  bool check_only = false;
  // Variable name -> the Value node inside its ExprValue (`bindings{key:"x" value{value{...}}}`
  // gives the inner `value{...}`). If an ExprValue holds `error` or `unknown` instead, the
  // ExprValue node itself is stored and binding_not_value is set.
  std::vector<std::pair<std::string, const Node*>> bindings;
  bool binding_not_value = false;
  std::vector<const Node*> type_env;  // the Decl nodes
  Expect expect = Expect::kNone;
  // The matcher node: the Value for kValue, the TypedResult for kTypedResult, the ErrorSet /
  // ErrorSetList / UnknownSet / UnknownSetList for the others; nullptr for kNone.
  const Node* value = nullptr;
  std::vector<std::string> error_messages;  // kEvalError: the errors{message} texts
  const Node* node = nullptr;               // the whole `test` node
};

// A loaded file. Movable: the tree lives on the heap, so the tests' pointers stay valid.
struct ConformanceFile {
  std::string name;            // the file's `name` field, e.g. "basic"
  std::unique_ptr<Node> root;  // never null in a loaded file
  std::vector<ConformanceTest> tests;
};

// Reads and models one conformance file. NotFound if it cannot be read; InvalidArgument (message
// prefixed with the path) for syntax errors or fields of the wrong shape.
Result<ConformanceFile> LoadConformanceFile(const std::string& path);

}  // namespace orderpilot::conformance
