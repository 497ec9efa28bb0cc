// notify/outbox_dispatcher.h — delivers the outbox's webhook messages, at least once.
//
// Rules (and later issues) write side effects into the outbox in the same transaction as the
// decision that caused them (store/store.h OutboxMessage). This dispatcher reads the due webhook
// messages, POSTs each with its idempotency key (header Idempotency-Key) so the receiver can
// drop duplicates, and records every attempt: delivered on a 2xx; retried with exponential
// backoff on a network error, 408, 429 or 5xx; dead (visible in GET /v1/outbox) after
// `max_attempts` or on any other answer. A crash between sending and recording means the
// message is sent again: delivery is at least once, never at most once.
//
// Thread-safety: Start/Stop from one thread; RunOnce must not overlap with the thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace orderpilot::notify {

// What a webhook POST came to.
enum class SendResult {
  kDelivered,  // 2xx
  kRetry,      // network error, timeout, 408, 429, 5xx
  kRejected,   // any other status, or a URL we cannot send to: retrying will not help
};

struct SendOutcome {
  SendResult result = SendResult::kRetry;
  std::string detail;  // "HTTP 503", "connection refused", …
};

// POSTs `body` to `url` with `headers`. Injected: the app gives an HTTP client, tests a fake.
using WebhookSender =
    std::function<SendOutcome(const std::string& url, const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers)>;

struct DispatcherOptions {
  std::chrono::milliseconds poll{500};   // Default: look for due messages every 0.5 s
  int max_attempts = 8;                  // Default: 8, then dead
  std::chrono::seconds first_retry{2};   // Default: 2 s, doubling per attempt
  std::chrono::seconds max_retry{3600};  // Default: at most 1 h between attempts
  int batch = 64;
};

class OutboxDispatcher {
 public:
  OutboxDispatcher(store::Store& store, const Clock& clock, WebhookSender sender,
                   DispatcherOptions options = {});
  ~OutboxDispatcher();
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;

  void Start();
  void Stop();  // idempotent
  // Attempts every webhook message due now; returns how many were attempted.
  int RunOnce();

 private:
  store::Store& store_;
  const Clock& clock_;
  WebhookSender sender_;
  const DispatcherOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
};

}  // namespace orderpilot::notify
