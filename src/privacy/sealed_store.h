// privacy/sealed_store.h — a Store that keeps customers' personal data encrypted at rest.
//
// SealedStore wraps the real store (SqliteStore). Every JSON document written through it — the
// raw webhook body, the canonical order in events and in the projection, review details, outbox
// payloads, privacy requests — has its personal fields sealed (privacy/field_seal.h) under the
// data key of the customer it is about before it reaches the inner store, and every document read
// through it comes back opened. Everything above the store (pipeline, API, rules) sees plaintext
// and does not change; the database file, its WAL and any backup of it hold only ciphertext, key
// ids and blind indexes.
//
// Whose key: a delivery's customer is named by a customer ref, "cus_" + a blind index of the
// shop and the strongest identity the order carries (normalised email, else phone, else the
// channel's customer id, else the order itself for an anonymous guest). The ref's data key
// (Keyring) seals the delivery; the first delivery about a customer in this process draws a new
// key, so a customer may have several, all recorded for the ref (and all shredded together). The
// delivery also records blind indexes of every identity it carries (email, phone, channel customer
// id), so a customer is found by any of them without decrypting (FindCustomerRefs). A refund is
// sealed under its order's key; a privacy request under its customer's; anything else about a
// shop (other topics, refunds of unknown orders) under the shop's own key ("shop_…").
//
// Erasure (EraseCustomers) shreds every key a customer has had: all their personal values, in
// every copy, become kErasedText at once, while orders keep money, SKUs, states and dates.
// Documents written for an order whose key is shredded are sealed under a throwaway key, so a late
// event about an erased customer never stores personal data in clear.
//
// Orders stored before encryption was on (no key_id) stay as they were; their later writes are
// not sealed either (docs/privacy.md).
//
// Thread-safety: all methods may be called from any thread concurrently (as the inner store).
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "privacy/keyring.h"
#include "store/store.h"

namespace orderpilot::privacy {

// The identities a privacy request or a person names a customer by.
struct CustomerIdentity {
  std::string shop;
  std::vector<std::string> emails;
  std::vector<std::string> phones;
  std::vector<std::string> channel_customer_ids;
};

struct ErasureReport {
  std::vector<std::string> customer_refs;
  int64_t keys_shredded = 0;
  int64_t orders = 0;  // orders whose personal data became unreadable
};

class SealedStore final : public store::Store {
 public:
  // `inner` and `keyring` must outlive this object.
  SealedStore(store::Store& inner, Keyring& keyring);

  // --- privacy operations ---
  // The customer refs recorded for any of these identities (via blind indexes).
  Result<std::vector<std::string>> FindCustomerRefs(const CustomerIdentity& who);
  // The ref a delivery with this order would be filed under.
  std::string CustomerRefOf(const Order& order) const;
  // Shreds every key of `customer_refs` (keys.db) and then marks them erased in the store with
  // `audit` (type, actor; the payload gets the refs and counts added) on stream "privacy".
  Result<ErasureReport> EraseCustomers(const std::vector<std::string>& customer_refs,
                                       const store::NewEvent& audit);
  // The shop's own ref (its other webhooks and unattributed refunds).
  std::string ShopRef(std::string_view shop) const;
  Keyring& keyring() { return keyring_; }

  // --- store::Store ---
  Result<store::Event> AppendAudit(std::string_view stream, const store::NewEvent& e) override;
  Result<std::vector<std::string>> MarkCustomersErased(
      const std::vector<std::string>& customer_refs, const store::NewEvent& audit) override;
  Status FinishPrivacyRequest(int64_t id, std::string_view status, std::string_view result,
                              const store::NewEvent& audit) override;
  Result<int64_t> DropRawBodies(Timestamp before, int limit) override;
  Result<store::DeliveryOutcome> Ingest(const store::Delivery& d) override;
  Status Transition(const store::OrderTransition& t) override;
  std::vector<Status> TransitionAll(const std::vector<store::OrderTransition>& ts) override;
  Result<store::ReviewRecord> Decide(const store::ReviewDecision& d) override;
  Result<store::ReviewRecord> Claim(const store::ReviewClaim& c) override;
  Result<store::ReviewRecord> Reverse(const store::ReviewReversal& r) override;
  Result<std::vector<store::ReviewRecord>> EscalateOverdue(Timestamp now, int limit) override;
  Result<store::AdjustmentOutcome> AdjustStock(const store::StockAdjustment& a) override;
  Result<std::vector<store::AdjustmentOutcome>> AdjustStockAll(
      const std::vector<store::StockAdjustment>& as) override;
  Result<store::ShipmentOutcome> Ship(const store::ShipmentRequest& r) override;
  Status AddIncoming(const std::vector<store::IncomingStock>& lines) override;
  Result<std::vector<store::AdjustmentOutcome>> ReceiveIncoming(const std::string& purchase_order,
                                                                const std::string& actor) override;
  Status SetReorderPoints(const std::vector<store::StockLevel>& levels) override;
  Result<store::OrderRecord> GetOrder(OrderId id) override;
  Result<std::vector<store::Event>> ReadStream(const std::string& stream) override;
  Result<std::vector<store::Event>> ReadStreamAfter(const std::string& stream,
                                                    int64_t after_version) override;
  Result<std::vector<store::OutboxRecord>> ListOutbox(int limit) override;
  Result<std::vector<store::OutboxRecord>> DueOutbox(std::string_view kind, Timestamp now,
                                                     int limit) override;
  Status RecordOutboxAttempt(int64_t id, bool delivered, std::string_view error,
                             std::optional<Timestamp> retry_at) override;
  Result<store::Page<store::OrderRecord>> ListOrders(std::optional<store::OrderState> state,
                                                     int limit,
                                                     std::optional<int64_t> cursor) override;
  Result<std::vector<store::OrderRecord>> OrdersInStates(
      const std::vector<store::OrderState>& states, OrderId after, int limit) override;
  Result<std::vector<store::OrderRecord>> OrdersBehindRules(OrderId after, int limit) override;
  Result<store::ReviewRecord> GetReview(ReviewId id) override;
  using Store::ListReviews;
  Result<store::Page<store::ReviewRecord>> ListReviews(const store::ReviewFilter& filter, int limit,
                                                       std::optional<int64_t> cursor) override;
  Result<std::vector<store::ReviewKindStats>> ReviewStats(Timestamp since) override;
  Result<std::vector<store::OrderRecord>> OrdersCreatedSince(Timestamp since, OrderId after,
                                                             int limit) override;
  Result<store::StoreStats> Stats() override;
  Result<std::vector<store::StockLevel>> GetStock(const std::vector<std::string>& skus) override;
  Result<store::Page<store::StockLevel>> ListStock(const std::string& sku,
                                                   const std::string& location, int limit,
                                                   std::optional<int64_t> cursor) override;
  Result<std::vector<store::ReservationRecord>> GetReservations(OrderId order) override;
  Result<std::vector<store::IncomingStock>> GetIncoming(const std::vector<std::string>& skus,
                                                        bool open_only) override;
  Result<std::vector<store::DailyDemand>> DemandByDay(Timestamp from, Timestamp to) override;
  store::CommitStats GetCommitStats() override;
  Result<std::vector<store::CustomerKeyRecord>> GetCustomerKeys(
      std::string_view customer_ref) override;
  Result<std::vector<std::string>> FindCustomers(
      const std::vector<std::string>& blind_indexes) override;
  Result<std::vector<std::string>> CustomersOfShop(std::string_view shop, std::string_view after,
                                                   int limit) override;
  Result<std::vector<std::string>> CustomersInactiveSince(Timestamp before, int limit) override;
  Result<std::vector<store::OrderRecord>> OrdersOfCustomer(std::string_view customer_ref) override;
  Result<std::optional<store::OrderRecord>> FindOrderByChannelId(
      std::string_view channel, std::string_view shop, std::string_view channel_order_id) override;
  Result<std::vector<store::PrivacyRequestRecord>> ListPrivacyRequests(std::string_view status,
                                                                       int64_t after,
                                                                       int limit) override;
  Result<std::vector<std::pair<std::string, std::string>>> WebhookBodiesOfCustomer(
      std::string_view customer_ref) override;

 private:
  // The data key to seal a delivery about `ref` with: the one this process uses for it, or a new
  // one.
  Result<DataKey> KeyForCustomer(const std::string& ref);
  // The key an order's documents are sealed with: nullopt for an order stored in clear; a
  // throwaway key when the order's key was shredded.
  Result<std::optional<DataKey>> KeyForOrder(OrderId id);
  Result<std::optional<DataKey>> FindKey(std::string_view key_id);
  // Fills d.customer_ref, key_id and customer_index and seals its documents.
  Status SealDelivery(store::Delivery& d, DataKey& key);
  Result<store::OrderTransition> SealTransition(const store::OrderTransition& t);
  Result<std::string> Seal(std::string_view json, const DataKey& key);
  Result<std::string> Open(std::string_view json);
  Status OpenOrder(store::OrderRecord& r);
  Status OpenReview(store::ReviewRecord& r);
  Status OpenEvents(std::vector<store::Event>& events);
  Status OpenOutbox(std::vector<store::OutboxRecord>& records);
  void ForgetCustomers(const std::vector<std::string>& refs);

  store::Store& inner_;
  Keyring& keyring_;
  std::mutex mu_;
  // ref → current key id; order id → key id ("" for an order stored in clear). Bounded: cleared
  // when they grow past a limit.
  std::unordered_map<std::string, std::string> customer_keys_;  // GUARDED_BY(mu_)
  std::unordered_map<int64_t, std::string> order_keys_;         // GUARDED_BY(mu_)
};

}  // namespace orderpilot::privacy
