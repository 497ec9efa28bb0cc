// The review-queue routes of ApiService (api/service.h lists them).
#include <cmath>

#include "api/http_errors.h"
#include "api/internal/route_util.h"
#include "api/request_json.h"
#include "api/service.h"
#include "core/json_writer.h"
#include "pipeline/review_effects.h"
#include "review/stats_report.h"

namespace orderpilot::api {
namespace {

using internal::Json;
using internal::ParseId;
using internal::ParseListParams;
using internal::WriteNextCursor;

void OptionalTime(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t) {
  if (t) {
    w.Field(key, FormatTimestamp(*t));
  } else {
    w.Key(key).Null();
  }
}

void WriteReview(JsonWriter& w, const store::ReviewRecord& r, Timestamp now,
                 const store::OrderRecord* order = nullptr) {
  w.BeginObject()
      .Field("id", r.id.value())
      .Field("order_id", r.order_id.value())
      .Field("kind", r.kind)
      .Field("status", store::ReviewStatusName(r.status))
      .Field("reason", r.reason)
      .Field("proposal", r.proposal)
      .Field("confidence", r.confidence)
      .Field("rule", r.rule);
  auto currency = Currency::Parse(r.currency);
  if (currency.ok()) {
    w.Key("money_at_stake")
        .BeginObject()
        .Field("amount", Money(r.money_minor, *currency).ToString())
        .Field("currency", r.currency)
        .EndObject();
  } else {
    w.Key("money_at_stake").Null();
  }
  OptionalTime(w, "sla_due_at", r.sla_due_at);
  w.Field("overdue", r.status == store::ReviewStatus::kOpen && r.sla_due_at &&
                         r.sla_due_at->micros <= now.micros);
  OptionalTime(w, "escalated_at", r.escalated_at);
  if (r.claimed_by.empty()) {
    w.Key("claimed_by").Null();
  } else {
    w.Field("claimed_by", r.claimed_by);
  }
  OptionalTime(w, "claimed_at", r.claimed_at);
  w.Key("detail").Raw(r.detail_json.empty() ? "{}" : r.detail_json);
  w.Field("created_at", FormatTimestamp(r.created_at));
  w.Field("automatic", r.status == store::ReviewStatus::kAutoApplied);
  if (r.decided_at) {
    w.Field("decided_by", r.decided_by)
        .Field("comment", r.comment)
        .Field("modified", r.modified)
        .Field("fallback", r.fallback)
        .Field("decided_at", FormatTimestamp(*r.decided_at));
  }
  if (r.reversed_at) {
    w.Field("reversed_by", r.reversed_by).Field("reversed_at", FormatTimestamp(*r.reversed_at));
  }
  if (order) {
    w.Key("order").BeginObject();
    w.Field("number", order->number)
        .Field("state", store::OrderStateName(order->state))
        .Field("channel", order->channel)
        .Field("shop", order->shop);
    auto c = Currency::Parse(order->currency);
    if (c.ok()) w.Field("total", Money(order->total_minor, *c).ToString());
    w.Field("currency", order->currency).EndObject();
  }
  w.EndObject();
}

// The reviewer a body names, else the API key's name.
std::string Who(const std::string& reviewer, const Principal& who) {
  return reviewer.empty() ? who.name : reviewer;
}

// The body of a claim, release or reversal: a comment and a reviewer, never changes.
Result<ReviewBody> DecodeBodyWithoutChanges(std::string_view text) {
  OP_ASSIGN_OR_RETURN(ReviewBody body, DecodeReviewBody(text));
  if (body.has_changes()) return UnprocessableError("changes belong to an approval", "changes");
  return body;
}

// 200 with one review item (without the order's context).
HttpResponse ReviewJson(const store::ReviewRecord& review, Timestamp now) {
  JsonWriter w;
  WriteReview(w, review, now);
  return Json(200, w.Take());
}

}  // namespace

HttpResponse ApiService::ListReviews(const HttpRequest& req) {
  store::ReviewFilter f;
  if (auto s = req.Query("status"); s && !s->empty()) {
    f.status = store::ParseReviewStatus(*s);
    if (!f.status) {
      return ErrorResponse(InvalidArgumentError(
          "unknown status '" + *s + "' (open, approved, rejected, auto_applied)", "status"));
    }
  }
  if (auto k = req.Query("kind")) f.kind = *k;
  if (auto c = req.Query("claimed_by")) f.claimed_by = *c;
  if (auto o = req.Query("order_id"); o && !o->empty()) {
    auto id = ParseId(*o, "order_id");
    if (!id.ok()) return ErrorResponse(id.status());
    f.order_id = OrderId(*id);
  }
  if (auto o = req.Query("overdue"); o && !o->empty()) {
    if (*o != "true" && *o != "false") {
      return ErrorResponse(InvalidArgumentError("overdue must be true or false", "overdue"));
    }
    f.overdue = *o == "true";
  }
  auto params = ParseListParams(req);
  if (!params.ok()) return ErrorResponse(params.status());
  auto page = store_.ListReviews(f, params->limit, params->cursor);
  if (!page.ok()) return ErrorResponse(page.status());
  const Timestamp now = clock_.Now();
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const store::ReviewRecord& r : page->items) WriteReview(w, r, now);
  w.EndArray();
  WriteNextCursor(w, page->next_cursor);
  w.EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::GetReview(std::string_view id_text) {
  auto id = ParseId(id_text, "id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto review = store_.GetReview(ReviewId(*id));
  if (!review.ok()) return ErrorResponse(review.status());
  auto order = store_.GetOrder(review->order_id);
  JsonWriter w;
  WriteReview(w, *review, clock_.Now(), order.ok() ? &*order : nullptr);
  return Json(200, w.Take());
}

HttpResponse ApiService::DecideReview(const HttpRequest& req, std::string_view id_text,
                                      bool approve, const Principal& caller) {
  auto id = ParseId(id_text, "id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto body = DecodeReviewBody(req.body);
  if (!body.ok()) return ErrorResponse(body.status());
  store::ReviewDecision d;
  d.review_id = ReviewId(*id);
  d.approve = approve;
  d.who = Who(body->reviewer, caller);
  d.comment = body->comment;
  pipeline::ReviewChanges changes;
  changes.substitute_sku = body->substitute_sku;
  changes.shipping_address = body->shipping_address;
  auto prepared = pipeline::PrepareReviewDecision(store_, std::move(d), changes);
  if (!prepared.ok()) return ErrorResponse(prepared.status());
  auto review = store_.Decide(*prepared);
  if (!review.ok()) return ErrorResponse(review.status());
  pipeline_.Enqueue(review->order_id);  // the decision's events meet the rules
  return ReviewJson(*review, clock_.Now());
}

HttpResponse ApiService::ClaimReview(const HttpRequest& req, std::string_view id_text, bool release,
                                     const Principal& caller) {
  auto id = ParseId(id_text, "id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto body = DecodeBodyWithoutChanges(req.body);
  if (!body.ok()) return ErrorResponse(body.status());
  store::ReviewClaim c;
  c.review_id = ReviewId(*id);
  c.who = Who(body->reviewer, caller);
  c.release = release;
  auto review = store_.Claim(c);
  if (!review.ok()) return ErrorResponse(review.status());
  return ReviewJson(*review, clock_.Now());
}

HttpResponse ApiService::ReverseReview(const HttpRequest& req, std::string_view id_text,
                                       const Principal& caller) {
  auto id = ParseId(id_text, "id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto body = DecodeBodyWithoutChanges(req.body);
  if (!body.ok()) return ErrorResponse(body.status());
  store::ReviewReversal r;
  r.review_id = ReviewId(*id);
  r.who = Who(body->reviewer, caller);
  r.comment = body->comment;
  auto review = store_.Reverse(r);
  if (!review.ok()) return ErrorResponse(review.status());
  pipeline_.Enqueue(review->order_id);  // a re-opened order is allocated again
  return ReviewJson(*review, clock_.Now());
}

HttpResponse ApiService::BulkDecide(const HttpRequest& req, const Principal& caller) {
  auto body = DecodeBulkDecisionBody(req.body);
  if (!body.ok()) return ErrorResponse(body.status());
  const std::string who = Who(body->reviewer, caller);
  JsonWriter w;
  w.BeginObject().Key("results").BeginArray();
  int64_t decided = 0, failed = 0;
  // Each item is its own decision (and transaction): one that cannot be decided (taken by
  // somebody else, decided already) is reported and the others go ahead.
  for (int64_t id : body->ids) {
    store::ReviewDecision d;
    d.review_id = ReviewId(id);
    d.approve = body->approve;
    d.who = who;
    d.comment = body->comment;
    auto prepared = pipeline::PrepareReviewDecision(store_, std::move(d));
    Result<store::ReviewRecord> review =
        prepared.ok() ? store_.Decide(*prepared) : Result<store::ReviewRecord>(prepared.status());
    w.BeginObject().Field("id", id);
    if (review.ok()) {
      ++decided;
      pipeline_.Enqueue(review->order_id);
      w.Field("status", store::ReviewStatusName(review->status));
    } else {
      ++failed;
      w.Field("status", "error")
          .Key("error")
          .BeginObject()
          .Field("code", StatusCodeName(review.status().code()))
          .Field("message", review.status().message())
          .EndObject();
    }
    w.EndObject();
  }
  w.EndArray().Field("decided", decided).Field("failed", failed).EndObject();
  return Json(200, w.Take());
}

HttpResponse ApiService::ReviewStats(const HttpRequest& req) {
  int64_t days = 30;
  if (auto d = req.Query("days"); d && !d->empty()) {
    auto parsed = ParseId(*d, "days");
    if (!parsed.ok() || *parsed > 3650) {
      return ErrorResponse(InvalidArgumentError("days must be 1..3650", "days"));
    }
    days = *parsed;
  }
  const Timestamp now = clock_.Now();
  const Timestamp since{now.micros - days * 86'400'000'000};
  auto stats = store_.ReviewStats(since);
  if (!stats.ok()) return ErrorResponse(stats.status());
  static const review::AutonomyPolicy kDefaults;
  const review::AutonomyPolicy& policy = options_.autonomy ? *options_.autonomy : kDefaults;
  return Json(200, review::StatsJson(*stats, policy, since, days));
}

}  // namespace orderpilot::api
