#include "pipeline/rule_actions.h"

#include <algorithm>
#include <deque>
#include <set>

#include "core/json_writer.h"
#include "core/order_json.h"

namespace orderpilot::pipeline {
namespace {

using rules::ActionKind;

std::string RuleActor(const rules::Rule& r) { return "rule:" + r.name; }

struct Pending {
  std::string trigger;
  int depth;
};

class RuleRun {
 public:
  RuleRun(const RuleRunInput& in, Order& order, Timestamp now, store::OrderTransition& t)
      : in_(in), order_(order), now_(now), t_(t) {}

  void Run(const std::vector<std::string>& triggers) {
    for (const std::string& trig : triggers) queue_.push_back({trig, 0});
    while (!queue_.empty()) {
      Pending p = queue_.front();
      queue_.pop_front();
      RunTrigger(p);
    }
    if (order_changed_) t_.order_json = EncodeOrder(order_);
  }

 private:
  void RunTrigger(const Pending& p) {
    rules::OrderFacts facts;
    facts.id = t_.order_id.value();
    facts.state = store::OrderStateName(t_.new_state);
    facts.actor = "pipeline";
    facts.now = now_;
    facts.risk = in_.risk;
    rules::Evaluation ev = in_.engine.Evaluate(p.trigger, order_, facts, in_.ctx);
    for (const rules::RuleResult& r : ev.results) {
      const rules::Rule& rule = *r.rule;
      if (!r.error.empty()) {
        JsonWriter w;
        w.BeginObject()
            .Field("rule", rule.name)
            .Field("trigger", p.trigger)
            .Field("error", r.error)
            .Field("file", rule.file)
            .Field("line", static_cast<int64_t>(rule.line))
            .EndObject();
        Append("rule.error", w.Take(), RuleActor(rule));
        continue;
      }
      if (!r.fired) continue;
      if (!fired_.insert({rule.name, p.trigger}).second) {
        LoopStopped(rule, p, "the rule already fired for this trigger in this run");
        continue;
      }
      JsonWriter w;
      w.BeginObject()
          .Field("rule", rule.name)
          .Field("trigger", p.trigger)
          .Field("condition", rule.condition)
          .Field("value", r.condition_value)
          .Key("actions")
          .BeginArray();
      for (const rules::Action& a : rule.actions) {
        w.BeginObject().Field(rules::ActionKindName(a.kind), a.value).EndObject();
      }
      w.EndArray().EndObject();
      Append("rule.fired", w.Take(), RuleActor(rule));
      for (size_t i = 0; i < rule.actions.size(); ++i) Apply(rule, rule.actions[i], i, p);
    }
  }

  void LoopStopped(const rules::Rule& rule, const Pending& p, std::string_view why) {
    JsonWriter w;
    w.BeginObject()
        .Field("rule", rule.name)
        .Field("trigger", p.trigger)
        .Field("depth", static_cast<int64_t>(p.depth))
        .Field("reason", why)
        .EndObject();
    Append("rule.loop_stopped", w.Take(), RuleActor(rule));
  }

  // Queues the rules of a lifecycle event an action caused, within the depth limit.
  void Cascade(const rules::Rule& rule, const Pending& p, std::string trigger) {
    if (p.depth + 1 >= rules::RuleEngine::kMaxDepth) {
      LoopStopped(rule, p,
                  "rule actions chained deeper than the limit of " +
                      std::to_string(rules::RuleEngine::kMaxDepth));
      return;
    }
    queue_.push_back({std::move(trigger), p.depth + 1});
  }

  void Append(std::string type, std::string payload, std::string actor) {
    t_.events.push_back({std::move(type), std::move(payload), std::move(actor)});
  }

  std::string Payload(const rules::Rule& rule, std::string_view key, std::string_view value) {
    JsonWriter w;
    w.BeginObject().Field(key, value).Field("rule", rule.name).EndObject();
    return w.Take();
  }

  std::string OutboxKey(const rules::Rule& rule, const Pending& p, size_t index) {
    return "order-" + t_.order_id.ToString() + ":v" + std::to_string(t_.expected_version) + ":" +
           p.trigger + ":" + rule.name + ":" + std::to_string(index);
  }

  void Apply(const rules::Rule& rule, const rules::Action& a, size_t index, const Pending& p) {
    const std::string actor = RuleActor(rule);
    switch (a.kind) {
      case ActionKind::kAddTag:
        if (std::find(order_.tags.begin(), order_.tags.end(), a.value) == order_.tags.end()) {
          order_.tags.push_back(a.value);
          order_changed_ = true;
          Append("order.tag_added", Payload(rule, "tag", a.value), actor);
        }
        return;
      case ActionKind::kRemoveTag: {
        auto it = std::find(order_.tags.begin(), order_.tags.end(), a.value);
        if (it != order_.tags.end()) {
          order_.tags.erase(it);
          order_changed_ = true;
          Append("order.tag_removed", Payload(rule, "tag", a.value), actor);
        }
        return;
      }
      case ActionKind::kSetPriority:
        t_.priority = a.value;
        Append("order.priority_set", Payload(rule, "priority", a.value), actor);
        return;
      case ActionKind::kSetShippingSpeed:
        t_.shipping_speed = a.value;
        Append("order.shipping_speed_set", Payload(rule, "shipping_speed", a.value), actor);
        return;
      case ActionKind::kSetNote:
        order_.note = a.value;
        order_changed_ = true;
        Append("order.note_set", Payload(rule, "note", a.value), actor);
        return;
      case ActionKind::kRouteTo:
        t_.route_location = a.value;
        Append("order.route_override", Payload(rule, "location", a.value), actor);
        return;
      case ActionKind::kChooseService:
        t_.carrier_service = a.value;
        Append("order.carrier_override", Payload(rule, "service", a.value), actor);
        return;
      case ActionKind::kHold:
        Hold(rule, a, p, "rule_hold", a.value);
        return;
      case ActionKind::kReleaseHold:
        if (t_.new_state != store::OrderState::kHeld) return;
        t_.new_state = store::OrderState::kAccepted;
        t_.review.reset();
        Append("order.hold_released", Payload(rule, "reason", a.value), actor);
        Append("order.accepted", Payload(rule, "reason", a.value), actor);
        Cascade(rule, p, "order.accepted");
        return;
      case ActionKind::kCancel:
        if (t_.new_state == store::OrderState::kCancelled ||
            t_.new_state == store::OrderState::kRejected) {
          return;
        }
        {
          static const review::AutonomyPolicy kDefaults;
          const review::AutonomyPolicy& policy = in_.autonomy ? *in_.autonomy : kDefaults;
          review::PolicyOutcome v =
              policy.Decide("cancel_order", /*confidence=*/1.0, order_.totals.total);
          if (v.verdict == review::Verdict::kSkip) {
            JsonWriter w;
            w.BeginObject().Field("rule", rule.name).Field("reason", a.value);
            w.Field("policy", v.why).EndObject();
            Append("order.cancel_not_taken", w.Take(), actor);
            return;
          }
          if (v.verdict == review::Verdict::kApply) {
            const std::string reason = "cancelled by rule " + rule.name + ": " + a.value;
            JsonWriter w;
            w.BeginObject().Field("rule", rule.name).Field("reason", a.value);
            w.Field("automatic", true).Field("policy", v.why).EndObject();
            std::string payload = w.Take();
            t_.new_state = store::OrderState::kCancelled;
            t_.review.reset();
            store::OrderTransition::ReviewRequest applied{"cancel_order", reason, payload};
            applied.proposal = "cancel the order";
            applied.rule = rule.name;
            applied.applied = true;
            t_.applied.push_back(std::move(applied));
            Append("order.cancelled", std::move(payload), actor);
            Cascade(rule, p, "order.cancelled");
            return;
          }
          Append("order.cancel_proposed", Payload(rule, "reason", a.value), actor);
          Hold(rule, a, p, "cancel_order", "cancel proposed by rule " + rule.name + ": " + a.value);
        }
        return;
      case ActionKind::kNotify:
      case ActionKind::kCallWebhook: {
        bool webhook = a.kind == ActionKind::kCallWebhook;
        JsonWriter w;
        w.BeginObject()
            .Field("event", p.trigger)
            .Field("rule", rule.name)
            .Field("order_id", t_.order_id.value())
            .Field("order_number", order_.number)
            .Field("shop", order_.shop);
        for (const auto& [k, v] : a.args) w.Field(k, v);
        w.EndObject();
        store::OutboxMessage m{webhook ? "webhook" : "notification", a.value, w.Take(),
                               OutboxKey(rule, p, index)};
        JsonWriter e;
        e.BeginObject()
            .Field(webhook ? "url" : "template", a.value)
            .Field("idempotency_key", m.idempotency_key)
            .Field("rule", rule.name)
            .EndObject();
        Append(webhook ? "webhook.requested" : "notification.requested", e.Take(), actor);
        t_.outbox.push_back(std::move(m));
        return;
      }
    }
  }

  void Hold(const rules::Rule& rule, const rules::Action& a, const Pending& p,
            std::string_view kind, const std::string& reason) {
    const std::string actor = RuleActor(rule);
    if (t_.new_state == store::OrderState::kHeld) {
      // Already held (by validation or an earlier rule): add the reason to the open item.
      if (t_.review) t_.review->reason += "; " + reason;
      Append("order.hold_reason_added", Payload(rule, "reason", reason), actor);
      return;
    }
    if (t_.new_state == store::OrderState::kCancelled ||
        t_.new_state == store::OrderState::kRejected) {
      return;
    }
    t_.new_state = store::OrderState::kHeld;
    JsonWriter w;
    w.BeginObject()
        .Field("decision", "hold")
        .Field("confidence", 1.0)
        .Field("rule", rule.name)
        .Key("reasons")
        .BeginArray()
        .String(reason)
        .EndArray()
        .EndObject();
    std::string payload = w.Take();
    Append("order.held", payload, actor);
    t_.review = store::OrderTransition::ReviewRequest{std::string(kind), reason, payload};
    t_.review->rule = rule.name;
    t_.review->proposal = kind == "cancel_order" ? "cancel the order" : "release the order";
    Cascade(rule, p, "order.held");
  }

  const RuleRunInput& in_;
  Order& order_;
  Timestamp now_;
  store::OrderTransition& t_;
  std::deque<Pending> queue_;
  std::set<std::pair<std::string, std::string>> fired_;
  bool order_changed_ = false;
};

}  // namespace

bool IsTrigger(std::string_view event_type) {
  const auto& known = rules::KnownTriggers();
  return std::find(known.begin(), known.end(), event_type) != known.end();
}

std::string TriggerForEvent(std::string_view event_type) {
  if (event_type == "refund.created" || event_type == "order.refunded") return "refund.issued";
  return IsTrigger(event_type) ? std::string(event_type) : std::string();
}

void RunRules(const RuleRunInput& in, const std::vector<std::string>& triggers, Order& order,
              Timestamp now, store::OrderTransition& t) {
  RuleRun run(in, order, now, t);
  run.Run(triggers);
}

}  // namespace orderpilot::pipeline
