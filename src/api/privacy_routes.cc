// Privacy routes of ApiService (admin only, api/v1_routes.cc): the platforms' privacy requests
// with their 30-day deadlines, and a person's export or erasure of a customer — the same
// operations as `orderpilot privacy requests` and `orderpilot customer export|erase`
// (privacy/privacy_request.h), audited on the "privacy" stream with the caller's key name.
#include "api/http_errors.h"
#include "api/internal/route_util.h"
#include "api/service.h"
#include "core/json_dom.h"
#include "core/json_writer.h"
#include "privacy/privacy_request.h"
#include "privacy/sealed_store.h"

namespace orderpilot::api {
namespace {

using internal::Json;
using json_dom::ObjectReader;

constexpr size_t kMaxIdentityChars = 320;  // the longest email address RFC 5321 allows

// {"shop"?, "email"?, "phone"?, "customer_id"?, "customer_ref"?, "request_id"?}: at least one
// of email, phone, customer_id or customer_ref. `shop` may be left out when the server serves
// one shop.
Result<privacy::PersonRequest> DecodePersonRequest(std::string_view body,
                                                   const std::vector<ShopSecret>& shops) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object obj, json_dom::ParseObject(body));
  const ObjectReader r(obj, "");
  privacy::PersonRequest out;
  for (const char* key : {"shop", "email", "phone", "customer_id", "customer_ref", "request_id"}) {
    OP_ASSIGN_OR_RETURN(std::string v, r.String(key));
    if (v.size() > kMaxIdentityChars) {
      return UnprocessableError(
          std::string(key) + " is longer than " + std::to_string(kMaxIdentityChars) + " characters",
          r.PathOf(key));
    }
    const std::string_view k = key;
    if (k == "shop") out.who.shop = std::move(v);
    if (v.empty()) continue;
    if (k == "email") out.who.emails.push_back(std::move(v));
    if (k == "phone") out.who.phones.push_back(std::move(v));
    if (k == "customer_id") out.who.channel_customer_ids.push_back(std::move(v));
    if (k == "customer_ref") out.refs.push_back(std::move(v));
    if (k == "request_id") out.request_id = std::move(v);
  }
  const bool identities =
      !out.who.emails.empty() || !out.who.phones.empty() || !out.who.channel_customer_ids.empty();
  if (!identities && out.refs.empty()) {
    return UnprocessableError("name the customer: email, phone, customer_id or customer_ref",
                              "email");
  }
  if (identities && out.who.shop.empty()) {
    if (shops.size() != 1 || shops.front().domain == "*") {
      return UnprocessableError("shop is needed: customers are kept per shop", "shop");
    }
    out.who.shop = shops.front().domain;
  }
  return out;
}

}  // namespace

HttpResponse ApiService::ListPrivacyRequests(const HttpRequest& req) {
  std::string status;
  if (auto s = req.Query("status")) status = std::string(*s);
  if (!status.empty() && status != "pending" && status != "done" && status != "failed") {
    return ErrorResponse(InvalidArgumentError("status must be pending, done or failed", "status"));
  }
  const Timestamp now = clock_.Now();
  JsonWriter w;
  w.BeginObject().Key("requests").BeginArray();
  int64_t after = 0;
  int64_t overdue_count = 0;
  while (true) {
    auto page = store_.ListPrivacyRequests(status, after, 500);
    if (!page.ok()) return ErrorResponse(page.status());
    if (page->empty()) break;
    for (const store::PrivacyRequestRecord& r : *page) {
      after = r.id;
      overdue_count += r.status == "pending" && privacy::RequestDeadline(r) < now ? 1 : 0;
      // The body names the customer: it is not listed (export the customer instead).
      privacy::WritePrivacyRequestJson(w, r, now);
    }
  }
  w.EndArray().Field("overdue", overdue_count).EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::CustomerPrivacy(const HttpRequest& req, bool erase, const Principal& who) {
  if (options_.sealed == nullptr) {
    return ErrorResponse(FailedPreconditionError(
        "personal data is not encrypted on this server: there is nothing to export or erase"));
  }
  Result<privacy::PersonRequest> request = DecodePersonRequest(req.body, options_.shops);
  if (!request.ok()) return ErrorResponse(request.status());
  request->source = "api";
  request->actor = "api:" + who.name;
  if (!erase) {
    Result<privacy::PersonExport> exported =
        privacy::ExportForPerson(*options_.sealed, *request, clock_.Now());
    if (!exported.ok()) return ErrorResponse(exported.status());
    HttpResponse r = Json(200, std::move(exported->document));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  Result<privacy::ErasureReport> erased = privacy::EraseForPerson(*options_.sealed, *request);
  if (!erased.ok()) return ErrorResponse(erased.status());
  JsonWriter w;
  w.BeginObject().Key("customer_refs").BeginArray();
  for (const std::string& ref : erased->customer_refs) w.String(ref);
  w.EndArray()
      .Field("keys_shredded", erased->keys_shredded)
      .Field("orders", erased->orders)
      .EndObject();
  return Json(200, w.Take());
}

}  // namespace orderpilot::api
