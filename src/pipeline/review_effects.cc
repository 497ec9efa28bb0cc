#include "pipeline/review_effects.h"

#include "core/json_dom.h"
#include "core/order_json.h"

namespace orderpilot::pipeline {

Result<store::ReviewDecision> PrepareReviewDecision(store::Store& store, store::ReviewDecision d) {
  if (!d.approve) return d;
  OP_ASSIGN_OR_RETURN(store::ReviewRecord review, store.GetReview(d.review_id));
  if (review.kind != "substitute_sku" || review.status != store::ReviewStatus::kOpen) return d;
  OP_ASSIGN_OR_RETURN(simdjson::dom::object obj, json_dom::ParseObject(review.detail_json));
  json_dom::ObjectReader detail(obj, "");
  // Copies: the detail's parser is the thread's, and DecodeOrder below reuses it.
  OP_ASSIGN_OR_RETURN(std::string_view sku_view, detail.RequiredString("sku"));
  OP_ASSIGN_OR_RETURN(std::string_view substitute_view, detail.RequiredString("substitute_sku"));
  const std::string sku(sku_view), substitute(substitute_view);
  OP_ASSIGN_OR_RETURN(std::string title, detail.String("substitute_title"));
  OP_ASSIGN_OR_RETURN(store::OrderRecord record, store.GetOrder(review.order_id));
  OP_ASSIGN_OR_RETURN(Order order, DecodeOrder(record.order_json));
  bool replaced = false;
  for (LineItem& li : order.line_items) {
    if (li.sku != sku) continue;
    li.sku = substitute;
    if (!title.empty()) li.title = title;
    li.variant_id.clear();  // the channel's variant was the original SKU's
    replaced = true;
  }
  if (!replaced) {
    return FailedPreconditionError("order " + review.order_id.ToString() + " has no line with " +
                                   sku + " any more; reject the proposal instead");
  }
  d.order_json = EncodeOrder(order);
  return d;
}

}  // namespace orderpilot::pipeline
