#include "privacy/privacy_request.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/json_dom.h"
#include "core/json_writer.h"

namespace orderpilot::privacy {

using json_dom::IdTextOf;
using json_dom::ObjectReader;
using json_dom::ParseObject;

namespace {

constexpr int kBatch = 100;

// Appends each element of the array member `key` (ids as exact decimal text).
Status ReadIds(const ObjectReader& root, std::string_view key, std::vector<std::string>& out) {
  OP_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> ids, root.OptArray(key));
  if (!ids) return Status::Ok();
  size_t i = 0;
  for (simdjson::dom::element e : *ids) {
    OP_ASSIGN_OR_RETURN(std::string id,
                        IdTextOf(e, std::string(key) + "[" + std::to_string(i++) + "]"));
    out.push_back(std::move(id));
  }
  return Status::Ok();
}

// `raw` when it is a JSON object or array, else the JSON string of it: export documents embed
// stored JSON as JSON.
void WriteEmbedded(JsonWriter& w, std::string_view raw) {
  const size_t start = raw.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos && (raw[start] == '{' || raw[start] == '[') &&
      ParseObject(raw).ok()) {
    w.Raw(raw);
  } else {
    w.String(raw);
  }
}

Status WriteFile0600(const std::filesystem::path& path, std::string_view text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return InternalError("cannot create " + path.parent_path().string() + ": " + ec.message());
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError("cannot write " + tmp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      return InternalError("cannot write " + tmp.string() + ": " + why);
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return InternalError("cannot sync " + tmp.string());
  std::filesystem::rename(tmp, path, ec);
  if (ec) return InternalError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

std::string AuditPayload(const store::PrivacyRequestRecord& r, std::string_view action) {
  JsonWriter w;
  w.BeginObject()
      .Field("request_id", r.id)
      .Field("topic", r.topic)
      .Field("shop", r.shop)
      .Field("action", action)
      .Field("received_at", FormatTimestamp(r.received_at))
      .Field("due_at", FormatTimestamp(RequestDeadline(r)))
      .EndObject();
  return w.Take();
}

}  // namespace

Result<PrivacyRequestBody> ParsePrivacyRequest(std::string_view json) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object object, ParseObject(json));
  ObjectReader root(object, "");
  PrivacyRequestBody out;
  OP_ASSIGN_OR_RETURN(std::optional<std::string_view> shop, root.OptString("shop_domain"));
  if (shop) out.customer.shop = std::string(*shop);
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> customer, root.OptObject("customer"));
  if (customer) {
    OP_ASSIGN_OR_RETURN(std::optional<std::string_view> email, customer->OptString("email"));
    if (email && !email->empty()) out.customer.emails.emplace_back(*email);
    OP_ASSIGN_OR_RETURN(std::optional<std::string_view> phone, customer->OptString("phone"));
    if (phone && !phone->empty()) out.customer.phones.emplace_back(*phone);
    if (std::optional<simdjson::dom::element> id = customer->Find("id")) {
      OP_ASSIGN_OR_RETURN(std::string text, IdTextOf(*id, "customer.id"));
      out.customer.channel_customer_ids.push_back(std::move(text));
    }
  }
  OP_RETURN_IF_ERROR(ReadIds(root, "orders_to_redact", out.order_ids));
  OP_RETURN_IF_ERROR(ReadIds(root, "orders_requested", out.order_ids));
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> request, root.OptObject("data_request"));
  if (request) {
    if (std::optional<simdjson::dom::element> id = request->Find("id")) {
      OP_ASSIGN_OR_RETURN(out.data_request_id, IdTextOf(*id, "data_request.id"));
    }
  }
  return out;
}

Timestamp RequestDeadline(const store::PrivacyRequestRecord& r) {
  return Timestamp{
      r.received_at.micros +
      std::chrono::duration_cast<std::chrono::microseconds>(kPrivacyRequestAllowance).count()};
}

Result<std::vector<std::string>> ResolveCustomers(SealedStore& store, std::string_view channel,
                                                  const PrivacyRequestBody& request) {
  OP_ASSIGN_OR_RETURN(std::vector<std::string> refs, store.FindCustomerRefs(request.customer));
  for (const std::string& id : request.order_ids) {
    OP_ASSIGN_OR_RETURN(std::optional<store::OrderRecord> order,
                        store.FindOrderByChannelId(channel, request.customer.shop, id));
    if (order && !order->customer_ref.empty()) refs.push_back(order->customer_ref);
  }
  std::sort(refs.begin(), refs.end());
  refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
  return refs;
}

Result<std::string> ExportCustomers(SealedStore& store,
                                    const std::vector<std::string>& customer_refs,
                                    std::string_view request, Timestamp now) {
  JsonWriter w;
  w.BeginObject().Field("format", "orderpilot.customer_export.v1");
  w.Field("exported_at", FormatTimestamp(now));
  w.Key("request");
  WriteEmbedded(w, request.empty() ? std::string_view("{}") : request);
  w.Key("customers").BeginArray();
  for (const std::string& ref : customer_refs) {
    w.BeginObject().Field("customer_ref", ref);
    OP_ASSIGN_OR_RETURN(std::vector<store::CustomerKeyRecord> keys, store.GetCustomerKeys(ref));
    w.Key("keys").BeginArray();
    for (const store::CustomerKeyRecord& k : keys) {
      w.BeginObject().Field("key_id", k.key_id).Field("shop", k.shop);
      w.Field("created_at", FormatTimestamp(k.created_at));
      w.Field("last_seen_at", FormatTimestamp(k.last_seen_at));
      WriteOptionalTime(w, "erased_at", k.erased_at);
      w.EndObject();
    }
    w.EndArray();
    OP_ASSIGN_OR_RETURN(std::vector<store::OrderRecord> orders, store.OrdersOfCustomer(ref));
    w.Key("orders").BeginArray();
    for (const store::OrderRecord& o : orders) {
      w.BeginObject()
          .Field("id", o.id.value())
          .Field("channel", o.channel)
          .Field("shop", o.shop)
          .Field("channel_order_id", o.channel_order_id)
          .Field("number", o.number)
          .Field("state", store::OrderStateName(o.state))
          .Field("created_at", FormatTimestamp(o.created_at));
      w.Key("order");
      WriteEmbedded(w, o.order_json.empty() ? std::string_view("{}") : o.order_json);
      OP_ASSIGN_OR_RETURN(std::vector<store::Event> events,
                          store.ReadStream(store::OrderStream(o.id)));
      w.Key("events").BeginArray();
      for (const store::Event& e : events) {
        w.BeginObject()
            .Field("seq", e.seq.value())
            .Field("type", e.type)
            .Field("at", FormatTimestamp(e.at))
            .Field("actor", e.actor);
        w.Key("payload");
        WriteEmbedded(w, e.payload);
        w.EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray();
    OP_ASSIGN_OR_RETURN(auto bodies, store.WebhookBodiesOfCustomer(ref));
    w.Key("webhooks").BeginArray();
    for (const auto& [topic, body] : bodies) {
      w.BeginObject().Field("topic", topic).Key("body");
      WriteEmbedded(w, body);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

PrivacyDesk::PrivacyDesk(SealedStore& store, const Clock& clock, PrivacyDeskOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

Result<int> PrivacyDesk::RunOnce() {
  int finished = 0;
  int64_t after = 0;
  while (true) {
    OP_ASSIGN_OR_RETURN(std::vector<store::PrivacyRequestRecord> pending,
                        store_.ListPrivacyRequests("pending", after, kBatch));
    if (pending.empty()) break;
    for (const store::PrivacyRequestRecord& r : pending) {
      after = r.id;
      OP_RETURN_IF_ERROR(Act(r));
      ++finished;
    }
  }
  return finished;
}

Status PrivacyDesk::Act(const store::PrivacyRequestRecord& r) {
  Result<PrivacyRequestBody> body = ParsePrivacyRequest(r.body);
  if (!body.ok()) {
    JsonWriter result;
    result.BeginObject().Field("error", body.status().message()).EndObject();
    return store_.FinishPrivacyRequest(
        r.id, "failed", result.Take(),
        {"privacy.request_failed", AuditPayload(r, "none"), options_.actor});
  }
  if (!r.shop.empty()) body->customer.shop = r.shop;
  JsonWriter request;
  request.BeginObject().Field("request_id", r.id).Field("topic", r.topic);
  if (!body->data_request_id.empty()) request.Field("data_request_id", body->data_request_id);
  request.EndObject();
  const std::string request_json = request.Take();

  if (r.topic == "customers/data_request") {
    OP_ASSIGN_OR_RETURN(std::vector<std::string> refs, ResolveCustomers(store_, r.channel, *body));
    OP_ASSIGN_OR_RETURN(std::string doc, ExportCustomers(store_, refs, request_json, clock_.Now()));
    const std::filesystem::path file =
        options_.export_dir / ("request-" + std::to_string(r.id) + ".json");
    OP_RETURN_IF_ERROR(WriteFile0600(file, doc));
    JsonWriter result;
    result.BeginObject()
        .Field("export", file.string())
        .Field("customers", static_cast<int64_t>(refs.size()))
        .EndObject();
    return store_.FinishPrivacyRequest(
        r.id, "done", result.Take(),
        {"privacy.data_exported", AuditPayload(r, "export"), options_.actor});
  }

  std::vector<std::string> refs;
  if (r.topic == "shop/redact") {
    std::string after;
    while (true) {
      OP_ASSIGN_OR_RETURN(std::vector<std::string> page,
                          store_.CustomersOfShop(body->customer.shop, after, 1000));
      if (page.empty()) break;
      after = page.back();
      refs.insert(refs.end(), page.begin(), page.end());
    }
    refs.push_back(store_.ShopRef(body->customer.shop));
  } else {
    OP_ASSIGN_OR_RETURN(refs, ResolveCustomers(store_, r.channel, *body));
  }
  OP_ASSIGN_OR_RETURN(
      ErasureReport erased,
      store_.EraseCustomers(refs, {"customer.erased", request_json, options_.actor}));
  JsonWriter result;
  result.BeginObject()
      .Field("customers", static_cast<int64_t>(erased.customer_refs.size()))
      .Field("keys_shredded", erased.keys_shredded)
      .Field("orders", erased.orders)
      .EndObject();
  return store_.FinishPrivacyRequest(
      r.id, "done", result.Take(),
      {"privacy.request_done", AuditPayload(r, "erase"), options_.actor});
}

Result<RetentionReport> RunRetention(SealedStore& store, const RetentionPolicy& policy,
                                     Timestamp now, std::string_view actor) {
  RetentionReport report;
  auto before = [&](std::chrono::hours age) {
    return Timestamp{now.micros -
                     std::chrono::duration_cast<std::chrono::microseconds>(age).count()};
  };
  if (policy.erase_inactive_customers_after) {
    const Timestamp cutoff = before(*policy.erase_inactive_customers_after);
    while (true) {
      OP_ASSIGN_OR_RETURN(std::vector<std::string> refs, store.CustomersInactiveSince(cutoff, 500));
      // Shops' own keys hold webhooks that are not about a customer; they follow the raw-body
      // policy, not this one.
      std::erase_if(refs, [](const std::string& ref) { return ref.starts_with("shop_"); });
      if (refs.empty()) break;
      JsonWriter why;
      why.BeginObject()
          .Field("reason", "retention")
          .Field("inactive_since", FormatTimestamp(cutoff))
          .EndObject();
      OP_ASSIGN_OR_RETURN(
          ErasureReport erased,
          store.EraseCustomers(refs, {"customer.erased", why.Take(), std::string(actor)}));
      report.customers_erased += static_cast<int64_t>(erased.customer_refs.size());
    }
  }
  if (policy.drop_raw_bodies_after) {
    const Timestamp cutoff = before(*policy.drop_raw_bodies_after);
    while (true) {
      OP_ASSIGN_OR_RETURN(int64_t dropped, store.DropRawBodies(cutoff, 1000));
      report.raw_bodies_dropped += dropped;
      if (dropped == 0) break;
    }
  }
  return report;
}

namespace {

std::string PersonRequestJson(const PersonRequest& request) {
  JsonWriter w;
  w.BeginObject().Field("source", request.source);
  if (!request.request_id.empty()) w.Field("request_id", request.request_id);
  w.EndObject();
  return w.Take();
}

}  // namespace

void WritePrivacyRequestJson(JsonWriter& w, const store::PrivacyRequestRecord& r, Timestamp now) {
  const Timestamp due = RequestDeadline(r);
  w.BeginObject()
      .Field("id", r.id)
      .Field("channel", r.channel)
      .Field("shop", r.shop)
      .Field("topic", r.topic)
      .Field("status", r.status)
      .Field("received_at", FormatTimestamp(r.received_at))
      .Field("due_at", FormatTimestamp(due))
      .Field("overdue", r.status == "pending" && due < now);
  WriteOptionalTime(w, "finished_at", r.finished_at);
  w.Key("result").Raw(r.result.empty() ? std::string_view("{}") : r.result);
  w.EndObject();
}

Result<std::vector<std::string>> ResolvePerson(SealedStore& store, const PersonRequest& request) {
  std::vector<std::string> refs = request.refs;
  const CustomerIdentity& who = request.who;
  if (!who.emails.empty() || !who.phones.empty() || !who.channel_customer_ids.empty()) {
    OP_ASSIGN_OR_RETURN(std::vector<std::string> found, store.FindCustomerRefs(who));
    refs.insert(refs.end(), found.begin(), found.end());
  }
  std::sort(refs.begin(), refs.end());
  refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
  if (refs.empty()) {
    const char* what = !who.emails.empty()                 ? "email"
                       : !who.phones.empty()               ? "phone"
                       : !who.channel_customer_ids.empty() ? "customer id"
                                                           : "identity";
    return NotFoundError(std::string("no customer with that ") + what + " in shop " +
                         (who.shop.empty() ? std::string("?") : who.shop));
  }
  return refs;
}

Result<PersonExport> ExportForPerson(SealedStore& store, const PersonRequest& request,
                                     Timestamp now) {
  PersonExport out;
  OP_ASSIGN_OR_RETURN(out.customer_refs, ResolvePerson(store, request));
  OP_ASSIGN_OR_RETURN(out.document,
                      ExportCustomers(store, out.customer_refs, PersonRequestJson(request), now));
  JsonWriter audit;
  audit.BeginObject().Field("source", request.source);
  if (!request.request_id.empty()) audit.Field("request_id", request.request_id);
  audit.Key("customer_refs").BeginArray();
  for (const std::string& r : out.customer_refs) audit.String(r);
  audit.EndArray().EndObject();
  OP_RETURN_IF_ERROR(
      store.AppendAudit("privacy", {"privacy.data_exported", audit.Take(), request.actor})
          .status());
  return out;
}

Result<ErasureReport> EraseForPerson(SealedStore& store, const PersonRequest& request) {
  OP_ASSIGN_OR_RETURN(std::vector<std::string> refs, ResolvePerson(store, request));
  return store.EraseCustomers(refs, {"customer.erased", PersonRequestJson(request), request.actor});
}

}  // namespace orderpilot::privacy
