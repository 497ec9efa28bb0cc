// app/webhook_sender.h — the outbox's webhook sender: one POST per message over http:// or
// https:// (certificate and host name verified against the system CA store, or `ca_file`).
// 2xx delivers; a network/TLS error, 408, 429 or 5xx is retried; any other status, or a URL
// that is not http(s), is rejected for good.
#pragma once

#include <chrono>
#include <string>

#include "notify/outbox_dispatcher.h"

namespace orderpilot::app {

struct WebhookSenderOptions {
  std::chrono::milliseconds timeout{10000};  // Default: 10 s per delivery attempt
  std::string ca_file;                       // Default: the system's CA certificates
};

notify::WebhookSender MakeHttpWebhookSender(WebhookSenderOptions options = {});

}  // namespace orderpilot::app
