#include "notify/outbox_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace orderpilot::notify {

OutboxDispatcher::OutboxDispatcher(store::Store& store, const Clock& clock, WebhookSender sender,
                                   DispatcherOptions options)
    : store_(store), clock_(clock), sender_(std::move(sender)), options_(options) {}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

void OutboxDispatcher::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      int n = RunOnce();
      lock.lock();
      if (n == 0) cv_.wait_for(lock, options_.poll, [&] { return stopping_; });
    }
  });
}

void OutboxDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int OutboxDispatcher::RunOnce() {
  auto due = store_.DueOutbox("webhook", clock_.Now(), options_.batch);
  if (!due.ok()) {
    spdlog::error("outbox: cannot read due messages: {}", due.status().ToString());
    return 0;
  }
  for (const store::OutboxRecord& m : *due) {
    SendOutcome out = sender_(m.message.destination, m.message.payload,
                              {{"Content-Type", "application/json"},
                               {"Idempotency-Key", m.message.idempotency_key},
                               {"User-Agent", "orderpilot"}});
    bool delivered = out.result == SendResult::kDelivered;
    std::optional<Timestamp> retry_at;
    const int64_t attempt = m.attempts + 1;
    if (out.result == SendResult::kRetry && attempt < options_.max_attempts) {
      auto delay = options_.first_retry * (int64_t{1} << std::min<int64_t>(attempt - 1, 30));
      delay = std::min<std::chrono::seconds>(delay, options_.max_retry);
      retry_at = Timestamp{clock_.Now().micros + delay.count() * 1000000};
    }
    Status s = store_.RecordOutboxAttempt(m.id, delivered, out.detail, retry_at);
    if (!s.ok()) spdlog::error("outbox: cannot record attempt {}: {}", m.id, s.ToString());
    if (!delivered && !retry_at) {
      spdlog::warn("outbox: webhook {} to {} is dead after {} attempt(s): {}", m.id,
                   m.message.destination, attempt, out.detail);
    }
  }
  return static_cast<int>(due->size());
}

}  // namespace orderpilot::notify
