#include "privacy/sealed_store.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "core/json_writer.h"
#include "privacy/field_seal.h"
#include "privacy/privacy_request.h"

namespace orderpilot::privacy {

using store::Delivery;
using store::DeliveryKind;
using store::Event;
using store::OrderRecord;
using store::OrderTransition;
using store::OutboxRecord;
using store::ReviewRecord;

namespace {

// Past this many entries a cache is dropped and refilled from the store.
constexpr size_t kMaxCachedCustomers = 200000;
constexpr size_t kMaxCachedOrders = 200000;

// A key that exists nowhere: what is sealed with it reads as erased from the start.
constexpr std::string_view kThrowawayKeyId = "0000000000000000";

DataKey ThrowawayKey() {
  auto bytes = std::make_shared<std::array<unsigned char, kKeyBytes>>();
  randombytes_buf(bytes->data(), bytes->size());
  return DataKey{std::string(kThrowawayKeyId), std::move(bytes)};
}

// "<kind>\x1f<shop>\x1f<value>" under the blind-index key.
std::string ShopIndex(const Keyring& keyring, std::string_view kind, std::string_view shop,
                      std::string_view value) {
  std::string text(shop);
  text += '\x1f';
  text += value;
  return keyring.BlindIndex(kind, text);
}

}  // namespace

SealedStore::SealedStore(store::Store& inner, Keyring& keyring)
    : inner_(inner), keyring_(keyring) {}

// --- customers and keys --------------------------------------------------------------------------

std::string SealedStore::CustomerRefOf(const Order& o) const {
  const std::string email =
      NormaliseEmail(o.customer.email.empty() ? std::string_view(o.email) : o.customer.email);
  if (!email.empty()) return "cus_" + ShopIndex(keyring_, "customer:email", o.shop, email);
  const std::string phone =
      NormalisePhone(o.customer.phone.empty() ? std::string_view(o.phone) : o.customer.phone);
  if (!phone.empty()) return "cus_" + ShopIndex(keyring_, "customer:phone", o.shop, phone);
  if (!o.customer.channel_customer_id.empty()) {
    return "cus_" + ShopIndex(keyring_, "customer:id", o.shop, o.customer.channel_customer_id);
  }
  return "cus_" + ShopIndex(keyring_, "customer:order", o.shop, o.channel_order_id);
}

std::string SealedStore::ShopRef(std::string_view shop) const {
  return "shop_" + keyring_.BlindIndex("shop", shop);
}

namespace {

// Blind indexes of every identity, as recorded for a customer and as searched for.
std::vector<std::string> IdentityIndexes(const Keyring& keyring, const CustomerIdentity& who) {
  // Each distinct value is hashed once (an order names its email on the order and on the
  // customer, nearly always the same).
  const auto distinct = [](const std::vector<std::string>& values, auto normalise) {
    std::vector<std::string> out;
    for (const std::string& v : values) {
      std::string n = normalise(v);
      if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) {
        out.push_back(std::move(n));
      }
    }
    return out;
  };
  std::vector<std::string> out;
  for (const std::string& n : distinct(who.emails, NormaliseEmail)) {
    out.push_back(ShopIndex(keyring, "email", who.shop, n));
  }
  for (const std::string& n : distinct(who.phones, NormalisePhone)) {
    out.push_back(ShopIndex(keyring, "phone", who.shop, n));
  }
  for (const std::string& id :
       distinct(who.channel_customer_ids, [](const std::string& v) { return v; })) {
    out.push_back(ShopIndex(keyring, "customer_id", who.shop, id));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

CustomerIdentity IdentityOf(const Order& o) {
  CustomerIdentity who;
  who.shop = o.shop;
  for (const std::string* e : {&o.email, &o.customer.email})
    if (!e->empty()) who.emails.push_back(*e);
  for (const std::string* p : {&o.phone, &o.customer.phone})
    if (!p->empty()) who.phones.push_back(*p);
  if (!o.customer.channel_customer_id.empty())
    who.channel_customer_ids.push_back(o.customer.channel_customer_id);
  return who;
}

}  // namespace

Result<std::vector<std::string>> SealedStore::FindCustomerRefs(const CustomerIdentity& who) {
  return inner_.FindCustomers(IdentityIndexes(keyring_, who));
}

Result<DataKey> SealedStore::KeyForCustomer(const std::string& ref) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = customer_keys_.find(ref);
    if (it != customer_keys_.end()) {
      OP_ASSIGN_OR_RETURN(std::optional<DataKey> key, FindKey(it->second));
      if (key) return *key;
      customer_keys_.erase(it);  // shredded meanwhile: the customer starts a new key
    }
  }
  // Not cached: a fresh key, without asking the store whether the customer has one. A customer
  // may so have several keys (one per process that met them); each is recorded for the ref and
  // an erasure shreds them all. Asking would cost a read per new customer on the ingest path.
  OP_ASSIGN_OR_RETURN(DataKey fresh, keyring_.NewDataKey());
  std::lock_guard<std::mutex> lock(mu_);
  if (customer_keys_.size() >= kMaxCachedCustomers) customer_keys_.clear();
  // A concurrent first delivery about the same customer may have won: use its key, so that one
  // process seals one customer under one key.
  auto [it, inserted] = customer_keys_.emplace(ref, fresh.id);
  if (!inserted && it->second != fresh.id) {
    OP_ASSIGN_OR_RETURN(std::optional<DataKey> winner, FindKey(it->second));
    if (winner) return *winner;
    it->second = fresh.id;
  }
  return fresh;
}

Result<std::optional<DataKey>> SealedStore::FindKey(std::string_view key_id) {
  return keyring_.Find(key_id);
}

Result<std::optional<DataKey>> SealedStore::KeyForOrder(OrderId id) {
  std::string key_id;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = order_keys_.find(id.value());
    if (it != order_keys_.end()) {
      key_id = it->second;
      known = true;
    }
  }
  if (!known) {
    OP_ASSIGN_OR_RETURN(OrderRecord r, inner_.GetOrder(id));
    key_id = r.key_id;
    std::lock_guard<std::mutex> lock(mu_);
    if (order_keys_.size() >= kMaxCachedOrders) order_keys_.clear();
    order_keys_.emplace(id.value(), key_id);
  }
  if (key_id.empty()) return std::optional<DataKey>();
  OP_ASSIGN_OR_RETURN(std::optional<DataKey> key, FindKey(key_id));
  if (!key) return std::optional<DataKey>(ThrowawayKey());
  return key;
}

void SealedStore::ForgetCustomers(const std::vector<std::string>& refs) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& ref : refs) customer_keys_.erase(ref);
}

Result<ErasureReport> SealedStore::EraseCustomers(const std::vector<std::string>& customer_refs,
                                                  const store::NewEvent& audit) {
  ErasureReport report;
  report.customer_refs = customer_refs;
  std::sort(report.customer_refs.begin(), report.customer_refs.end());
  report.customer_refs.erase(std::unique(report.customer_refs.begin(), report.customer_refs.end()),
                             report.customer_refs.end());
  std::vector<std::string> key_ids;
  for (const std::string& ref : report.customer_refs) {
    OP_ASSIGN_OR_RETURN(std::vector<store::CustomerKeyRecord> keys, inner_.GetCustomerKeys(ref));
    for (const store::CustomerKeyRecord& k : keys) key_ids.push_back(k.key_id);
    OP_ASSIGN_OR_RETURN(std::vector<OrderRecord> orders, inner_.OrdersOfCustomer(ref));
    report.orders += static_cast<int64_t>(orders.size());
    for (const OrderRecord& o : orders)
      if (!o.key_id.empty()) key_ids.push_back(o.key_id);
  }
  std::sort(key_ids.begin(), key_ids.end());
  key_ids.erase(std::unique(key_ids.begin(), key_ids.end()), key_ids.end());
  // Keys first: a crash after the shred leaves the data unreadable and the refs still listed as
  // live, and running the erasure again finishes it; the other order could leave readable data
  // marked erased.
  OP_RETURN_IF_ERROR(keyring_.Shred(key_ids));
  report.keys_shredded = static_cast<int64_t>(key_ids.size());
  ForgetCustomers(report.customer_refs);
  {
    std::lock_guard<std::mutex> lock(mu_);
    order_keys_.clear();
  }
  store::NewEvent event = audit;
  JsonWriter payload;
  payload.BeginObject();
  // The caller's fields first (a request id, a reason), then what was erased.
  if (audit.payload.size() > 2 && audit.payload.front() == '{') {
    payload.Key("request").Raw(audit.payload);
  }
  payload.Key("customer_refs").BeginArray();
  for (const std::string& ref : report.customer_refs) payload.String(ref);
  payload.EndArray();
  payload.Field("keys_shredded", report.keys_shredded).Field("orders", report.orders);
  payload.EndObject();
  event.payload = payload.Take();
  OP_RETURN_IF_ERROR(inner_.MarkCustomersErased(report.customer_refs, event).status());
  return report;
}

// --- sealing and opening
// --------------------------------------------------------------------------

Result<std::string> SealedStore::Seal(std::string_view json, const DataKey& key) {
  if (json.empty()) return std::string();
  return SealJson(json, key);
}

Result<std::string> SealedStore::Open(std::string_view json) {
  return OpenJson(json, [this](std::string_view id) { return FindKey(id); });
}

Status SealedStore::OpenOrder(OrderRecord& r) {
  if (!r.key_id.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (order_keys_.size() >= kMaxCachedOrders) order_keys_.clear();
    order_keys_.emplace(r.id.value(), r.key_id);
  }
  OP_ASSIGN_OR_RETURN(r.order_json, Open(r.order_json));
  return Status::Ok();
}

Status SealedStore::OpenReview(ReviewRecord& r) {
  OP_ASSIGN_OR_RETURN(r.detail_json, Open(r.detail_json));
  return Status::Ok();
}

Status SealedStore::OpenEvents(std::vector<Event>& events) {
  for (Event& e : events) {
    OP_ASSIGN_OR_RETURN(e.payload, Open(e.payload));
  }
  return Status::Ok();
}

Status SealedStore::OpenOutbox(std::vector<OutboxRecord>& records) {
  for (OutboxRecord& r : records) {
    OP_ASSIGN_OR_RETURN(r.message.payload, Open(r.message.payload));
  }
  return Status::Ok();
}

Status SealedStore::SealDelivery(Delivery& d, DataKey& key) {
  OP_ASSIGN_OR_RETURN(d.raw_body, Seal(d.raw_body, key));
  OP_ASSIGN_OR_RETURN(d.payload_json, Seal(d.payload_json, key));
  d.key_id = key.id;
  return Status::Ok();
}

Result<store::DeliveryOutcome> SealedStore::Ingest(const Delivery& in) {
  Delivery d = in;
  CustomerIdentity who;
  who.shop = d.shop;
  std::string ref;
  switch (d.kind) {
    case DeliveryKind::kOrderCreate:
    case DeliveryKind::kOrderUpdate:
    case DeliveryKind::kOrderCancel:
      if (d.order) {
        ref = CustomerRefOf(*d.order);
        who = IdentityOf(*d.order);
      }
      break;
    case DeliveryKind::kRefund: {
      OP_ASSIGN_OR_RETURN(std::optional<OrderRecord> order,
                          inner_.FindOrderByChannelId(d.channel, d.shop, d.channel_order_id));
      if (order && !order->customer_ref.empty()) ref = order->customer_ref;
      break;
    }
    case DeliveryKind::kPrivacyRequest: {
      Result<PrivacyRequestBody> body =
          ParsePrivacyRequest(d.payload_json.empty() ? d.raw_body : d.payload_json);
      if (body.ok() && !body->customer.emails.empty()) {
        Order o;
        o.shop = d.shop;
        o.customer.email = body->customer.emails.front();
        ref = CustomerRefOf(o);
      }
      break;
    }
    case DeliveryKind::kOther:
      break;
  }
  if (ref.empty()) ref = ShopRef(d.shop);
  OP_ASSIGN_OR_RETURN(DataKey key, KeyForCustomer(ref));
  d.customer_ref = ref;
  d.customer_index = IdentityIndexes(keyring_, who);
  OP_RETURN_IF_ERROR(SealDelivery(d, key));
  OP_ASSIGN_OR_RETURN(store::DeliveryOutcome out, inner_.Ingest(d));
  if (out.order_created) {
    std::lock_guard<std::mutex> lock(mu_);
    if (order_keys_.size() >= kMaxCachedOrders) order_keys_.clear();
    order_keys_[out.order_id.value()] = key.id;
  }
  return out;
}

Result<OrderTransition> SealedStore::SealTransition(const OrderTransition& in) {
  OP_ASSIGN_OR_RETURN(std::optional<DataKey> key, KeyForOrder(in.order_id));
  OrderTransition t = in;
  if (!key) return t;  // an order stored in clear
  for (store::NewEvent& e : t.events) {
    OP_ASSIGN_OR_RETURN(e.payload, Seal(e.payload, *key));
  }
  if (t.order_json) {
    OP_ASSIGN_OR_RETURN(*t.order_json, Seal(*t.order_json, *key));
  }
  if (t.review) {
    OP_ASSIGN_OR_RETURN(t.review->detail_json, Seal(t.review->detail_json, *key));
  }
  for (OrderTransition::ReviewRequest& r : t.applied) {
    OP_ASSIGN_OR_RETURN(r.detail_json, Seal(r.detail_json, *key));
  }
  for (store::OutboxMessage& m : t.outbox) {
    OP_ASSIGN_OR_RETURN(m.payload, Seal(m.payload, *key));
  }
  return t;
}

Status SealedStore::Transition(const OrderTransition& t) {
  OP_ASSIGN_OR_RETURN(OrderTransition sealed, SealTransition(t));
  return inner_.Transition(sealed);
}

std::vector<Status> SealedStore::TransitionAll(const std::vector<OrderTransition>& ts) {
  std::vector<Status> results(ts.size());
  std::vector<OrderTransition> sealed;
  std::vector<size_t> positions;
  sealed.reserve(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    Result<OrderTransition> s = SealTransition(ts[i]);
    if (!s.ok()) {
      results[i] = s.status();
      continue;
    }
    sealed.push_back(std::move(*s));
    positions.push_back(i);
  }
  std::vector<Status> inner = inner_.TransitionAll(sealed);
  for (size_t j = 0; j < inner.size() && j < positions.size(); ++j)
    results[positions[j]] = inner[j];
  return results;
}

Result<ReviewRecord> SealedStore::Decide(const store::ReviewDecision& in) {
  store::ReviewDecision d = in;
  if (d.order_json) {
    OP_ASSIGN_OR_RETURN(ReviewRecord review, inner_.GetReview(d.review_id));
    OP_ASSIGN_OR_RETURN(std::optional<DataKey> key, KeyForOrder(review.order_id));
    if (key) {
      OP_ASSIGN_OR_RETURN(*d.order_json, Seal(*d.order_json, *key));
    }
  }
  OP_ASSIGN_OR_RETURN(ReviewRecord r, inner_.Decide(d));
  OP_RETURN_IF_ERROR(OpenReview(r));
  return r;
}

Result<ReviewRecord> SealedStore::Claim(const store::ReviewClaim& c) {
  OP_ASSIGN_OR_RETURN(ReviewRecord r, inner_.Claim(c));
  OP_RETURN_IF_ERROR(OpenReview(r));
  return r;
}

Result<ReviewRecord> SealedStore::Reverse(const store::ReviewReversal& rev) {
  OP_ASSIGN_OR_RETURN(ReviewRecord r, inner_.Reverse(rev));
  OP_RETURN_IF_ERROR(OpenReview(r));
  return r;
}

Result<std::vector<ReviewRecord>> SealedStore::EscalateOverdue(Timestamp now, int limit) {
  OP_ASSIGN_OR_RETURN(std::vector<ReviewRecord> rs, inner_.EscalateOverdue(now, limit));
  for (ReviewRecord& r : rs) OP_RETURN_IF_ERROR(OpenReview(r));
  return rs;
}

// --- pass-through writes (no personal data) -----------------------------------------------------

Result<Event> SealedStore::AppendAudit(std::string_view stream, const store::NewEvent& e) {
  return inner_.AppendAudit(stream, e);
}
Result<std::vector<std::string>> SealedStore::MarkCustomersErased(
    const std::vector<std::string>& customer_refs, const store::NewEvent& audit) {
  ForgetCustomers(customer_refs);
  return inner_.MarkCustomersErased(customer_refs, audit);
}
Status SealedStore::FinishPrivacyRequest(int64_t id, std::string_view status,
                                         std::string_view result, const store::NewEvent& audit) {
  return inner_.FinishPrivacyRequest(id, status, result, audit);
}
Result<int64_t> SealedStore::DropRawBodies(Timestamp before, int limit) {
  return inner_.DropRawBodies(before, limit);
}
Result<store::AdjustmentOutcome> SealedStore::AdjustStock(const store::StockAdjustment& a) {
  return inner_.AdjustStock(a);
}
Result<std::vector<store::AdjustmentOutcome>> SealedStore::AdjustStockAll(
    const std::vector<store::StockAdjustment>& as) {
  return inner_.AdjustStockAll(as);
}
Result<store::ShipmentOutcome> SealedStore::Ship(const store::ShipmentRequest& r) {
  return inner_.Ship(r);
}
Status SealedStore::AddIncoming(const std::vector<store::IncomingStock>& lines) {
  return inner_.AddIncoming(lines);
}
Result<std::vector<store::AdjustmentOutcome>> SealedStore::ReceiveIncoming(
    const std::string& purchase_order, const std::string& actor) {
  return inner_.ReceiveIncoming(purchase_order, actor);
}
Status SealedStore::SetReorderPoints(const std::vector<store::StockLevel>& levels) {
  return inner_.SetReorderPoints(levels);
}
Status SealedStore::RecordOutboxAttempt(int64_t id, bool delivered, std::string_view error,
                                        std::optional<Timestamp> retry_at) {
  return inner_.RecordOutboxAttempt(id, delivered, error, retry_at);
}

// --- reads ---------------------------------------------------------------------------------------

Result<OrderRecord> SealedStore::GetOrder(OrderId id) {
  OP_ASSIGN_OR_RETURN(OrderRecord r, inner_.GetOrder(id));
  OP_RETURN_IF_ERROR(OpenOrder(r));
  return r;
}

Result<std::vector<Event>> SealedStore::ReadStream(const std::string& stream) {
  OP_ASSIGN_OR_RETURN(std::vector<Event> events, inner_.ReadStream(stream));
  OP_RETURN_IF_ERROR(OpenEvents(events));
  return events;
}

Result<std::vector<Event>> SealedStore::ReadStreamAfter(const std::string& stream,
                                                        int64_t after_version) {
  OP_ASSIGN_OR_RETURN(std::vector<Event> events, inner_.ReadStreamAfter(stream, after_version));
  OP_RETURN_IF_ERROR(OpenEvents(events));
  return events;
}

Result<std::vector<OutboxRecord>> SealedStore::ListOutbox(int limit) {
  OP_ASSIGN_OR_RETURN(std::vector<OutboxRecord> rs, inner_.ListOutbox(limit));
  OP_RETURN_IF_ERROR(OpenOutbox(rs));
  return rs;
}

Result<std::vector<OutboxRecord>> SealedStore::DueOutbox(std::string_view kind, Timestamp now,
                                                         int limit) {
  OP_ASSIGN_OR_RETURN(std::vector<OutboxRecord> rs, inner_.DueOutbox(kind, now, limit));
  OP_RETURN_IF_ERROR(OpenOutbox(rs));
  return rs;
}

Result<store::Page<OrderRecord>> SealedStore::ListOrders(std::optional<store::OrderState> state,
                                                         int limit, std::optional<int64_t> cursor) {
  OP_ASSIGN_OR_RETURN(store::Page<OrderRecord> page, inner_.ListOrders(state, limit, cursor));
  for (OrderRecord& r : page.items) OP_RETURN_IF_ERROR(OpenOrder(r));
  return page;
}

Result<std::vector<OrderRecord>> SealedStore::OrdersInStates(
    const std::vector<store::OrderState>& states, OrderId after, int limit) {
  OP_ASSIGN_OR_RETURN(std::vector<OrderRecord> rs, inner_.OrdersInStates(states, after, limit));
  for (OrderRecord& r : rs) OP_RETURN_IF_ERROR(OpenOrder(r));
  return rs;
}

Result<std::vector<OrderRecord>> SealedStore::OrdersBehindRules(OrderId after, int limit) {
  OP_ASSIGN_OR_RETURN(std::vector<OrderRecord> rs, inner_.OrdersBehindRules(after, limit));
  for (OrderRecord& r : rs) OP_RETURN_IF_ERROR(OpenOrder(r));
  return rs;
}

Result<ReviewRecord> SealedStore::GetReview(ReviewId id) {
  OP_ASSIGN_OR_RETURN(ReviewRecord r, inner_.GetReview(id));
  OP_RETURN_IF_ERROR(OpenReview(r));
  return r;
}

Result<store::Page<ReviewRecord>> SealedStore::ListReviews(const store::ReviewFilter& filter,
                                                           int limit,
                                                           std::optional<int64_t> cursor) {
  OP_ASSIGN_OR_RETURN(store::Page<ReviewRecord> page, inner_.ListReviews(filter, limit, cursor));
  for (ReviewRecord& r : page.items) OP_RETURN_IF_ERROR(OpenReview(r));
  return page;
}

Result<std::vector<store::ReviewKindStats>> SealedStore::ReviewStats(Timestamp since) {
  return inner_.ReviewStats(since);
}

Result<std::vector<OrderRecord>> SealedStore::OrdersCreatedSince(Timestamp since, OrderId after,
                                                                 int limit) {
  OP_ASSIGN_OR_RETURN(std::vector<OrderRecord> rs, inner_.OrdersCreatedSince(since, after, limit));
  for (OrderRecord& r : rs) OP_RETURN_IF_ERROR(OpenOrder(r));
  return rs;
}

Result<store::StoreStats> SealedStore::Stats() { return inner_.Stats(); }
Result<std::vector<store::StockLevel>> SealedStore::GetStock(const std::vector<std::string>& skus) {
  return inner_.GetStock(skus);
}
Result<store::Page<store::StockLevel>> SealedStore::ListStock(const std::string& sku,
                                                              const std::string& location,
                                                              int limit,
                                                              std::optional<int64_t> cursor) {
  return inner_.ListStock(sku, location, limit, cursor);
}
Result<std::vector<store::ReservationRecord>> SealedStore::GetReservations(OrderId order) {
  return inner_.GetReservations(order);
}
Result<std::vector<store::IncomingStock>> SealedStore::GetIncoming(
    const std::vector<std::string>& skus, bool open_only) {
  return inner_.GetIncoming(skus, open_only);
}
Result<std::vector<store::DailyDemand>> SealedStore::DemandByDay(Timestamp from, Timestamp to) {
  return inner_.DemandByDay(from, to);
}
store::CommitStats SealedStore::GetCommitStats() { return inner_.GetCommitStats(); }
Result<std::vector<store::CustomerKeyRecord>> SealedStore::GetCustomerKeys(
    std::string_view customer_ref) {
  return inner_.GetCustomerKeys(customer_ref);
}
Result<std::vector<std::string>> SealedStore::FindCustomers(
    const std::vector<std::string>& blind_indexes) {
  return inner_.FindCustomers(blind_indexes);
}
Result<std::vector<std::string>> SealedStore::CustomersOfShop(std::string_view shop,
                                                              std::string_view after, int limit) {
  return inner_.CustomersOfShop(shop, after, limit);
}
Result<std::vector<std::string>> SealedStore::CustomersInactiveSince(Timestamp before, int limit) {
  return inner_.CustomersInactiveSince(before, limit);
}

Result<std::vector<OrderRecord>> SealedStore::OrdersOfCustomer(std::string_view customer_ref) {
  OP_ASSIGN_OR_RETURN(std::vector<OrderRecord> rs, inner_.OrdersOfCustomer(customer_ref));
  for (OrderRecord& r : rs) OP_RETURN_IF_ERROR(OpenOrder(r));
  return rs;
}

Result<std::optional<OrderRecord>> SealedStore::FindOrderByChannelId(
    std::string_view channel, std::string_view shop, std::string_view channel_order_id) {
  OP_ASSIGN_OR_RETURN(std::optional<OrderRecord> r,
                      inner_.FindOrderByChannelId(channel, shop, channel_order_id));
  if (r) OP_RETURN_IF_ERROR(OpenOrder(*r));
  return r;
}

Result<std::vector<store::PrivacyRequestRecord>> SealedStore::ListPrivacyRequests(
    std::string_view status, int64_t after, int limit) {
  OP_ASSIGN_OR_RETURN(std::vector<store::PrivacyRequestRecord> rs,
                      inner_.ListPrivacyRequests(status, after, limit));
  for (store::PrivacyRequestRecord& r : rs) {
    OP_ASSIGN_OR_RETURN(r.body, Open(r.body));
  }
  return rs;
}

Result<std::vector<std::pair<std::string, std::string>>> SealedStore::WebhookBodiesOfCustomer(
    std::string_view customer_ref) {
  OP_ASSIGN_OR_RETURN(auto bodies, inner_.WebhookBodiesOfCustomer(customer_ref));
  for (auto& [topic, body] : bodies) {
    OP_ASSIGN_OR_RETURN(body, Open(body));
  }
  return bodies;
}

}  // namespace orderpilot::privacy
