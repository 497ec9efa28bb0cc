#include "pipeline/review_effects.h"

#include "core/json_dom.h"
#include "core/order_json.h"

namespace orderpilot::pipeline {

bool SubstituteSku(Order& order, std::string_view sku, std::string_view substitute,
                   std::string_view title) {
  bool replaced = false;
  for (LineItem& li : order.line_items) {
    if (li.sku != sku) continue;
    li.sku = std::string(substitute);
    if (!title.empty()) li.title = std::string(title);
    li.variant_id.clear();  // the channel's variant was the original SKU's
    replaced = true;
  }
  return replaced;
}

namespace {

// The address field `name` of `a`, or null for an unknown name.
std::string* AddressField(Address& a, std::string_view name) {
  if (name == "first_name") return &a.first_name;
  if (name == "last_name") return &a.last_name;
  if (name == "company") return &a.company;
  if (name == "address1") return &a.address1;
  if (name == "address2") return &a.address2;
  if (name == "city") return &a.city;
  if (name == "province") return &a.province;
  if (name == "province_code") return &a.province_code;
  if (name == "country") return &a.country;
  if (name == "country_code") return &a.country_code;
  if (name == "zip") return &a.zip;
  if (name == "phone") return &a.phone;
  return nullptr;
}

}  // namespace

Result<store::ReviewDecision> PrepareReviewDecision(store::Store& store, store::ReviewDecision d,
                                                    const ReviewChanges& changes) {
  if (!changes.empty() && !d.approve) {
    return InvalidArgumentError("changes can only come with an approval", "changes");
  }
  if (!d.approve) return d;
  OP_ASSIGN_OR_RETURN(store::ReviewRecord review, store.GetReview(d.review_id));
  if (review.status != store::ReviewStatus::kOpen) return d;  // the store explains
  const bool substitute = review.kind == "substitute_sku";
  if (changes.substitute_sku && !substitute) {
    return InvalidArgumentError("changes.substitute_sku applies only to substitute_sku items",
                                "changes.substitute_sku");
  }
  if (!substitute && changes.empty()) return d;
  OP_ASSIGN_OR_RETURN(store::OrderRecord record, store.GetOrder(review.order_id));
  std::string sku, proposed, title;
  if (substitute) {
    OP_ASSIGN_OR_RETURN(simdjson::dom::object obj, json_dom::ParseObject(review.detail_json));
    json_dom::ObjectReader detail(obj, "");
    // Copies: the detail's parser is the thread's, and DecodeOrder below reuses it.
    OP_ASSIGN_OR_RETURN(std::string_view sku_view, detail.RequiredString("sku"));
    OP_ASSIGN_OR_RETURN(std::string_view proposed_view, detail.RequiredString("substitute_sku"));
    sku = std::string(sku_view);
    proposed = std::string(proposed_view);
    OP_ASSIGN_OR_RETURN(title, detail.String("substitute_title"));
  }
  OP_ASSIGN_OR_RETURN(Order order, DecodeOrder(record.order_json));
  std::string changed;
  if (substitute) {
    std::string chosen = changes.substitute_sku ? *changes.substitute_sku : proposed;
    if (chosen != proposed) {
      title.clear();  // the proposal's title was the proposed SKU's
      changed += "substitute_sku=" + chosen;
    }
    if (!SubstituteSku(order, sku, chosen, title)) {
      return FailedPreconditionError("order " + review.order_id.ToString() + " has no line with " +
                                     sku + " any more; reject the proposal instead");
    }
  }
  if (!changes.shipping_address.empty()) {
    if (!order.shipping_address) order.shipping_address.emplace();
    for (const auto& [name, value] : changes.shipping_address) {
      std::string* field = AddressField(*order.shipping_address, name);
      if (!field) {
        return InvalidArgumentError("unknown address field '" + name + "'",
                                    "changes.shipping_address." + name);
      }
      *field = value;
      changed += (changed.empty() ? "" : ", ") + std::string("shipping_address.") + name;
    }
  }
  d.order_json = EncodeOrder(order);
  if (!changed.empty()) {
    d.modified = true;
    d.comment += (d.comment.empty() ? "" : " ") + std::string("[changed: ") + changed + "]";
  }
  return d;
}

}  // namespace orderpilot::pipeline
