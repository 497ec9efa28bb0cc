// store/sqlite_store.h — the SQLite backend of the Store: one database file in WAL mode, one
// group-commit writer thread, a small pool of read connections.
//
// Invariants (beyond store.h):
//  * The database runs with journal_mode=WAL, synchronous=FULL (a committed write survives power
//    loss, not only a killed process) and foreign_keys=ON.
//  * All writes go through one writer connection owned by the group-commit writer thread; reads
//    use separate connections and see the last committed state (WAL readers never block it).
//  * The schema is migrated at Open (docs/event-log.md); a file from a newer build is refused.
//
// Thread-safety: every method may be called from any thread concurrently. The destructor drains
// queued writes (each gets its result) and must not race with calls still being made.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace orderpilot::store {

namespace internal {
class Connection;
class GroupCommitWriter;
}  // namespace internal

struct SqliteOptions {
  // The database file. Its directory is created when missing. Required.
  std::string path;
  // The source of event and projection timestamps. Required; must outlive the store.
  const Clock* clock = nullptr;
  // Most write requests committed in one transaction. Default: 512.
  int max_batch = 512;
  // Read connections in the pool; a reader waits when all are in use. Default: 4.
  int read_connections = 4;
  // How long a connection waits for a lock held by another process. Default: 5000 ms.
  int busy_timeout_ms = 5000;
  // Told about every change of a stock level inside the write transaction; the outbox messages
  // it returns are written with the change (store/stock.h). May be null; must outlive the store.
  // Default: null.
  const StockObserver* stock_observer = nullptr;
  // Deliveries about a customer filed into the customer directory per drain; Ingest drains when
  // this many are pending (see DrainCustomerLog). Larger batches cost less per delivery (every
  // directory page is written about once per drain) but hold the writer longer: about 0.1 s at
  // the default. Values below 1 are raised to 1. Default: 4096.
  int customer_log_batch = 4096;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if missing) and migrates the database. InvalidArgument for bad options,
  // FailedPrecondition for a database written by a newer build, Internal for SQLite failures.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<DeliveryOutcome> Ingest(const Delivery& d) override;
  Status Transition(const OrderTransition& t) override;
  std::vector<Status> TransitionAll(const std::vector<OrderTransition>& ts) override;
  Result<ReviewRecord> Decide(const ReviewDecision& d) override;
  Result<ReviewRecord> Claim(const ReviewClaim& c) override;
  Result<ReviewRecord> Reverse(const ReviewReversal& r) override;
  // `limit` is clamped to 1..500.
  Result<std::vector<ReviewRecord>> EscalateOverdue(Timestamp now, int limit) override;

  Result<AdjustmentOutcome> AdjustStock(const StockAdjustment& a) override;
  Result<std::vector<AdjustmentOutcome>> AdjustStockAll(
      const std::vector<StockAdjustment>& as) override;
  Result<ShipmentOutcome> Ship(const ShipmentRequest& r) override;
  Status AddIncoming(const std::vector<IncomingStock>& lines) override;
  Result<std::vector<AdjustmentOutcome>> ReceiveIncoming(const std::string& purchase_order,
                                                         const std::string& actor) override;
  Status SetReorderPoints(const std::vector<StockLevel>& levels) override;
  Result<Event> AppendAudit(std::string_view stream, const NewEvent& e) override;
  Result<std::vector<std::string>> MarkCustomersErased(
      const std::vector<std::string>& customer_refs, const NewEvent& audit) override;
  Status FinishPrivacyRequest(int64_t id, std::string_view status, std::string_view result,
                              const NewEvent& audit) override;
  Result<int64_t> DropRawBodies(Timestamp before, int limit) override;

  Result<OrderRecord> GetOrder(OrderId id) override;
  Result<std::vector<Event>> ReadStream(const std::string& stream) override;
  Result<std::vector<Event>> ReadStreamAfter(const std::string& stream,
                                             int64_t after_version) override;
  Result<std::vector<OutboxRecord>> ListOutbox(int limit) override;
  Result<std::vector<OutboxRecord>> DueOutbox(std::string_view kind, Timestamp now,
                                              int limit) override;
  Status RecordOutboxAttempt(int64_t id, bool delivered, std::string_view error,
                             std::optional<Timestamp> retry_at) override;
  // `limit` is clamped to 1..500.
  Result<Page<OrderRecord>> ListOrders(std::optional<OrderState> state, int limit,
                                       std::optional<int64_t> cursor) override;
  // `limit` is clamped to 1..10000.
  Result<std::vector<OrderRecord>> OrdersInStates(const std::vector<OrderState>& states,
                                                  OrderId after, int limit) override;
  Result<std::vector<OrderRecord>> OrdersBehindRules(OrderId after, int limit) override;
  Result<ReviewRecord> GetReview(ReviewId id) override;
  using Store::ListReviews;  // the status-only overload
  // `limit` is clamped to 1..500.
  Result<Page<ReviewRecord>> ListReviews(const ReviewFilter& filter, int limit,
                                         std::optional<int64_t> cursor) override;
  Result<std::vector<ReviewKindStats>> ReviewStats(Timestamp since) override;
  Result<std::vector<OrderRecord>> OrdersCreatedSince(Timestamp since, OrderId after,
                                                      int limit) override;
  Result<StoreStats> Stats() override;

  Result<std::vector<StockLevel>> GetStock(const std::vector<std::string>& skus) override;
  Result<Page<StockLevel>> ListStock(const std::string& sku, const std::string& location, int limit,
                                     std::optional<int64_t> cursor) override;
  Result<std::vector<ReservationRecord>> GetReservations(OrderId order) override;
  Result<std::vector<IncomingStock>> GetIncoming(const std::vector<std::string>& skus,
                                                 bool open_only) override;
  Result<std::vector<DailyDemand>> DemandByDay(Timestamp from, Timestamp to) override;
  CommitStats GetCommitStats() override;

  Result<std::vector<CustomerKeyRecord>> GetCustomerKeys(std::string_view customer_ref) override;
  Result<std::vector<std::string>> FindCustomers(
      const std::vector<std::string>& blind_indexes) override;
  Result<std::vector<std::string>> CustomersOfShop(std::string_view shop, std::string_view after,
                                                   int limit) override;
  Result<std::vector<std::string>> CustomersInactiveSince(Timestamp before, int limit) override;
  Result<std::vector<OrderRecord>> OrdersOfCustomer(std::string_view customer_ref) override;
  Result<std::optional<OrderRecord>> FindOrderByChannelId(
      std::string_view channel, std::string_view shop, std::string_view channel_order_id) override;
  Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequests(std::string_view status,
                                                                int64_t after, int limit) override;
  Result<std::vector<std::pair<std::string, std::string>>> WebhookBodiesOfCustomer(
      std::string_view customer_ref) override;

  // Files every pending delivery about a customer into the customer directory (customer_keys,
  // customer_index, customer_orders, customer_webhooks). Ingest writes no directory row: a stored
  // webhook carries its customer, key and blind indexes, an order its customer, and a delivery
  // with neither appends one customer_log row; drains file the webhooks and orders past a mark
  // (customer_directory_marks) and the log. Ingest drains past SqliteOptions::customer_log_batch
  // deliveries; every read of the directory above drains first, so reads always see every
  // committed delivery. A crash leaves the backlog for the next drain. Public for benchmarks and
  // tests that want the backlog filed now.
  Status DrainCustomerLog();

 private:
  class ReadLease;

  SqliteStore(const SqliteOptions& options, std::unique_ptr<internal::Connection> writer,
              std::vector<std::unique_ptr<internal::Connection>> readers);

  // Blocks until a read connection is free.
  ReadLease AcquireReader();
  void ReleaseReader(internal::Connection* conn);

  const Clock& clock_;
  const StockObserver* stock_observer_;        // may be null
  const int64_t customer_log_batch_;           // SqliteOptions::customer_log_batch
  std::atomic<int64_t> customer_log_rows_{0};  // deliveries of this process, not filed
  std::atomic<bool> draining_customer_log_{false};
  std::unique_ptr<internal::Connection> writer_conn_;  // used only on the writer thread
  std::unique_ptr<internal::GroupCommitWriter> writer_;

  std::vector<std::unique_ptr<internal::Connection>> readers_;
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<internal::Connection*> free_readers_;  // GUARDED_BY(readers_mu_)
};

}  // namespace orderpilot::store
