#include "ai/sent_log.h"

#include <string>

#include "core/json_writer.h"
#include "store/store.h"

namespace orderpilot::ai {

Status AuditSentLog::Record(const SentRequest& sent) {
  JsonWriter w(sent.body.size() + 256);
  w.BeginObject();
  w.Field("endpoint", sent.endpoint);
  w.Field("body", sent.body);
  w.Field("model", sent.model);
  w.EndObject();
  store::NewEvent event;
  event.type = "ai.request_sent";
  event.payload = w.Take();
  event.actor = sent.actor.empty() ? "ai" : std::string(sent.actor);
  Result<store::Event> appended = store_.AppendAudit("ai", event);
  if (!appended.ok()) {
    return Status(appended.status().code(),
                  "ai: cannot record the request in the audit log: " + appended.status().message());
  }
  return Status::Ok();
}

}  // namespace orderpilot::ai
