#include "expr/textproto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace orderpilot::conformance {
namespace {

using Kind = Node::ScalarKind;
using ::testing::HasSubstr;

Node MustParse(std::string_view text) {
  Result<Node> r = ParseTextProto(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Node{};
}

// The decoded string of the single field `s` in `text`.
std::string DecodeString(std::string_view text) {
  Node root = MustParse(text);
  const Node* s = root.Find("s");
  if (s == nullptr) return "<missing>";
  EXPECT_EQ(s->scalar_kind, Kind::kString);
  return s->scalar;
}

// The error message for `text`, which must fail to parse.
std::string ParseError(std::string_view text) {
  Result<Node> r = ParseTextProto(text);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(TextprotoParse, ParsesScalarFieldsOfEachKind) {
  Node root = MustParse("a: 1 b: \"x\" c: NULL_VALUE d: true");
  EXPECT_TRUE(root.is_message);
  EXPECT_EQ(root.name, "");
  ASSERT_EQ(root.children.size(), 4u);
  EXPECT_EQ(root.children[0].name, "a");
  EXPECT_EQ(root.children[0].scalar_kind, Kind::kNumber);
  EXPECT_EQ(root.children[0].scalar, "1");
  EXPECT_EQ(root.children[1].scalar_kind, Kind::kString);
  EXPECT_EQ(root.children[1].scalar, "x");
  EXPECT_EQ(root.children[2].scalar_kind, Kind::kIdentifier);
  EXPECT_EQ(root.children[2].scalar, "NULL_VALUE");
  EXPECT_EQ(root.children[3].scalar_kind, Kind::kIdentifier);
  EXPECT_EQ(root.children[3].scalar, "true");
}

TEST(TextprotoParse, ParsesNestedMessages) {
  Node root = MustParse("outer { mid: { inner < x: 1 > } empty {} }");
  const Node* outer = root.Find("outer");
  ASSERT_NE(outer, nullptr);
  EXPECT_TRUE(outer->is_message);
  const Node* inner = outer->Find("mid")->Find("inner");
  ASSERT_NE(inner, nullptr);
  EXPECT_TRUE(inner->is_message);
  EXPECT_EQ(inner->Find("x")->scalar, "1");
  const Node* empty = outer->Find("empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty->is_message);
  EXPECT_TRUE(empty->children.empty());
  EXPECT_EQ(outer->Find("nope"), nullptr);
}

TEST(TextprotoParse, KeepsRepeatedFieldsInFileOrder) {
  Node root = MustParse("v: 1 w: 2 v: 3");
  std::vector<const Node*> vs = root.FindAll("v");
  ASSERT_EQ(vs.size(), 2u);
  EXPECT_EQ(vs[0]->scalar, "1");
  EXPECT_EQ(vs[1]->scalar, "3");
  EXPECT_EQ(root.children[1].name, "w");
}

TEST(TextprotoParse, ExpandsListSyntaxIntoRepeatedChildren) {
  Node root = MustParse("n: [1, -2, 'x'] m: [{a: 1}, <a: 2>] e: [] z: 0");
  std::vector<const Node*> ns = root.FindAll("n");
  ASSERT_EQ(ns.size(), 3u);
  EXPECT_EQ(ns[1]->scalar, "-2");
  EXPECT_EQ(ns[2]->scalar_kind, Kind::kString);
  std::vector<const Node*> ms = root.FindAll("m");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_TRUE(ms[1]->is_message);
  EXPECT_EQ(ms[1]->Find("a")->scalar, "2");
  EXPECT_TRUE(root.FindAll("e").empty());
  EXPECT_EQ(root.children.size(), 6u);
}

TEST(TextprotoParse, AcceptsCommaAndSemicolonSeparators) {
  Node root = MustParse("a: 1, b: 2; c { d: 3; }, e: 4");
  ASSERT_EQ(root.children.size(), 4u);
  EXPECT_EQ(root.Find("c")->Find("d")->scalar, "3");
  EXPECT_EQ(root.Find("e")->scalar, "4");
}

TEST(TextprotoParse, SkipsComments) {
  Node root = MustParse("# header\na: 1 # trailing { not a brace\n# b: 2\nc: '#x' # end");
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.Find("c")->scalar, "#x");
}

TEST(TextprotoParse, RecordsLineNumbers) {
  Node root = MustParse("a: 1\n\nb {\n  c: 2\n}\n");
  EXPECT_EQ(root.Find("a")->line, 1);
  EXPECT_EQ(root.Find("b")->line, 3);
  EXPECT_EQ(root.Find("b")->Find("c")->line, 4);
}

TEST(TextprotoParse, KeepsNumberTokensVerbatim) {
  Node root = MustParse(
      "n: [0, -1, 1e10, 2.5E-3, -0.5e+2, .5, 0x1F, 0X1f, 1.5f, 18446744073709551615, "
      "inf, -inf, nan, -nan, Infinity, - 7]");
  std::vector<std::string> got;
  for (const Node* n : root.FindAll("n")) {
    EXPECT_EQ(n->scalar_kind, Kind::kNumber) << n->scalar;
    got.push_back(n->scalar);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"0", "-1", "1e10", "2.5E-3", "-0.5e+2", ".5", "0x1F",
                                           "0X1f", "1.5f", "18446744073709551615", "inf", "-inf",
                                           "nan", "-nan", "Infinity", "-7"}));
}

TEST(TextprotoParse, KeepsBracketedNamesWithoutSpaces) {
  Node root = MustParse(
      "object_value { [ type.googleapis.com / google.protobuf.Int64Value ] { value: 5 } }\n"
      "[pkg.ext]: 3");
  const Node* any = root.Find("object_value");
  ASSERT_NE(any, nullptr);
  ASSERT_EQ(any->children.size(), 1u);
  EXPECT_EQ(any->children[0].name, "[type.googleapis.com/google.protobuf.Int64Value]");
  EXPECT_EQ(any->children[0].Find("value")->scalar, "5");
  EXPECT_EQ(root.Find("[pkg.ext]")->scalar, "3");
}

TEST(TextprotoStrings, DecodesSimpleEscapes) {
  EXPECT_EQ(DecodeString(R"(s: "\n\r\t\v\f\a\b\\\'\"\?")"), "\n\r\t\v\f\a\b\\'\"?");
  EXPECT_EQ(DecodeString(R"(s: 'it''s' s: "x")"), "its");
  EXPECT_EQ(DecodeString(R"(s: 'say "hi"')"), "say \"hi\"");
}

TEST(TextprotoStrings, DecodesHexAndOctalEscapesToRawBytes) {
  EXPECT_EQ(DecodeString(R"(s: "\xe2\x9c\x8c")"), "\xe2\x9c\x8c");
  EXPECT_EQ(DecodeString(R"(s: "\xA")"), "\n");
  EXPECT_EQ(DecodeString(R"(s: "\377")"), std::string("\377"));
  EXPECT_EQ(DecodeString(R"(s: "\000\1\12x")"), std::string("\0\1\nx", 4));
  EXPECT_EQ(DecodeString(R"(s: "\0041234")"), std::string("\004"
                                                          "1234"));
}

TEST(TextprotoStrings, EncodesUnicodeEscapesAsUtf8) {
  EXPECT_EQ(DecodeString(R"(s: "\u00e9")"), "\xc3\xa9");
  EXPECT_EQ(DecodeString(R"(s: "\u270C")"), "\xe2\x9c\x8c");
  EXPECT_EQ(DecodeString(R"(s: "\U0001F431")"), "\xf0\x9f\x90\xb1");
  EXPECT_EQ(DecodeString(R"(s: "\ud83d\udc31")"), "\xf0\x9f\x90\xb1");  // surrogate pair
}

TEST(TextprotoStrings, ConcatenatesAdjacentLiterals) {
  EXPECT_EQ(DecodeString("s: \"ab\" 'cd'\n  # comment\n  \"ef\""), "abcdef");
}

TEST(TextprotoStrings, KeepsNonAsciiBytesVerbatim) {
  EXPECT_EQ(DecodeString("s: \"caf\xc3\xa9 \xff\""), "caf\xc3\xa9 \xff");
}

TEST(TextprotoErrors, ReportsLineAndColumn) {
  EXPECT_THAT(ParseError("a: 1\nb: 2\nc 3\n"), HasSubstr("3:3:"));
  EXPECT_THAT(ParseError("a {\n  b: 1\n"), HasSubstr("3:1: expected '}'"));
}

TEST(TextprotoErrors, RejectsMalformedInput) {
  EXPECT_THAT(ParseError("a: \"open\nb: 1"), HasSubstr("1:9: unterminated string"));
  EXPECT_THAT(ParseError("a: 'x\\q'"), HasSubstr("unknown escape"));
  EXPECT_THAT(ParseError("a: '\\x'"), HasSubstr("hex digit"));
  EXPECT_THAT(ParseError("a: '\\u12'"), HasSubstr("hex digits"));
  EXPECT_THAT(ParseError("a: '\\U00110000'"), HasSubstr("U+10FFFF"));
  EXPECT_THAT(ParseError("a: '\\400'"), HasSubstr("octal"));
  EXPECT_THAT(ParseError("a: }"), HasSubstr("expected a value"));
  EXPECT_THAT(ParseError("a: -b"), HasSubstr("'-' before identifier"));
  EXPECT_THAT(ParseError("a: [1, 2"), HasSubstr("expected ',' or ']'"));
  EXPECT_THAT(ParseError("a: [[1]]"), HasSubstr("expected a value"));
  EXPECT_THAT(ParseError("a { } }"), HasSubstr("1:7: expected a field name"));
  EXPECT_THAT(ParseError("[a b"), HasSubstr("bad character"));
  EXPECT_THAT(ParseError("[] : 1"), HasSubstr("empty"));
  EXPECT_THAT(ParseError("a: 1,,"), HasSubstr("expected a field name"));
}

TEST(TextprotoErrors, RejectsTooDeepNesting) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "a {";
  EXPECT_THAT(ParseError(deep), HasSubstr("nested too deeply"));
}

// LoadConformanceFile on an in-memory text, via a temporary file.
Result<ConformanceFile> LoadText(const std::string& text) {
  std::string path =
      (std::filesystem::temp_directory_path() /
       ("textproto_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
        "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".textproto"))
          .string();
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  Result<ConformanceFile> r = LoadConformanceFile(path);
  std::filesystem::remove(path);
  return r;
}

TEST(ConformanceModel, FlattensSectionsTestsBindingsAndMatchers) {
  Result<ConformanceFile> r = LoadText(R"pb(
    name: "demo"
    section {
      name: "s1"
      test { name: "plain" expr: "true" }
      test {
        name: "vars"
        expr: "x + y"
        container: "pkg"
        disable_check: true
        type_env {
          name: "x"
          ident { type { primitive: INT64 } }
        }
        bindings {
          key: "x"
          value { value { int64_value: 1 } }
        }
        bindings: {
          key: "y"
          value: { value: { int64_value: 2 } }
        }
        value: { int64_value: 3 }
      }
    }
    section {
      name: "s2"
      test {
        name: "err"
        expr: "1/0"
        disable_macros: true
        check_only: false
        eval_error {
          errors { message: "divide by zero" }
          errors: { message: "alt" }
        }
      }
      test {
        name: "typed"
        expr: "1"
        check_only: true
        typed_result {
          result { int64_value: 1 }
          deduced_type { primitive: INT64 }
        }
      }
      test {
        name: "unk"
        expr: "x"
        bindings {
          key: "x"
          value { unknown { exprs: 1 } }
        }
        unknown { exprs: 1 }
      }
      test {
        name: "anyerr"
        expr: "a"
        any_eval_errors {}
      }
      test {
        name: "anyunk"
        expr: "a"
        any_unknowns {}
      }
    }
  )pb");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ConformanceFile& file = *r;
  EXPECT_EQ(file.name, "demo");
  ASSERT_EQ(file.tests.size(), 7u);
  using E = ConformanceTest::Expect;

  const ConformanceTest& plain = file.tests[0];
  EXPECT_EQ(plain.section, "s1");
  EXPECT_EQ(plain.expect, E::kNone);
  EXPECT_EQ(plain.value, nullptr);
  EXPECT_EQ(plain.node->Find("name")->scalar, "plain");

  const ConformanceTest& vars = file.tests[1];
  EXPECT_EQ(vars.expr, "x + y");
  EXPECT_EQ(vars.container, "pkg");
  EXPECT_TRUE(vars.disable_check);
  EXPECT_FALSE(vars.disable_macros);
  ASSERT_EQ(vars.type_env.size(), 1u);
  EXPECT_EQ(vars.type_env[0]->Find("name")->scalar, "x");
  ASSERT_EQ(vars.bindings.size(), 2u);
  EXPECT_EQ(vars.bindings[1].first, "y");
  EXPECT_EQ(vars.bindings[1].second->name, "value");
  EXPECT_EQ(vars.bindings[1].second->Find("int64_value")->scalar, "2");
  EXPECT_FALSE(vars.binding_not_value);
  EXPECT_EQ(vars.expect, E::kValue);
  EXPECT_EQ(vars.value->Find("int64_value")->scalar, "3");

  const ConformanceTest& err = file.tests[2];
  EXPECT_EQ(err.section, "s2");
  EXPECT_TRUE(err.disable_macros);
  EXPECT_EQ(err.expect, E::kEvalError);
  EXPECT_EQ(err.error_messages, (std::vector<std::string>{"divide by zero", "alt"}));

  EXPECT_EQ(file.tests[3].expect, E::kTypedResult);
  EXPECT_TRUE(file.tests[3].check_only);
  EXPECT_NE(file.tests[3].value->Find("deduced_type"), nullptr);

  const ConformanceTest& unk = file.tests[4];
  EXPECT_EQ(unk.expect, E::kUnknown);
  EXPECT_TRUE(unk.binding_not_value);
  ASSERT_EQ(unk.bindings.size(), 1u);
  EXPECT_NE(unk.bindings[0].second->Find("unknown"), nullptr);

  EXPECT_EQ(file.tests[5].expect, E::kAnyEvalErrors);
  EXPECT_EQ(file.tests[6].expect, E::kAnyUnknowns);
}

TEST(ConformanceModel, PointersSurviveMovingTheFile) {
  Result<ConformanceFile> r = LoadText("section { test { name: 't' value { bool_value: true } } }");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ConformanceFile moved = std::move(r).value();
  std::vector<ConformanceFile> files;
  files.push_back(std::move(moved));
  files.emplace_back();  // may reallocate the vector
  ASSERT_EQ(files[0].tests.size(), 1u);
  EXPECT_EQ(files[0].tests[0].value->Find("bool_value")->scalar, "true");
}

TEST(ConformanceModel, RejectsBadShapesAndMissingFiles) {
  EXPECT_THAT(LoadText("section { test { name: 1 } }").status().message(),
              HasSubstr("'name' must be a string"));
  EXPECT_THAT(LoadText("section { test { disable_check: maybe } }").status().message(),
              HasSubstr("must be a bool"));
  EXPECT_THAT(LoadText("section { test { value {} eval_error {} } }").status().message(),
              HasSubstr("second or non-message result matcher"));
  EXPECT_THAT(LoadText("section { test { bindings { key: 'x' } } }").status().message(),
              HasSubstr("no ExprValue"));
  EXPECT_THAT(LoadText("section { test {").status().message(), HasSubstr(".textproto:1:"));
  EXPECT_EQ(LoadConformanceFile("/nonexistent/x.textproto").status().code(), StatusCode::kNotFound);
}

TEST(ConformanceCorpus, LoadsEveryCelSpecFile) {
  const std::filesystem::path dir = std::filesystem::path(OP_CORPUS_DIR) / "cel-spec";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no cel-spec corpus at " << dir;
  std::map<std::string, size_t> counts;
  size_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".textproto") continue;
    Result<ConformanceFile> r = LoadConformanceFile(entry.path().string());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->name.empty())
        << entry.path();  // type_deduction.textproto says "type_deductions"
    for (const ConformanceTest& t : r->tests) {
      EXPECT_FALSE(t.name.empty()) << entry.path();
      EXPECT_FALSE(t.section.empty()) << entry.path() << " " << t.name;
      EXPECT_FALSE(t.expr.empty()) << entry.path() << " " << t.name;
      if (t.expect == ConformanceTest::Expect::kValue ||
          t.expect == ConformanceTest::Expect::kTypedResult) {
        EXPECT_NE(t.value, nullptr);
      }
    }
    counts[r->name] = r->tests.size();
    total += r->tests.size();
  }
  EXPECT_EQ(counts["basic"], 43u);
  EXPECT_EQ(counts["comparisons"], 406u);
  EXPECT_GT(counts.size(), 20u);
  EXPECT_GT(total, 2000u);
}

TEST(ConformanceCorpus, ModelsKnownBasicTests) {
  const std::string path = std::string(OP_CORPUS_DIR) + "/cel-spec/basic.textproto";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no cel-spec corpus at " << path;
  Result<ConformanceFile> r = LoadConformanceFile(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, const ConformanceTest*> by_name;
  for (const ConformanceTest& t : r->tests) by_name[t.name] = &t;

  const ConformanceTest* bytes = by_name["self_eval_bytes_invalid_utf8"];
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(bytes->value->Find("bytes_value")->scalar, std::string("\0\377", 2));

  const ConformanceTest* null = by_name["self_eval_null"];
  ASSERT_NE(null, nullptr);
  EXPECT_EQ(null->section, "self_eval_zeroish");
  EXPECT_EQ(null->value->Find("null_value")->scalar_kind, Kind::kIdentifier);
}

}  // namespace
}  // namespace orderpilot::conformance
