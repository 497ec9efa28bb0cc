// review/sla_watcher.h — escalates review items past their SLA and applies the configured
// fallback decision.
//
// RunOnce asks the store for open items due at the clock's now (Store::EscalateOverdue: each is
// escalated once, with a "review.escalated" event and an outbox notification in one
// transaction), then decides those whose kind has a fallback (approve or reject) as
// "sla-fallback" (ReviewDecision::fallback, which is not counted as a person's decision). An item
// somebody decided meanwhile is skipped. Start() runs RunOnce on its own thread every interval.
//
// Thread-safety: RunOnce may be called from any thread, but not concurrently with itself.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "review/policy.h"
#include "store/store.h"

namespace orderpilot::review {

struct SlaOutcome {
  std::vector<store::ReviewRecord> escalated;
  std::vector<store::ReviewRecord> decided;  // by a fallback
  int skipped = 0;  // fallbacks that could not apply (decided meanwhile, order moved on)
};

class SlaWatcher {
 public:
  // Turns a decision into the one the store records (e.g. a substitute's new snapshot); the
  // pipeline's PrepareReviewDecision. Default: unchanged.
  using Prepare = std::function<Result<store::ReviewDecision>(store::ReviewDecision)>;
  // Told about every order a fallback decided (the pipeline must pick it up).
  using OnDecided = std::function<void(OrderId)>;

  // Borrowed references must outlive the watcher.
  SlaWatcher(store::Store& store, const Clock& clock, const AutonomyPolicy& policy,
             Prepare prepare = nullptr, OnDecided on_decided = nullptr);
  ~SlaWatcher();
  SlaWatcher(const SlaWatcher&) = delete;
  SlaWatcher& operator=(const SlaWatcher&) = delete;

  Result<SlaOutcome> RunOnce();

  void Start(std::chrono::milliseconds interval);
  void Stop();  // idempotent

  static constexpr std::string_view kActor = "sla-fallback";

 private:
  store::Store& store_;
  const Clock& clock_;
  const AutonomyPolicy& policy_;
  Prepare prepare_;
  OnDecided on_decided_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
};

}  // namespace orderpilot::review
