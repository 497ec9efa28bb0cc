#include "review/sla_watcher.h"

#include <utility>

namespace orderpilot::review {

SlaWatcher::SlaWatcher(store::Store& store, const Clock& clock, const AutonomyPolicy& policy,
                       Prepare prepare, OnDecided on_decided)
    : store_(store),
      clock_(clock),
      policy_(policy),
      prepare_(std::move(prepare)),
      on_decided_(std::move(on_decided)) {}

SlaWatcher::~SlaWatcher() { Stop(); }

Result<SlaOutcome> SlaWatcher::RunOnce() {
  constexpr int kBatch = 200;
  SlaOutcome out;
  for (;;) {
    OP_ASSIGN_OR_RETURN(std::vector<store::ReviewRecord> due,
                        store_.EscalateOverdue(clock_.Now(), kBatch));
    for (store::ReviewRecord& r : due) {
      const SlaFallback fallback = policy_.For(r.kind).fallback;
      if (fallback != SlaFallback::kNone) {
        store::ReviewDecision d;
        d.review_id = r.id;
        d.approve = fallback == SlaFallback::kApprove;
        d.who = std::string(kActor);
        d.comment = "no decision within the " + r.kind + " SLA: the configured fallback applies";
        d.fallback = true;
        Result<store::ReviewDecision> prepared =
            prepare_ ? prepare_(std::move(d)) : Result<store::ReviewDecision>(std::move(d));
        Result<store::ReviewRecord> decided = prepared.ok()
                                                  ? store_.Decide(*prepared)
                                                  : Result<store::ReviewRecord>(prepared.status());
        if (decided.ok()) {
          if (on_decided_) on_decided_(decided->order_id);
          out.decided.push_back(*std::move(decided));
        } else if (decided.status().code() == StatusCode::kFailedPrecondition ||
                   decided.status().code() == StatusCode::kNotFound) {
          ++out.skipped;  // decided by a person meanwhile, or the order moved on
        } else {
          return decided.status();
        }
      }
      out.escalated.push_back(std::move(r));
    }
    if (static_cast<int>(due.size()) < kBatch) break;
  }
  return out;
}

void SlaWatcher::Start(std::chrono::milliseconds interval) {
  Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      (void)RunOnce();  // a failure is retried on the next tick
      lock.lock();
      cv_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void SlaWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace orderpilot::review
