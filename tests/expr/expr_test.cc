// Unit tests of the expression language beyond the official conformance suite: error positions,
// type errors, runtime errors as values, limits, native objects, money, time zones, the strings
// extension, steady-state allocation and concurrent evaluation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "expr/program.h"
#include "expr/type.h"
#include "expr/value.h"

// ---------------------------------------------------------------------------------------------
// Counting replacements of the global allocation functions, for the steady-state test. They
// forward to malloc/free, so AddressSanitizer still checks every block (it loses only its
// new/delete-mismatch check in this binary). Every variant is replaced so that no pair mixes our
// operator new with the sanitizer's operator delete.
namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<int64_t> g_allocations{0};

void* CountedAlloc(std::size_t n) {
  if (g_count_allocations.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  return std::malloc(n ? n : 1);
}

void* CountedAlignedAlloc(std::size_t n, std::align_val_t align) {
  if (g_count_allocations.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  std::size_t a = static_cast<std::size_t>(align);
  if (a < sizeof(void*)) a = sizeof(void*);
  void* p = nullptr;
  if (posix_memalign(&p, a, n ? n : 1) != 0) return nullptr;
  return p;
}
}  // namespace

void* operator new(std::size_t n) {
  void* p = CountedAlloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n) {
  void* p = CountedAlloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  void* p = CountedAlignedAlloc(n, a);
  if (!p) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n, std::align_val_t a) {
  void* p = CountedAlignedAlloc(n, a);
  if (!p) throw std::bad_alloc();
  return p;
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return CountedAlignedAlloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return CountedAlignedAlloc(n, a);
}
// GCC sees free() reach a block that operator new returned and warns, though the pair matches.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace orderpilot::expr {
namespace {

// A native object the tests bind: a line item.
struct Item {
  int64_t qty = 0;
  std::string sku;
  bool has_note = false;
  std::string note;
};

Item Line(int64_t qty, std::string sku) {
  Item item;
  item.qty = qty;
  item.sku = std::move(sku);
  return item;
}

const TypeStore& ItemTypes() {
  static const TypeStore kStore;
  return kStore;
}

const Item& AsItem(const void* o) { return *static_cast<const Item*>(o); }

const ObjectType& ItemType() {
  // Captureless lambdas, converted to the descriptor's function pointers with unary +.
  static const ObjectType kType{
      .name = "test.Item",
      .fields = {
          {.name = "qty",
           .type = ItemTypes().Basic(TypeKind::kInt),
           .get = +[](const void* o, EvalContext&) { return Value::Int(AsItem(o).qty); },
           .has = nullptr,
           .doc = "units ordered"},
          {.name = "sku",
           .type = ItemTypes().Basic(TypeKind::kString),
           .get = +[](const void* o, EvalContext&) { return Value::String(AsItem(o).sku); },
           .has = nullptr,
           .doc = "stock keeping unit"},
          {.name = "note",
           .type = ItemTypes().Basic(TypeKind::kString),
           .get = +[](const void* o, EvalContext&) { return Value::String(AsItem(o).note); },
           .has = +[](const void* o) { return AsItem(o).has_note; },
           .doc = "buyer's note; present even when empty"},
      }};
  return kType;
}

// A std::vector<Item> read in place.
const ListOps kItemVectorOps = {
    +[](const void* data) { return static_cast<const std::vector<Item>*>(data)->size(); },
    +[](const void* data, size_t i, EvalContext&) {
      return Value::Object(&(*static_cast<const std::vector<Item>*>(data))[i], &ItemType());
    },
};

Value ItemList(const std::vector<Item>& items) { return Value::List(&items, &kItemVectorOps); }

// An Env with a few declared variables of each kind and an evaluation context.
class ExprTest : public ::testing::Test {
 protected:
  ExprTest() {
    TypeStore& ts = env_.types();
    a_ = env_.Declare("a", ts.Basic(TypeKind::kInt));
    b_ = env_.Declare("b", ts.Basic(TypeKind::kInt));
    s_ = env_.Declare("s", ts.Basic(TypeKind::kString));
    p_ = env_.Declare("p", ts.Basic(TypeKind::kString));
    t_ = env_.Declare("t", ts.Basic(TypeKind::kTimestamp));
    item_ = env_.Declare("item", ts.Object(&ItemType()));
    items_ = env_.Declare("items", ts.List(ts.Object(&ItemType())));
    m_ = env_.Declare("m", ts.Map(ts.Basic(TypeKind::kString), ts.Basic(TypeKind::kInt)));
    env_.AddObjectType(&ItemType());
  }

  // The first issue's message, or "" when `source` compiles.
  std::string CompileError(std::string_view source, const CompileOptions& options = {}) {
    CompileResult r = Compile(source, env_, options);
    if (r.issues.empty()) return "";
    return r.issues[0].message;
  }

  // Compiles and evaluates `source` against act_; a compile failure is a test failure.
  Value Eval(std::string_view source) {
    CompileResult r = Compile(source, env_);
    if (!r.issues.empty()) {
      ADD_FAILURE() << "compile failed: " << source << ": " << r.issues[0].message;
      return Value::Null();
    }
    programs_.push_back(std::move(r.program));
    return programs_.back()->Evaluate(act(), ctx_);
  }

  // The value rendered for assertions: "true", "[1, 2]", "error(division by zero)".
  std::string Show(std::string_view source) { return DebugString(Eval(source), ctx_); }

  Activation& act() {
    if (!act_) act_ = std::make_unique<Activation>(env_);
    return *act_;
  }

  Env env_;
  int a_, b_, s_, p_, t_, item_, items_, m_;
  EvalContext ctx_;
  std::unique_ptr<Activation> act_;
  std::vector<std::unique_ptr<Program>> programs_;
};

// --- 1. Parse errors: positions and what was expected ----------------------------------------

TEST_F(ExprTest, ParseErrorNamesFileLineColumnAndWhatWasExpected) {
  std::string_view source = "order.total >";
  CompileResult r = Compile(source, env_);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(FormatIssue({"rules.yaml", 12, 11}, source, r.issues[0]),
            "rules.yaml:12:24: expected an expression, found end of input");
}

TEST_F(ExprTest, ParseErrorOnSecondLineReportsNextFileLine) {
  std::string_view source = "a > 1 &&\n  b >";
  CompileResult r = Compile(source, env_);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(FormatIssue({"rules.yaml", 12, 11}, source, r.issues[0]),
            "rules.yaml:13:6: expected an expression, found end of input");
}

TEST_F(ExprTest, ParseErrorPointsAtUnexpectedToken) {
  std::string_view source = "a + * b";
  CompileResult r = Compile(source, env_);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(FormatIssue({"rules.yaml", 12, 11}, source, r.issues[0]),
            "rules.yaml:12:15: expected an expression, found token");
}

TEST_F(ExprTest, ParseErrorSuggestsDoubleEquals) {
  EXPECT_EQ(CompileError("a = 1"), "unexpected '=' (did you mean '=='?)");
}

// --- 2. Type errors ---------------------------------------------------------------------------

TEST_F(ExprTest, RejectsUndeclaredVariableWithItsPosition) {
  std::string_view source = "a > 1 && custmer.name == 'x'";
  CompileResult r = Compile(source, env_);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(FormatIssue({"rules.yaml", 12, 11}, source, r.issues[0]),
            "rules.yaml:12:20: undeclared reference to 'custmer'");
}

TEST_F(ExprTest, RejectsUndefinedFieldOfObjectTypeListingKnownFields) {
  EXPECT_EQ(CompileError("item.price > 1"),
            "undefined field 'price' on test.Item (fields: qty, sku, note)");
}

TEST_F(ExprTest, RejectsOperatorWithoutMatchingOverload) {
  EXPECT_EQ(CompileError("1 + 'a'"), "no matching overload for '+' applied to (int, string)");
}

TEST_F(ExprTest, RejectsFieldComparedWithWrongType) {
  EXPECT_EQ(CompileError("item.qty > 'ten'"),
            "no matching overload for '>' applied to (int, string)");
}

TEST_F(ExprTest, ExpectBoolRejectsIntExpression) {
  CompileOptions options;
  options.expect = env_.types().Basic(TypeKind::kBool);
  EXPECT_EQ(CompileError("a + 1", options), "the expression must be bool, not int");
  EXPECT_EQ(CompileError("a + 1 > 2", options), "");
}

TEST_F(ExprTest, UndeclaredFunctionIsNamed) {
  EXPECT_EQ(CompileError("frobnicate(a)"), "undeclared function 'frobnicate'");
}

// --- 3. Runtime errors are values ---------------------------------------------------------------

TEST_F(ExprTest, DivisionByZeroIsAnErrorValue) {
  act().Set(a_, Value::Int(1));
  act().Set(b_, Value::Int(0));
  EXPECT_EQ(Show("a / b"), "error(division by zero)");
  EXPECT_EQ(Show("1 / 0"), "error(division by zero)");  // folded at compile time
}

TEST_F(ExprTest, IntegerOverflowIsAnErrorValue) {
  act().Set(a_, Value::Int(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(Show("a + 1"), "error(integer overflow)");
  EXPECT_EQ(Show("9223372036854775807 + 1"), "error(integer overflow)");
}

TEST_F(ExprTest, MissingMapKeyIsAnErrorValue) {
  Value keys[] = {Value::String("x")};
  Value values[] = {Value::Int(1)};
  act().Set(m_, MakeMap(ctx_.arena(), keys, values, 1));
  act().Set(s_, Value::String("y"));
  EXPECT_EQ(Show("m[s]"), "error(no such key: 'y')");
  EXPECT_EQ(Show("m.y"), "error(no such key: 'y')");
  EXPECT_EQ(Show("m.x"), "1");
}

TEST_F(ExprTest, FalseAndErrorIsFalse) {
  act().Set(b_, Value::Int(0));
  EXPECT_EQ(Show("false && (1 / b > 1)"), "false");
  EXPECT_EQ(Show("(1 / b > 1) && false"), "false");
  EXPECT_EQ(Show("false && (1 / 0 > 1)"), "false");
}

TEST_F(ExprTest, TrueOrErrorIsTrueInEitherOrder) {
  act().Set(b_, Value::Int(0));
  EXPECT_EQ(Show("true || (1 / b > 1)"), "true");
  EXPECT_EQ(Show("(1 / b > 1) || true"), "true");
  EXPECT_EQ(Show("true || (1 / 0 > 1)"), "true");
  EXPECT_EQ(Show("(1 / 0 > 1) || true"), "true");
}

TEST_F(ExprTest, ErrorSurvivesLogicWhenNotAbsorbed) {
  act().Set(b_, Value::Int(0));
  EXPECT_EQ(Show("true && (1 / b > 1)"), "error(division by zero)");
  EXPECT_EQ(Show("(1 / b > 1) || false"), "error(division by zero)");
}

TEST_F(ExprTest, UnboundVariableIsAnErrorValue) {
  EXPECT_EQ(Show("a + 1"), "error(no value bound to this variable)");
}

// --- 4. Limits ----------------------------------------------------------------------------------

TEST_F(ExprTest, RefusesSourceOverSizeLimitNamingTheLimit) {
  env_.limits().max_source_bytes = 100;
  std::string source = "a";
  while (source.size() < 200) source += " + a";
  EXPECT_EQ(CompileError(source),
            "expression is " + std::to_string(source.size()) + " bytes, over the limit of 100");
}

TEST_F(ExprTest, RefusesDeeplyNestedParentheses) {
  std::string source = std::string(200, '(') + "1" + std::string(200, ')');
  EXPECT_EQ(CompileError(source), "expression nesting exceeds the limit of 100");
}

TEST_F(ExprTest, RefusesLongChainOfNegations) {
  std::string source = std::string(5000, '!') + "true";
  EXPECT_EQ(CompileError(source), "expression nesting exceeds the limit of 100");
}

TEST_F(ExprTest, RefusesDeeplyNestedListsAndCalls) {
  EXPECT_EQ(CompileError(std::string(300, '[') + std::string(300, ']')),
            "expression nesting exceeds the limit of 100");
  std::string calls;
  for (int i = 0; i < 300; ++i) calls += "size(";
  calls += "'x'" + std::string(300, ')');
  EXPECT_EQ(CompileError(calls), "expression nesting exceeds the limit of 100");
}

TEST_F(ExprTest, RefusesLongOperatorChains) {
  std::string sum = "a";
  for (int i = 0; i < 1000; ++i) sum += "+a";
  EXPECT_EQ(CompileError(sum), "expression nesting exceeds the limit of 100");
  std::string methods = "s";
  for (int i = 0; i < 1000; ++i) methods += ".trim()";
  EXPECT_EQ(CompileError(methods), "expression nesting exceeds the limit of 100");
}

// Regression: a chain of selections starting at an identifier (`s.a.a.a...`) once skipped the
// depth count (parser's qualified-name loop) and overflowed the checker's stack at 5000 links.
TEST_F(ExprTest, RefusesLongChainOfFieldSelections) {
  std::string source = "s";
  for (int i = 0; i < 2000; ++i) source += ".a";
  EXPECT_EQ(CompileError(source), "expression nesting exceeds the limit of 100");
}

TEST_F(ExprTest, RefusesLongChainOfFieldSelectionsAfterParentheses) {
  std::string source = "(s)";
  for (int i = 0; i < 2000; ++i) source += ".a";
  EXPECT_EQ(CompileError(source), "expression nesting exceeds the limit of 100");
}

// CEL requires implementations to accept 32 nested parenthesised expressions. (Each parenthesis
// costs the parser about three depth units, so with max_depth 100 this is also the maximum.)
TEST_F(ExprTest, AcceptsThirtyTwoNestedParentheses) {
  std::string source = std::string(32, '(') + "1" + std::string(32, ')');
  EXPECT_EQ(CompileError(source), "");
}

TEST_F(ExprTest, CostLimitStopsNestedComprehension) {
  CompileResult r =
      Compile("[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, x * y))", env_);
  ASSERT_TRUE(r.issues.empty());
  EvalContext small(50);
  Activation act(env_);
  Value v = r.program->Evaluate(act, small);
  ASSERT_TRUE(v.is_error()) << DebugString(v, small);
  EXPECT_NE(v.error_message().find("cost limit"), std::string_view::npos) << v.error_message();
  EXPECT_NE(v.error_message().find("50"), std::string_view::npos) << v.error_message();

  EvalContext enough(1000);
  Value ok = r.program->Evaluate(act, enough);
  ASSERT_EQ(ok.kind(), Kind::kList) << DebugString(ok, enough);
  EXPECT_EQ(ok.list_size(), 10u);
}

TEST_F(ExprTest, CostBudgetIsRestoredByReset) {
  CompileResult r = Compile("[1,2,3,4,5,6,7,8,9,10].all(x, x > 0)", env_);
  ASSERT_TRUE(r.issues.empty());
  EvalContext ctx(15);
  Activation act(env_);
  for (int i = 0; i < 3; ++i) {
    ctx.Reset();
    EXPECT_EQ(DebugString(r.program->Evaluate(act, ctx), ctx), "true") << "round " << i;
  }
}

// --- 5. Native objects --------------------------------------------------------------------------

TEST_F(ExprTest, ExistsOverNativeVectorOfObjects) {
  std::vector<Item> items = {Line(3, "A-1"), Line(12, "B-2")};
  act().Set(items_, ItemList(items));
  EXPECT_EQ(Show("items.exists(i, i.qty > 10)"), "true");
  EXPECT_EQ(Show("items.exists(i, i.qty > 20)"), "false");
  EXPECT_EQ(Show("items.all(i, i.qty > 1)"), "true");
  EXPECT_EQ(Show("size(items)"), "2");
}

TEST_F(ExprTest, MapOverNativeVectorReadsFieldsInPlace) {
  std::vector<Item> items = {Line(3, "A-1"), Line(12, "B-2")};
  act().Set(items_, ItemList(items));
  Value v = Eval("items.map(i, i.sku)");
  ASSERT_EQ(v.kind(), Kind::kList) << DebugString(v, ctx_);
  ASSERT_EQ(v.list_size(), 2u);
  EXPECT_EQ(v.list_get(0, ctx_).string_value(), "A-1");
  // Borrowed, not copied: the value points into the bound vector.
  EXPECT_EQ(v.list_get(1, ctx_).string_value().data(), items[1].sku.data());
  EXPECT_EQ(Show("items.filter(i, i.qty > 10).map(i, i.sku)"), "[\"B-2\"]");
}

TEST_F(ExprTest, HasUsesFieldPresenceFunction) {
  Item item = Line(1, "A");
  item.has_note = true;
  act().Set(item_, Value::Object(&item, &ItemType()));
  EXPECT_EQ(Show("has(item.note)"), "true");  // present although empty
  item.has_note = false;
  item.note = "stale";
  EXPECT_EQ(Show("has(item.note)"), "false");
}

TEST_F(ExprTest, HasWithoutPresenceFunctionMeansNotDefault) {
  Item item = Line(0, "A");
  act().Set(item_, Value::Object(&item, &ItemType()));
  EXPECT_EQ(Show("has(item.sku)"), "true");
  EXPECT_EQ(Show("has(item.qty)"), "false");
}

TEST_F(ExprTest, ObjectTypeIsNameable) {
  Item item = Line(1, "A");
  act().Set(item_, Value::Object(&item, &ItemType()));
  EXPECT_EQ(Show("type(item) == test.Item"), "true");
}

// --- 6. Money -----------------------------------------------------------------------------------

TEST_F(ExprTest, MoneyComparesExactly) {
  EXPECT_EQ(Show("money('500.00', 'USD') < money('500.01', 'USD')"), "true");
  act().Set(s_, Value::String("USD"));
  EXPECT_EQ(Show("money('500.00', s) < money('500.01', s)"), "true");
  EXPECT_EQ(Show("money('500.00', s) == money('500', s)"), "true");
}

TEST_F(ExprTest, ComparingDifferentCurrenciesIsAnError) {
  Value v = Eval("money('1.00', 'USD') < money('1.00', 'EUR')");
  ASSERT_TRUE(v.is_error()) << DebugString(v, ctx_);
  EXPECT_NE(v.error_message().find("currenc"), std::string_view::npos) << v.error_message();
  act().Set(s_, Value::String("EUR"));
  EXPECT_TRUE(Eval("money('1.00', 'USD') < money('1.00', s)").is_error());
}

TEST_F(ExprTest, MoneyWithTooManyDecimalsIsAnError) {
  Value v = Eval("money('1.005', 'USD')");
  ASSERT_TRUE(v.is_error()) << DebugString(v, ctx_);
  // The planner's constant-amount path (currency known only at run time) agrees.
  act().Set(s_, Value::String("USD"));
  Value w = Eval("money('1.005', s)");
  ASSERT_TRUE(w.is_error()) << DebugString(w, ctx_);
  EXPECT_EQ(Show("money('1.000', s) == money('1', s)"), "true");
}

TEST_F(ExprTest, MoneyFormatsWithCurrencyExponent) {
  EXPECT_EQ(Show("string(money('5', 'JPY'))"), "\"5 JPY\"");
  EXPECT_EQ(Show("string(money('1.5', 'KWD'))"), "\"1.500 KWD\"");
  EXPECT_EQ(Show("string(money('-0.05', 'USD'))"), "\"-0.05 USD\"");
}

TEST_F(ExprTest, JpyHasNoDecimalsAndKwdHasThree) {
  EXPECT_TRUE(Eval("money('5.5', 'JPY')").is_error());
  EXPECT_EQ(DebugString(Eval("money('500', 'JPY')"), ctx_), "money(500 minor JPY)");
  EXPECT_EQ(DebugString(Eval("money('1.234', 'KWD')"), ctx_), "money(1234 minor KWD)");
  EXPECT_TRUE(Eval("money('1.2345', 'KWD')").is_error());
  act().Set(s_, Value::String("KWD"));
  EXPECT_EQ(DebugString(Eval("money('1.234', s)"), ctx_), "money(1234 minor KWD)");
}

TEST_F(ExprTest, UnknownCurrencyIsAnError) {
  EXPECT_TRUE(Eval("money('1', 'XYZ')").is_error());
  act().Set(s_, Value::String("usd"));
  EXPECT_TRUE(Eval("money('1', s)").is_error());
}

TEST_F(ExprTest, MoneyArithmeticChecksCurrency) {
  EXPECT_EQ(Show("money('1.25', 'USD') + money('2.50', 'USD') == money('3.75', 'USD')"), "true");
  EXPECT_EQ(Show("money('1.25', 'USD') * 3 == money('3.75', 'USD')"), "true");
  EXPECT_EQ(Show("money('1', 'USD') + money('1', 'EUR')"),
            "error(cannot add money in different currencies)");
}

// --- 7. Timestamps with time zones ------------------------------------------------------------

TEST_F(ExprTest, TimestampHoursInNamedZone) {
  EXPECT_EQ(Show("timestamp('2024-07-01T12:00:00Z').getHours('America/New_York') == 8"), "true");
  act().Set(t_, Value::Timestamp(1719835200, 0));  // 2024-07-01T12:00:00Z
  EXPECT_EQ(Show("t.getHours('America/New_York')"), "8");
  EXPECT_EQ(Show("t.getHours()"), "12");
  act().Set(t_, Value::Timestamp(1705320000, 0));  // 2024-01-15T12:00:00Z, standard time
  EXPECT_EQ(Show("t.getHours('America/New_York')"), "7");
}

TEST_F(ExprTest, TimestampInFixedOffsetZone) {
  act().Set(t_, Value::Timestamp(1719835200, 0));  // 2024-07-01T12:00:00Z
  EXPECT_EQ(Show("t.getHours('+05:30')"), "17");
  EXPECT_EQ(Show("t.getMinutes('+05:30')"), "30");
  EXPECT_EQ(Show("t.getHours('-08:00')"), "4");
  EXPECT_EQ(Show("timestamp('2024-07-01T23:30:00Z').getDayOfMonth('+05:30')"), "1");  // July 2
}

TEST_F(ExprTest, BadTimeZoneNameIsAnErrorValue) {
  act().Set(t_, Value::Timestamp(1719835200, 0));
  EXPECT_TRUE(Eval("t.getHours('Mars/Olympus_Mons')").is_error());
  EXPECT_TRUE(Eval("t.getHours('../../etc/passwd')").is_error());
  EXPECT_TRUE(Eval("t.getHours('+25:00')").is_error());
  act().Set(s_, Value::String("Not/AZone"));
  EXPECT_TRUE(Eval("t.getHours(s)").is_error());
}

// --- 8. Strings extension ---------------------------------------------------------------------

TEST_F(ExprTest, LowerAndUpperAscii) {
  act().Set(s_, Value::String("TacoCat-é"));
  EXPECT_EQ(Show("s.lowerAscii()"), "\"tacocat-é\"");
  EXPECT_EQ(Show("s.upperAscii()"), "\"TACOCAT-é\"");
}

TEST_F(ExprTest, TrimRemovesSurroundingWhitespace) {
  act().Set(s_, Value::String(" \t hi there \n"));
  EXPECT_EQ(Show("s.trim()"), "\"hi there\"");
  EXPECT_EQ(Show("'   '.trim()"), "\"\"");
}

TEST_F(ExprTest, SplitWithAndWithoutLimit) {
  act().Set(s_, Value::String("a,b,c,d"));
  EXPECT_EQ(Show("s.split(',')"), "[\"a\", \"b\", \"c\", \"d\"]");
  EXPECT_EQ(Show("s.split(',', 2)"), "[\"a\", \"b,c,d\"]");
  EXPECT_EQ(Show("s.split(',', 0)"), "[]");
  EXPECT_EQ(Show("s.split(',', -1)"), "[\"a\", \"b\", \"c\", \"d\"]");
}

TEST_F(ExprTest, JoinWithAndWithoutSeparator) {
  act().Set(s_, Value::String("a,b,c"));
  EXPECT_EQ(Show("s.split(',').join('-')"), "\"a-b-c\"");
  EXPECT_EQ(Show("s.split(',').join()"), "\"abc\"");
  EXPECT_EQ(Show("['x'].join(', ')"), "\"x\"");
}

TEST_F(ExprTest, ReplaceWithAndWithoutLimit) {
  act().Set(s_, Value::String("banana"));
  EXPECT_EQ(Show("s.replace('a', 'o')"), "\"bonono\"");
  EXPECT_EQ(Show("s.replace('a', 'o', 2)"), "\"bonona\"");
  EXPECT_EQ(Show("s.replace('a', 'o', 0)"), "\"banana\"");
  EXPECT_EQ(Show("s.replace('xyz', 'o')"), "\"banana\"");
}

TEST_F(ExprTest, MatchesConstantPattern) {
  act().Set(s_, Value::String("SKU-123"));
  EXPECT_EQ(Show("s.matches('^SKU-[0-9]+$')"), "true");
  EXPECT_EQ(Show("s.matches('^[0-9]+$')"), "false");
  EXPECT_EQ(Show("matches(s, '[0-9]{3}')"), "true");
}

TEST_F(ExprTest, MatchesDynamicPattern) {
  act().Set(s_, Value::String("SKU-123"));
  act().Set(p_, Value::String("^SKU-\\d+$"));
  EXPECT_EQ(Show("s.matches(p)"), "true");
  act().Set(p_, Value::String("^ABC"));
  EXPECT_EQ(Show("s.matches(p)"), "false");
}

TEST_F(ExprTest, InvalidRegexIsAnErrorValue) {
  act().Set(s_, Value::String("abc"));
  Value constant = Eval("s.matches('(')");
  ASSERT_TRUE(constant.is_error()) << DebugString(constant, ctx_);
  EXPECT_NE(constant.error_message().find("invalid regular expression"), std::string_view::npos);
  act().Set(p_, Value::String("[a-"));
  Value dynamic = Eval("s.matches(p)");
  ASSERT_TRUE(dynamic.is_error()) << DebugString(dynamic, ctx_);
  EXPECT_NE(dynamic.error_message().find("invalid regular expression"), std::string_view::npos);
}

// --- 9. Steady state allocates nothing --------------------------------------------------------

class SteadyStateTest : public ExprTest {
 protected:
  SteadyStateTest() {
    name_ = env_.Declare("name", env_.types().Basic(TypeKind::kString));
    tags_ = env_.Declare("tags", env_.types().List(env_.types().Basic(TypeKind::kString)));
    code_ = env_.Declare("code", env_.types().Basic(TypeKind::kString));
  }

  std::unique_ptr<Program> CompileRule(std::string_view source) {
    CompileOptions options;
    options.expect = env_.types().Basic(TypeKind::kBool);
    CompileResult r = Compile(source, env_, options);
    EXPECT_TRUE(r.issues.empty()) << r.issues[0].message;
    return std::move(r.program);
  }

  void Bind(Activation& act) {
    act.Set(items_, ItemList(items_data_));
    act.Set(name_, Value::String(name_data_));
    act.Set(tags_, Value::List(&tags_data_, &kStringVectorListOps));
    act.Set(code_, Value::String(code_data_));
  }

  // Heap allocations made by `n` evaluations after a warm-up one.
  int64_t AllocationsPerEvaluations(const Program& program, int n, bool expect) {
    Activation act(env_);
    Bind(act);
    EvalContext ctx;
    Value warm = program.Evaluate(act, ctx);
    EXPECT_EQ(DebugString(warm, ctx), expect ? "true" : "false");
    int failures = 0;
    g_allocations.store(0);
    g_count_allocations.store(true);
    for (int i = 0; i < n; ++i) {
      ctx.Reset();
      Value v = program.Evaluate(act, ctx);
      if (v.kind() != Kind::kBool || v.bool_value() != expect) ++failures;
    }
    g_count_allocations.store(false);
    EXPECT_EQ(failures, 0);
    return g_allocations.load();
  }

  static constexpr std::string_view kRule =
      "items.exists(i, i.qty > 10) && name.startsWith('A') && size(tags) > 1 && "
      "code in ['US','CA','MX']";

  int name_, tags_, code_;
  std::vector<Item> items_data_ = {Line(3, "A-1"), Line(12, "B-2")};
  std::string name_data_ = "Alice Longname-Exceeding-SSO";
  std::vector<std::string> tags_data_ = {"vip", "wholesale"};
  std::string code_data_ = "CA";
};

TEST_F(SteadyStateTest, ArenaUsageIsStableAcrossEvaluations) {
  // A rule that builds intermediate values (a list, a string) in the arena.
  std::string rule(kRule);
  rule += " && items.map(i, i.sku + '/' + code).exists(x, x == 'B-2/CA')";
  std::unique_ptr<Program> program = CompileRule(rule);
  ASSERT_TRUE(program);
  Activation act(env_);
  Bind(act);
  EvalContext ctx;
  ASSERT_EQ(DebugString(program->Evaluate(act, ctx), ctx), "true");
  size_t first = ctx.arena().bytes_in_use();
  EXPECT_GT(first, 0u);
  for (int i = 0; i < 100; ++i) {
    ctx.Reset();
    Value v = program->Evaluate(act, ctx);
    ASSERT_EQ(v.kind(), Kind::kBool);
    ASSERT_EQ(ctx.arena().bytes_in_use(), first) << "evaluation " << i;
  }
}

TEST_F(SteadyStateTest, CountingAllocatorSeesAllocations) {
  // Guards the next tests against a counter that silently never counts.
  g_allocations.store(0);
  g_count_allocations.store(true);
  void* p = ::operator new(64);  // a direct call: the compiler may not elide it
  ::operator delete(p);
  g_count_allocations.store(false);
  EXPECT_GE(g_allocations.load(), 1);
}

TEST_F(SteadyStateTest, RuleEvaluationMakesNoHeapAllocations) {
  std::unique_ptr<Program> program = CompileRule(kRule);
  ASSERT_TRUE(program);
  EXPECT_EQ(AllocationsPerEvaluations(*program, 1000, true), 0);
}

TEST_F(SteadyStateTest, FailingRuleEvaluationMakesNoHeapAllocations) {
  code_data_ = "FR";
  std::unique_ptr<Program> program = CompileRule(kRule);
  ASSERT_TRUE(program);
  EXPECT_EQ(AllocationsPerEvaluations(*program, 1000, false), 0);
}

TEST_F(SteadyStateTest, MoneyAndMatchesMakeNoHeapAllocations) {
  std::unique_ptr<Program> program = CompileRule(
      "money('500.00', code == 'CA' ? 'CAD' : 'USD') < money('500.01', 'CAD') && "
      "name.matches('^A[a-z]+')");
  ASSERT_TRUE(program);
  EXPECT_EQ(AllocationsPerEvaluations(*program, 1000, true), 0);
}

// Regression: split/join/replace once built std::vector/std::string temporaries per call.
TEST_F(SteadyStateTest, SplitJoinReplaceMakeNoHeapAllocations) {
  std::unique_ptr<Program> program = CompileRule(
      "name.split(' ').join('+').replace('Exceeding', 'Over') == "
      "'Alice+Longname-Over-SSO'");
  ASSERT_TRUE(program);
  EXPECT_EQ(AllocationsPerEvaluations(*program, 100, true), 0);
}

// Regression: the time-zone cache lookup once built a std::string key per evaluation.
TEST_F(SteadyStateTest, NamedTimeZoneLookupMakesNoHeapAllocations) {
  std::unique_ptr<Program> program = CompileRule("t.getHours('America/New_York') == 8");
  ASSERT_TRUE(program);
  Activation act(env_);
  act.Set(t_, Value::Timestamp(1719835200, 0));
  EvalContext ctx;
  ASSERT_EQ(DebugString(program->Evaluate(act, ctx), ctx), "true");
  g_allocations.store(0);
  g_count_allocations.store(true);
  for (int i = 0; i < 100; ++i) {
    ctx.Reset();
    (void)program->Evaluate(act, ctx);
  }
  g_count_allocations.store(false);
  EXPECT_EQ(g_allocations.load(), 0);
}

// --- 10. Concurrency ----------------------------------------------------------------------------

TEST_F(ExprTest, ProgramEvaluatesConcurrentlyFromFourThreads) {
  CompileResult r = Compile(
      "items.filter(i, i.qty > a).map(i, i.qty * 2).exists(q, q == a * 4) && "
      "string(a) + '-' + s == s.split('-')[0] + '-' + s && s.matches('^[0-9]+-thread$') && "
      "a in [1, 2, 3, 4]",
      env_);
  ASSERT_TRUE(r.issues.empty()) << r.issues[0].message;
  const Program& program = *r.program;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // Each thread binds its own data: a = t + 1, items hold qty 2a (so 2 * 2a == 4a).
      std::vector<Item> items = {Line(0, "x"), Line(2 * (t + 1), "y")};
      std::string s = std::to_string(t + 1) + "-thread";
      Activation act(env_);
      act.Set(a_, Value::Int(t + 1));
      act.Set(s_, Value::String(s));
      act.Set(items_, ItemList(items));
      EvalContext ctx;
      for (int i = 0; i < 500; ++i) {
        ctx.Reset();
        Value v = program.Evaluate(act, ctx);
        if (v.kind() != Kind::kBool || !v.bool_value()) wrong.fetch_add(1);
      }
      // And a binding that must give false, to tell "true" from "always true".
      act.Set(a_, Value::Int(t + 100));
      ctx.Reset();
      Value v = program.Evaluate(act, ctx);
      if (v.kind() != Kind::kBool || v.bool_value()) wrong.fetch_add(1);
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace orderpilot::expr
