#include "rules/order_env.h"

#include <deque>

namespace orderpilot::rules {
namespace {

using expr::EvalContext;
using expr::FieldDescriptor;
using expr::ObjectType;
using expr::Type;
using expr::TypeKind;
using expr::Value;

// A std::vector<T> of objects, read in place.
struct ObjectVector {
  const char* begin;
  size_t size;
  size_t stride;
  const ObjectType* type;
};

size_t ObjectVectorSize(const void* d) { return static_cast<const ObjectVector*>(d)->size; }
Value ObjectVectorGet(const void* d, size_t i, EvalContext&) {
  const auto* v = static_cast<const ObjectVector*>(d);
  return Value::Object(v->begin + i * v->stride, v->type);
}
const expr::ListOps kObjectVectorOps = {ObjectVectorSize, ObjectVectorGet};

template <typename T>
Value Objects(const std::vector<T>& v, const ObjectType* type, EvalContext& ctx) {
  auto* list = ctx.arena().New<ObjectVector>(
      ObjectVector{reinterpret_cast<const char*>(v.data()), v.size(), sizeof(T), type});
  return Value::List(list, &kObjectVectorOps);
}

Value MoneyValue(const Money& m) {
  return Value::Money(m.minor_units(), m.currency().code(), m.currency().exponent());
}

Value TimeValue(Timestamp t) {
  int64_t s = t.micros / 1000000, us = t.micros % 1000000;
  if (us < 0) {
    us += 1000000;
    s -= 1;
  }
  return Value::Timestamp(s, static_cast<int32_t>(us * 1000));
}

// Note attributes as a map(string, string).
struct Attributes {
  const std::vector<std::pair<std::string, std::string>>* v;
};
size_t AttrSize(const void* d) { return static_cast<const Attributes*>(d)->v->size(); }
bool AttrFind(const void* d, const Value& key, Value* out, EvalContext&) {
  if (key.kind() != expr::Kind::kString) return false;
  for (const auto& [k, v] : *static_cast<const Attributes*>(d)->v) {
    if (k == key.string_value()) {
      *out = Value::String(v);
      return true;
    }
  }
  return false;
}
Value AttrKey(const void* d, size_t i, EvalContext&) {
  return Value::String((*static_cast<const Attributes*>(d)->v)[i].first);
}
Value AttrValue(const void* d, size_t i, EvalContext&) {
  return Value::String((*static_cast<const Attributes*>(d)->v)[i].second);
}
const expr::MapOps kAttributesOps = {AttrSize, AttrFind, AttrKey, AttrValue};

// `event` as a map(string, dyn) read from the facts in place: {"type": …, "actor": …}.
constexpr std::string_view kEventKeys[] = {"type", "actor"};
Value EventValue(const OrderFacts& f, size_t i) {
  return Value::String(i == 0 ? f.trigger : f.actor);
}
size_t EventSize(const void*) { return 2; }
bool EventFind(const void* d, const Value& key, Value* out, EvalContext&) {
  if (key.kind() != expr::Kind::kString) return false;
  for (size_t i = 0; i < 2; ++i) {
    if (key.string_value() == kEventKeys[i]) {
      *out = EventValue(*static_cast<const OrderFacts*>(d), i);
      return true;
    }
  }
  return false;
}
Value EventKey(const void*, size_t i, EvalContext&) { return Value::String(kEventKeys[i]); }
Value EventAt(const void* d, size_t i, EvalContext&) {
  return EventValue(*static_cast<const OrderFacts*>(d), i);
}
const expr::MapOps kEventOps = {EventSize, EventFind, EventKey, EventAt};

// An empty map(string, dyn) for risk/ticket until their modules bind them.
size_t EmptySize(const void*) { return 0; }
bool EmptyFind(const void*, const Value&, Value*, EvalContext&) { return false; }
Value EmptyAt(const void*, size_t, EvalContext&) { return Value::Null(); }
const expr::MapOps kEmptyMapOps = {EmptySize, EmptyFind, EmptyAt, EmptyAt};
const char kEmptyMapData = 0;

// `risk.signals`: the known (non-NaN) signals of a RiskView, by name.
size_t SignalsSize(const void* d) {
  const RiskView& r = *static_cast<const RiskView*>(d);
  size_t n = 0;
  for (float v : r.signal_values) n += v == v ? 1 : 0;
  return n;
}
bool SignalsFind(const void* d, const Value& key, Value* out, EvalContext&) {
  if (key.kind() != expr::Kind::kString) return false;
  const RiskView& r = *static_cast<const RiskView*>(d);
  for (size_t i = 0; i < r.signal_names.size(); ++i) {
    if (r.signal_names[i] == key.string_value()) {
      if (r.signal_values[i] != r.signal_values[i]) return false;  // unknown
      *out = Value::Double(r.signal_values[i]);
      return true;
    }
  }
  return false;
}
// The index of the i-th known signal.
size_t KnownSignal(const RiskView& r, size_t i) {
  for (size_t j = 0; j < r.signal_values.size(); ++j) {
    if (r.signal_values[j] == r.signal_values[j] && i-- == 0) return j;
  }
  return 0;
}
Value SignalsKey(const void* d, size_t i, EvalContext&) {
  const RiskView& r = *static_cast<const RiskView*>(d);
  return Value::String(r.signal_names[KnownSignal(r, i)]);
}
Value SignalsValue(const void* d, size_t i, EvalContext&) {
  const RiskView& r = *static_cast<const RiskView*>(d);
  return Value::Double(r.signal_values[KnownSignal(r, i)]);
}
const expr::MapOps kSignalsOps = {SignalsSize, SignalsFind, SignalsKey, SignalsValue};

// `risk`: {"score", "model", "signals"}.
constexpr std::string_view kRiskKeys[] = {"score", "model", "signals"};
Value RiskValue(const RiskView& r, size_t i) {
  if (i == 0) return Value::Double(r.score);
  if (i == 1) return Value::String(r.model);
  return Value::Map(&r, &kSignalsOps);
}
size_t RiskSize(const void*) { return 3; }
bool RiskFind(const void* d, const Value& key, Value* out, EvalContext&) {
  if (key.kind() != expr::Kind::kString) return false;
  for (size_t i = 0; i < 3; ++i) {
    if (key.string_value() == kRiskKeys[i]) {
      *out = RiskValue(*static_cast<const RiskView*>(d), i);
      return true;
    }
  }
  return false;
}
Value RiskKey(const void*, size_t i, EvalContext&) { return Value::String(kRiskKeys[i]); }
Value RiskAt(const void* d, size_t i, EvalContext&) {
  return RiskValue(*static_cast<const RiskView*>(d), i);
}
const expr::MapOps kRiskOps = {RiskSize, RiskFind, RiskKey, RiskAt};

// The object types, built once and immutable afterwards.
struct RuleTypes {
  expr::TypeStore ts;
  ObjectType order, customer, address, line_item, shipping_line, discount_code, payment, client;

  const Type* T(TypeKind k) const { return ts.Basic(k); }
  const Type* Str() const { return ts.Basic(TypeKind::kString); }
  const Type* Obj(const ObjectType& o) const { return ts.Object(&o); }
  const Type* ListOf(const Type* t) const { return ts.List(t); }

  RuleTypes();
};

const RuleTypes& Types();

#define OP_STRING_FIELD(Struct, field, doc)                                                        \
  FieldDescriptor {                                                                                \
#field, Str(),                                                                                 \
        [](const void* p,                                                                          \
           EvalContext&) { return Value::String(static_cast<const Struct*>(p)->field); }, nullptr, \
                                                                                       doc         \
  }

RuleTypes::RuleTypes() {
  address.name = "orderpilot.Address";
  address.fields = {
      OP_STRING_FIELD(Address, first_name, ""), OP_STRING_FIELD(Address, last_name, ""),
      OP_STRING_FIELD(Address, company, ""),    OP_STRING_FIELD(Address, address1, ""),
      OP_STRING_FIELD(Address, address2, ""),   OP_STRING_FIELD(Address, city, ""),
      OP_STRING_FIELD(Address, province, ""),   OP_STRING_FIELD(Address, province_code, "ON"),
      OP_STRING_FIELD(Address, country, ""),    OP_STRING_FIELD(Address, country_code, "CA"),
      OP_STRING_FIELD(Address, zip, ""),        OP_STRING_FIELD(Address, phone, ""),
  };

  customer.name = "orderpilot.Customer";
  customer.fields = {
      {"id", Str(),
       [](const void* p, EvalContext&) {
         return Value::String(static_cast<const Customer*>(p)->channel_customer_id);
       },
       nullptr, "the channel's customer id; empty for guests"},
      OP_STRING_FIELD(Customer, email, ""),
      OP_STRING_FIELD(Customer, phone, ""),
      OP_STRING_FIELD(Customer, first_name, ""),
      OP_STRING_FIELD(Customer, last_name, ""),
      {"tags", ListOf(Str()),
       [](const void* p, EvalContext&) {
         return Value::List(&static_cast<const Customer*>(p)->tags, &expr::kStringVectorListOps);
       },
       nullptr, "list of tags"},
      {"created_at", T(TypeKind::kTimestamp),
       [](const void* p, EvalContext& ctx) {
         const auto& c = *static_cast<const Customer*>(p);
         return c.created_at ? TimeValue(*c.created_at)
                             : ctx.MakeError("customer.created_at is not known");
       },
       [](const void* p) { return static_cast<const Customer*>(p)->created_at.has_value(); },
       "account creation time"},
      {"orders_count", T(TypeKind::kInt),
       [](const void* p, EvalContext&) {
         return Value::Int(static_cast<const Customer*>(p)->orders_count);
       },
       nullptr, "orders as the channel counts them"},
      {"accepts_marketing", T(TypeKind::kBool),
       [](const void* p, EvalContext&) {
         return Value::Bool(static_cast<const Customer*>(p)->accepts_marketing);
       },
       nullptr, ""},
  };

  line_item.name = "orderpilot.LineItem";
  line_item.fields = {
      OP_STRING_FIELD(LineItem, sku, ""),
      OP_STRING_FIELD(LineItem, title, ""),
      OP_STRING_FIELD(LineItem, variant_title, ""),
      OP_STRING_FIELD(LineItem, vendor, ""),
      OP_STRING_FIELD(LineItem, product_id, ""),
      OP_STRING_FIELD(LineItem, variant_id, ""),
      {"quantity", T(TypeKind::kInt),
       [](const void* p, EvalContext&) {
         return Value::Int(static_cast<const LineItem*>(p)->quantity);
       },
       nullptr, ""},
      {"price", T(TypeKind::kMoney),
       [](const void* p, EvalContext&) {
         return MoneyValue(static_cast<const LineItem*>(p)->unit_price);
       },
       nullptr, "unit price before discounts"},
      {"total_discount", T(TypeKind::kMoney),
       [](const void* p, EvalContext&) {
         return MoneyValue(static_cast<const LineItem*>(p)->total_discount);
       },
       nullptr, ""},
      {"grams", T(TypeKind::kInt),
       [](const void* p, EvalContext&) {
         return Value::Int(static_cast<const LineItem*>(p)->grams);
       },
       nullptr, "weight per unit"},
      {"requires_shipping", T(TypeKind::kBool),
       [](const void* p, EvalContext&) {
         return Value::Bool(static_cast<const LineItem*>(p)->requires_shipping);
       },
       nullptr, ""},
      {"gift_card", T(TypeKind::kBool),
       [](const void* p, EvalContext&) {
         return Value::Bool(static_cast<const LineItem*>(p)->gift_card);
       },
       nullptr, ""},
  };

  shipping_line.name = "orderpilot.ShippingLine";
  shipping_line.fields = {
      OP_STRING_FIELD(ShippingLine, code, ""),
      OP_STRING_FIELD(ShippingLine, title, "\"Express\""),
      OP_STRING_FIELD(ShippingLine, source, ""),
      {"price", T(TypeKind::kMoney),
       [](const void* p, EvalContext&) {
         return MoneyValue(static_cast<const ShippingLine*>(p)->price);
       },
       nullptr, ""},
  };

  discount_code.name = "orderpilot.DiscountCode";
  discount_code.fields = {
      OP_STRING_FIELD(DiscountCode, code, ""),
      OP_STRING_FIELD(DiscountCode, type, ""),
      {"amount", T(TypeKind::kMoney),
       [](const void* p, EvalContext&) {
         return MoneyValue(static_cast<const DiscountCode*>(p)->amount);
       },
       nullptr, ""},
  };

  payment.name = "orderpilot.Payment";
  payment.fields = {
      OP_STRING_FIELD(PaymentFacts, gateway, ""),
      OP_STRING_FIELD(PaymentFacts, avs_result_code, ""),
      OP_STRING_FIELD(PaymentFacts, cvv_result_code, ""),
      OP_STRING_FIELD(PaymentFacts, card_bin, ""),
      OP_STRING_FIELD(PaymentFacts, card_last4, ""),
      OP_STRING_FIELD(PaymentFacts, card_company, ""),
      {"failed_attempts", T(TypeKind::kInt),
       [](const void* p, EvalContext&) {
         return Value::Int(static_cast<const PaymentFacts*>(p)->failed_attempts);
       },
       nullptr, ""},
  };

  client.name = "orderpilot.Client";
  client.fields = {
      OP_STRING_FIELD(ClientDetails, browser_ip, ""),
      OP_STRING_FIELD(ClientDetails, user_agent, ""),
      OP_STRING_FIELD(ClientDetails, accept_language, ""),
  };

#define OP_ORDER_STRING(field)                                                             \
  FieldDescriptor{#field, Str(),                                                           \
                  [](const void* p, EvalContext&) {                                        \
                    return Value::String(static_cast<const OrderFacts*>(p)->order->field); \
                  },                                                                       \
                  nullptr, ""}
#define OP_ORDER_MONEY(name, expr, doc)                                      \
  FieldDescriptor {                                                          \
    name, T(TypeKind::kMoney),                                               \
        [](const void* p, EvalContext&) {                                    \
          return MoneyValue(static_cast<const OrderFacts*>(p)->order->expr); \
        },                                                                   \
        nullptr, doc                                                         \
  }

  order.name = "orderpilot.Order";
  order.fields = {
      {"id", T(TypeKind::kInt),
       [](const void* p, EvalContext&) {
         return Value::Int(static_cast<const OrderFacts*>(p)->id);
       },
       nullptr, "orderpilot's order id"},
      {"state", Str(),
       [](const void* p, EvalContext&) {
         return Value::String(static_cast<const OrderFacts*>(p)->state);
       },
       nullptr, "lifecycle state: received, validated, accepted, held, rejected, cancelled"},
      OP_ORDER_STRING(channel),
      OP_ORDER_STRING(shop),
      OP_ORDER_STRING(channel_order_id),
      OP_ORDER_STRING(number),
      {"currency", Str(),
       [](const void* p, EvalContext&) {
         return Value::String(static_cast<const OrderFacts*>(p)->order->currency.code());
       },
       nullptr, "ISO 4217 code"},
      {"created_at", T(TypeKind::kTimestamp),
       [](const void* p, EvalContext&) {
         return TimeValue(static_cast<const OrderFacts*>(p)->order->created_at);
       },
       nullptr, ""},
      OP_ORDER_STRING(email),
      OP_ORDER_STRING(phone),
      OP_ORDER_STRING(note),
      OP_ORDER_STRING(source_name),
      OP_ORDER_STRING(fulfillment_status),
      OP_ORDER_STRING(cancel_reason),
      {"financial_status", Str(),
       [](const void* p, EvalContext&) {
         return Value::String(
             FinancialStatusName(static_cast<const OrderFacts*>(p)->order->financial_status));
       },
       nullptr, "paid, pending, authorized, refunded, …"},
      {"customer", Obj(customer),
       [](const void* p, EvalContext&) {
         return Value::Object(&static_cast<const OrderFacts*>(p)->order->customer,
                              &Types().customer);
       },
       nullptr, ""},
      {"shipping_address", Obj(address),
       [](const void* p, EvalContext& ctx) {
         const auto& a = static_cast<const OrderFacts*>(p)->order->shipping_address;
         return a ? Value::Object(&*a, &Types().address)
                  : ctx.MakeError("the order has no shipping address (test with has())");
       },
       [](const void* p) {
         return static_cast<const OrderFacts*>(p)->order->shipping_address.has_value();
       },
       "absent for digital goods: guard with has(order.shipping_address)"},
      {"billing_address", Obj(address),
       [](const void* p, EvalContext& ctx) {
         const auto& a = static_cast<const OrderFacts*>(p)->order->billing_address;
         return a ? Value::Object(&*a, &Types().address)
                  : ctx.MakeError("the order has no billing address (test with has())");
       },
       [](const void* p) {
         return static_cast<const OrderFacts*>(p)->order->billing_address.has_value();
       },
       ""},
      {"line_items", ListOf(Obj(line_item)),
       [](const void* p, EvalContext& ctx) {
         return Objects(static_cast<const OrderFacts*>(p)->order->line_items, &Types().line_item,
                        ctx);
       },
       nullptr, ""},
      {"shipping_lines", ListOf(Obj(shipping_line)),
       [](const void* p, EvalContext& ctx) {
         return Objects(static_cast<const OrderFacts*>(p)->order->shipping_lines,
                        &Types().shipping_line, ctx);
       },
       nullptr, ""},
      {"discount_codes", ListOf(Obj(discount_code)),
       [](const void* p, EvalContext& ctx) {
         return Objects(static_cast<const OrderFacts*>(p)->order->discount_codes,
                        &Types().discount_code, ctx);
       },
       nullptr, ""},
      {"tags", ListOf(Str()),
       [](const void* p, EvalContext&) {
         return Value::List(&static_cast<const OrderFacts*>(p)->order->tags,
                            &expr::kStringVectorListOps);
       },
       nullptr, ""},
      {"attributes", ts.Map(Str(), Str()),
       [](const void* p, EvalContext& ctx) {
         auto* a = ctx.arena().New<Attributes>(
             Attributes{&static_cast<const OrderFacts*>(p)->order->attributes});
         return Value::Map(a, &kAttributesOps);
       },
       nullptr, "note attributes"},
      {"taxes_included", T(TypeKind::kBool),
       [](const void* p, EvalContext&) {
         return Value::Bool(static_cast<const OrderFacts*>(p)->order->taxes_included);
       },
       nullptr, ""},
      {"requires_shipping", T(TypeKind::kBool),
       [](const void* p, EvalContext&) {
         return Value::Bool(static_cast<const OrderFacts*>(p)->order->RequiresShipping());
       },
       nullptr, ""},
      {"item_count", T(TypeKind::kInt),
       [](const void* p, EvalContext&) {
         int64_t n = 0;
         for (const LineItem& l : static_cast<const OrderFacts*>(p)->order->line_items) {
           n += l.quantity;
         }
         return Value::Int(n);
       },
       nullptr, "units over all lines"},
      OP_ORDER_MONEY("subtotal", totals.line_items, "line items before discounts"),
      OP_ORDER_MONEY("discounts", totals.discounts, ""),
      OP_ORDER_MONEY("shipping", totals.shipping, ""),
      OP_ORDER_MONEY("tax", totals.tax, ""),
      OP_ORDER_MONEY("total", totals.total, "what the customer pays"),
      {"payment", Obj(payment),
       [](const void* p, EvalContext&) {
         return Value::Object(&static_cast<const OrderFacts*>(p)->order->payment, &Types().payment);
       },
       nullptr, ""},
      {"client", Obj(client),
       [](const void* p, EvalContext&) {
         return Value::Object(&static_cast<const OrderFacts*>(p)->order->client, &Types().client);
       },
       nullptr, ""},
  };
#undef OP_ORDER_STRING
#undef OP_ORDER_MONEY
}

#undef OP_STRING_FIELD

const RuleTypes& Types() {
  static const RuleTypes kTypes;
  return kTypes;
}

}  // namespace

const expr::ObjectType& OrderObjectType() { return Types().order; }

OrderEnv::OrderEnv() {
  const RuleTypes& t = Types();
  object_types_ = {&t.order,         &t.customer,      &t.address, &t.line_item,
                   &t.shipping_line, &t.discount_code, &t.payment, &t.client};
  for (const ObjectType* o : object_types_) env_.AddObjectType(o);
  const expr::TypeStore& ts = env_.types();
  const Type* dyn_map = ts.Map(ts.Basic(TypeKind::kString), ts.Dyn());
  order_slot_ = env_.Declare("order", ts.Object(&t.order));
  customer_slot_ = env_.Declare("customer", ts.Object(&t.customer));
  event_slot_ = env_.Declare("event", dyn_map);
  risk_slot_ = env_.Declare("risk", dyn_map);
  ticket_slot_ = env_.Declare("ticket", dyn_map);
  now_slot_ = env_.Declare("now", ts.Basic(TypeKind::kTimestamp));
}

namespace {

// Starts loading the fields conditions read most: they sit on different cache lines of a large
// Order, so their misses overlap instead of arriving one condition at a time.
void Prefetch(const Order& order) {
  __builtin_prefetch(&order.totals.total);
  __builtin_prefetch(&order.currency);
  __builtin_prefetch(&order.customer.tags);
  __builtin_prefetch(&order.shipping_address);
  __builtin_prefetch(&order.line_items);
}

}  // namespace

void OrderEnv::Bind(const Order& order, OrderFacts& facts, expr::Activation& act,
                    EvalContext&) const {
  const RuleTypes& t = Types();
  facts.order = &order;
  Prefetch(order);
  act.Set(order_slot_, Value::Object(&facts, &t.order));
  act.Set(customer_slot_, Value::Object(&order.customer, &t.customer));
  act.Set(event_slot_, Value::Map(&facts, &kEventOps));
  if (facts.risk) {
    act.Set(risk_slot_, Value::Map(facts.risk, &kRiskOps));
  } else {
    act.Set(risk_slot_, Value::Map(&kEmptyMapData, &kEmptyMapOps));
  }
  act.Set(ticket_slot_, Value::Map(&kEmptyMapData, &kEmptyMapOps));
  act.Set(now_slot_, TimeValue(facts.now));
}

}  // namespace orderpilot::rules
