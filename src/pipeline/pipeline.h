// pipeline/pipeline.h — the step runner: worker threads that take orders through the steps.
//
// Invariants:
//  * One order is handled by one worker at a time: an order always goes to worker
//    (id mod workers), and each worker handles its orders one batch at a time.
//  * Work survives restarts: Start() re-queues every order in a state some step starts from, so
//    orders acknowledged before a crash are finished after it. The event log, not memory, is the
//    truth; a lost in-memory queue costs nothing but a rescan.
//  * Commits are batched: a worker plans up to `batch` orders and commits their transitions with
//    one Store::TransitionAll (one fsync). A transition that lost a version race (the order
//    changed meanwhile) is re-read and re-planned.
//
// Thread-safety: Enqueue, Stats and WaitIdle may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "pipeline/allocation.h"
#include "pipeline/rule_actions.h"
#include "pipeline/screening.h"
#include "review/policy.h"
#include "rules/engine.h"
#include "store/store.h"

namespace orderpilot::pipeline {

struct PipelineOptions {
  int workers = 2;  // Default: 2. 0 = paused: orders are stored but not processed.
  // Automation rules (rules/engine.h), or null for none. Not owned; must outlive the pipeline.
  const rules::RuleEngine* rules = nullptr;
  // Autonomy per decision kind (rule cancels, fraud holds and cancels, substitutes, backorders),
  // or null for the defaults (review/policy.h). Not owned; must outlive the pipeline.
  const review::AutonomyPolicy* autonomy = nullptr;
  // The fraud screen (pipeline/screening.h); screen.screen null = orders are not screened.
  ScreenSetup screen;
  // Stock, locations and carriers (pipeline/allocation.h), or null: orders stop at accepted.
  // Not owned; must outlive the pipeline.
  const FulfillmentSetup* fulfillment = nullptr;
  // How often backordered orders are tried again even when nobody called RecheckBackorders.
  // Default: 60 s.
  std::chrono::milliseconds backorder_recheck{60'000};
  int batch = 256;      // orders planned per commit
  int max_retries = 5;  // re-plans of one order after version races before giving up for now
};

struct PipelineStats {
  int64_t processed = 0;  // transitions committed
  int64_t accepted = 0;
  int64_t held = 0;
  int64_t allocated = 0;
  int64_t backordered = 0;
  int64_t cancelled = 0;
  int64_t automatic_decisions = 0;  // applied under an autonomy level, without a person
  int64_t retries = 0;              // version races
  int64_t failures = 0;             // orders that could not be read, decoded or committed
  int64_t queue_depth = 0;
};

class Pipeline {
 public:
  Pipeline(store::Store& store, const Clock& clock, PipelineOptions options);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Re-queues unfinished orders from the store, then starts the workers.
  Status Start();
  // Finishes the batch in hand, then stops. Idempotent.
  void Stop();

  // Schedules an order that changed. REQUIRES: the change is committed.
  void Enqueue(OrderId id);
  // Schedules every backordered order (oldest first), now. Also runs every
  // PipelineOptions::backorder_recheck on its own.
  Status RecheckBackorders();
  // Asks for RecheckBackorders soon, on the pipeline's own thread: call after stock grew. Returns
  // at once; a burst of requests (a busy inventory feed) costs one scan, not one per request.
  void RequestBackorderRecheck();

  PipelineStats Stats() const;
  // Blocks until all queues are empty and no worker is busy, or `timeout` passes.
  // Returns whether it became idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<OrderId> queue;           // GUARDED_BY(mu)
    std::unordered_set<OrderId> queued;  // GUARDED_BY(mu): collapses repeated Enqueue calls
    bool busy = false;                   // GUARDED_BY(mu)
    std::thread thread;
  };

  void Run(Worker& w);
  void ProcessBatch(std::vector<OrderId>& ids, expr::EvalContext& ctx, StockLedger& ledger);
  void RecheckLoop();
  // Trigger events appended since the rules last looked at the order.
  std::vector<std::string> PendingTriggers(const store::OrderRecord& record);

  store::Store& store_;
  const Clock& clock_;
  const PipelineOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  std::thread recheck_thread_;
  std::mutex recheck_mu_;
  std::condition_variable recheck_cv_;
  bool recheck_requested_ = false;  // GUARDED_BY(recheck_mu_)

  std::atomic<int64_t> processed_{0}, accepted_{0}, held_{0}, allocated_{0}, backordered_{0},
      cancelled_{0}, automatic_{0}, retries_{0}, failures_{0};
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
};

}  // namespace orderpilot::pipeline
