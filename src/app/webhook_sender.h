// app/webhook_sender.h — the outbox's webhook sender over plain HTTP (api/http_client.h).
//
// Sends a POST per message with a 10 s timeout. http:// only: https:// needs TLS, which is not
// built yet, and such messages are rejected (dead) with that reason rather than retried forever.
#pragma once

#include "notify/outbox_dispatcher.h"

namespace orderpilot::app {

notify::WebhookSender MakeHttpWebhookSender();

}  // namespace orderpilot::app
