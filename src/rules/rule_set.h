// rules/rule_set.h — automation rules: "when <trigger> happens and <condition> holds, do
// <actions>".
//
// Rules come from YAML files (format in docs/rules.md):
//   - name: vip-expedite
//     on: order.accepted
//     when: 'customer.tags.exists(t, t == "VIP") && order.total > money("500.00", order.currency)'
//     do:
//       - add_tag: priority
//       - set_shipping_speed: express
// A RuleSet is compiled as a whole: any error in any file refuses the whole set (so a reload
// with a bad file keeps the old rules running). Rule order is the order of the files as
// configured, then the order inside each file; names are unique across the set.
//
// Thread-safety: a RuleSet is immutable once built; share it through shared_ptr<const RuleSet>.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "expr/program.h"
#include "rules/order_env.h"

namespace orderpilot::rules {

// The lifecycle events rules can react to. Triggers of later issues are accepted now and fire
// once their events exist.
const std::vector<std::string_view>& KnownTriggers();

enum class ActionKind {
  kAddTag,            // add_tag: priority
  kRemoveTag,         // remove_tag: priority
  kSetPriority,       // set_priority: high
  kSetShippingSpeed,  // set_shipping_speed: express
  kSetNote,           // set_note: "Gift wrap"
  kHold,              // hold: "reason shown to the reviewer"
  kReleaseHold,       // release_hold: "reason"
  kCancel,            // cancel: "reason" (through review unless autonomy allows)
  kRouteTo,           // route_to: reno-warehouse
  kChooseService,     // choose_service: ups-ground
  kNotify,            // notify: {template: vip-thanks, to: customer}
  kCallWebhook,       // call_webhook: {url: https://…, template?: …}
};
std::string_view ActionKindName(ActionKind k);  // the YAML key

struct Action {
  ActionKind kind;
  std::string value;  // tag, field value, reason, location, template (notify), url (webhook)
  // notify / call_webhook: the options other than `value` (template or url), in file order:
  // {"to", "customer"} for notify, {"template", "…"} for call_webhook.
  std::vector<std::pair<std::string, std::string>> args;
};

struct Rule {
  std::string name;
  std::string trigger;                     // "order.accepted"
  std::string condition;                   // CEL source; empty = always
  std::unique_ptr<expr::Program> program;  // null when condition is empty
  std::vector<Action> actions;
  std::string description;  // free text from the file; may be empty
  std::string file;         // where it was defined, for messages
  int line = 0;
};

class RuleSet {
 public:
  RuleSet() = default;
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  const std::vector<Rule>& rules() const { return rules_; }
  // Rules for one trigger, in rule order.
  std::vector<const Rule*> ForTrigger(std::string_view trigger) const;
  const std::vector<std::string>& files() const { return files_; }

 private:
  friend Result<std::shared_ptr<const RuleSet>> LoadRuleSet(const std::vector<std::string>&,
                                                            const OrderEnv&);
  friend Result<std::shared_ptr<const RuleSet>> ParseRuleSet(std::string_view, std::string_view,
                                                             const OrderEnv&);
  std::vector<Rule> rules_;
  std::vector<std::string> files_;
};

// Reads and compiles every file. On any problem returns InvalidArgument whose message lists every
// error as "file:line:column: message" lines (up to 20), with `field` = the first file.
Result<std::shared_ptr<const RuleSet>> LoadRuleSet(const std::vector<std::string>& files,
                                                   const OrderEnv& env);
// The same for one YAML text (tests, `rules check` on stdin).
Result<std::shared_ptr<const RuleSet>> ParseRuleSet(std::string_view yaml,
                                                    std::string_view file_name,
                                                    const OrderEnv& env);

}  // namespace orderpilot::rules
