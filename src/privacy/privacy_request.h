// privacy/privacy_request.h — acting on privacy requests: the platforms' webhooks
// (customers/data_request, customers/redact, shop/redact) and a person's `orderpilot customer
// export|erase`.
//
// Export writes everything orderpilot holds about the customers as one JSON document
// (ExportCustomers; format in docs/privacy.md): their keys' dates, each order with its latest
// snapshot and every event of its stream, and the raw webhook bodies still kept. Erase
// crypto-shreds (SealedStore::EraseCustomers). Both are appended to the audit chain (stream
// "privacy") with the request id, and a request is due 30 days after it was received (the
// platforms' limit): PrivacyDesk acts on pending requests as they come (the server runs it every
// few seconds), and RequestDeadline says when each is due.
//
// Thread-safety: PrivacyDesk is not thread-safe (one runner); the functions are.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/status.h"
#include "core/time.h"
#include "privacy/sealed_store.h"

namespace orderpilot::privacy {

// What a privacy request webhook names.
struct PrivacyRequestBody {
  CustomerIdentity customer;           // shop from shop_domain; customer id, email, phone
  std::vector<std::string> order_ids;  // orders_to_redact / orders_requested (channel ids)
  std::string data_request_id;         // data_request.id ("" when absent)
};

// InvalidArgument (with the field) for a body that is not a JSON object or has ill-typed
// fields. Ids are kept as exact decimal text.
Result<PrivacyRequestBody> ParsePrivacyRequest(std::string_view json);

// The platforms' limit: a request must be answered within 30 days of its receipt.
inline constexpr std::chrono::hours kPrivacyRequestAllowance{24 * 30};
Timestamp RequestDeadline(const store::PrivacyRequestRecord& r);

// Writes one request as a JSON object — id, channel, shop, topic, status, received_at, due_at,
// overdue (pending past due at `now`), finished_at, result — without its body (which names the
// customer). The form of `orderpilot privacy requests --json` and GET /v1/privacy/requests.
void WritePrivacyRequestJson(JsonWriter& w, const store::PrivacyRequestRecord& r, Timestamp now);

// The customers a request or a person names: every ref recorded for its identities, plus the
// customers of the orders it names (by channel id on `channel`).
Result<std::vector<std::string>> ResolveCustomers(SealedStore& store, std::string_view channel,
                                                  const PrivacyRequestBody& request);

// One JSON document with everything held about `customer_refs` (opened; erased values read
// "[erased]"). `request` is a JSON object copied into the document ("{}" for none).
Result<std::string> ExportCustomers(SealedStore& store,
                                    const std::vector<std::string>& customer_refs,
                                    std::string_view request, Timestamp now);

// A person's export or erasure (`orderpilot customer export|erase`, the admin API's
// POST /v1/customers/export|erase), as opposed to a platform's webhook.
struct PersonRequest {
  CustomerIdentity who;           // shop and identities (may be empty when refs are given)
  std::vector<std::string> refs;  // customer refs named directly
  std::string source;             // "cli", "api": recorded on the audit event
  std::string actor;              // the audit event's actor ("cli", "api:<key name>")
  std::string request_id;         // the person's own reference ("" for none)
};

// The refs named plus every ref recorded for the identities (distinct, sorted). NotFound ("no
// customer with that email in shop …") when there is none.
Result<std::vector<std::string>> ResolvePerson(SealedStore& store, const PersonRequest& request);

struct PersonExport {
  std::vector<std::string> customer_refs;
  std::string document;  // ExportCustomers's JSON
};
// Resolves, exports, and appends "privacy.data_exported" {source, request_id, customer_refs} to
// the "privacy" audit stream (the export is not returned when the audit append fails).
Result<PersonExport> ExportForPerson(SealedStore& store, const PersonRequest& request,
                                     Timestamp now);
// Resolves and erases (SealedStore::EraseCustomers) with the audit event "customer.erased"
// {request: {source, request_id}, customer_refs, keys_shredded, orders}.
Result<ErasureReport> EraseForPerson(SealedStore& store, const PersonRequest& request);

struct PrivacyDeskOptions {
  std::filesystem::path export_dir;  // where data request exports are written (mode 0600)
  std::string actor = "privacy";     // recorded on the audit events
};

class PrivacyDesk {
 public:
  PrivacyDesk(SealedStore& store, const Clock& clock, PrivacyDeskOptions options);

  // Acts on every pending request, oldest first: a data request is exported to
  // export_dir/request-<id>.json, a customer redaction erases the customer, a shop redaction
  // erases every customer of the shop and the shop's own key. Each finishes "done" (or "failed"
  // with the reason, when its body cannot be read) with an audit event in the same transaction.
  // Returns how many requests were finished.
  Result<int> RunOnce();

 private:
  Status Act(const store::PrivacyRequestRecord& r);

  SealedStore& store_;
  const Clock& clock_;
  PrivacyDeskOptions options_;
};

// A retention policy (config `privacy.retention`); an unset duration keeps data forever.
struct RetentionPolicy {
  std::optional<std::chrono::hours> erase_inactive_customers_after;
  std::optional<std::chrono::hours> drop_raw_bodies_after;
};

struct RetentionReport {
  int64_t customers_erased = 0;
  int64_t raw_bodies_dropped = 0;
};

// One pass of the retention job at `now`: erases (crypto-shreds) customers whose latest order or
// request is older than the policy allows, and empties raw webhook bodies past theirs. Each
// erasure is an audit event ("customer.erased", reason "retention").
Result<RetentionReport> RunRetention(SealedStore& store, const RetentionPolicy& policy,
                                     Timestamp now, std::string_view actor = "retention");

}  // namespace orderpilot::privacy
