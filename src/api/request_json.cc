#include "api/request_json.h"

#include <simdjson.h>

namespace orderpilot::api {

Result<std::string> DecodeCommentBody(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root); err)
    return InvalidArgumentError(std::string("body is not valid JSON: ") +
                                simdjson::error_message(err));
  simdjson::dom::object obj;
  if (root.get(obj)) return InvalidArgumentError("body must be a JSON object");
  simdjson::dom::element comment;
  if (obj["comment"].get(comment)) return std::string();
  if (comment.is_null()) return std::string();
  std::string_view text;
  if (comment.get(text)) return UnprocessableError("comment must be a string", "comment");
  if (text.size() > 2000)
    return UnprocessableError("comment is longer than 2000 characters", "comment");
  return std::string(text);
}

namespace {

Result<simdjson::dom::object> ParseBodyObject(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root); err) {
    return InvalidArgumentError(std::string("body is not valid JSON: ") +
                                simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get(obj)) return InvalidArgumentError("body must be a JSON object");
  return obj;
}

// An optional string field of at most `max` bytes ("" when absent or null).
Result<std::string> OptionalString(simdjson::dom::object obj, std::string_view key,
                                   const std::string& field, size_t max) {
  simdjson::dom::element v;
  if (obj[key].get(v) || v.is_null()) return std::string();
  std::string_view text;
  if (v.get(text)) return UnprocessableError(field + " must be a string", field);
  if (text.size() > max) {
    return UnprocessableError(field + " is longer than " + std::to_string(max) + " characters",
                              field);
  }
  return std::string(text);
}

Status CheckReviewer(const std::string& reviewer) {
  for (unsigned char c : reviewer) {
    if (c < 0x20 || c == 0x7f) {
      return UnprocessableError("reviewer must not contain control characters", "reviewer");
    }
  }
  return Status::Ok();
}

constexpr std::string_view kAddressFields[] = {
    "first_name", "last_name",     "company", "address1",     "address2", "city",
    "province",   "province_code", "country", "country_code", "zip",      "phone"};

}  // namespace

Result<ReviewBody> DecodeReviewBody(std::string_view body) {
  ReviewBody out;
  if (body.empty()) return out;
  OP_ASSIGN_OR_RETURN(simdjson::dom::object obj, ParseBodyObject(body));
  for (auto field : obj) {
    if (field.key != "comment" && field.key != "reviewer" && field.key != "changes") {
      return UnprocessableError(
          "unknown field '" + std::string(field.key) + "' (comment, reviewer, changes)",
          std::string(field.key));
    }
  }
  OP_ASSIGN_OR_RETURN(out.comment, OptionalString(obj, "comment", "comment", 2000));
  OP_ASSIGN_OR_RETURN(out.reviewer, OptionalString(obj, "reviewer", "reviewer", 100));
  OP_RETURN_IF_ERROR(CheckReviewer(out.reviewer));
  simdjson::dom::element changes;
  if (obj["changes"].get(changes) || changes.is_null()) return out;
  simdjson::dom::object ch;
  if (changes.get(ch)) return UnprocessableError("changes must be an object", "changes");
  for (auto field : ch) {
    if (field.key == "substitute_sku") {
      std::string_view sku;
      if (field.value.get(sku) || sku.empty() || sku.size() > 100) {
        return UnprocessableError("changes.substitute_sku must be a SKU (1..100 characters)",
                                  "changes.substitute_sku");
      }
      out.substitute_sku = std::string(sku);
    } else if (field.key == "shipping_address") {
      simdjson::dom::object addr;
      if (field.value.get(addr)) {
        return UnprocessableError("changes.shipping_address must be an object",
                                  "changes.shipping_address");
      }
      for (auto a : addr) {
        const std::string name = "changes.shipping_address." + std::string(a.key);
        bool known = false;
        for (std::string_view k : kAddressFields) known = known || k == a.key;
        if (!known)
          return UnprocessableError("unknown address field '" + std::string(a.key) + "'", name);
        std::string_view text;
        if (a.value.get(text)) return UnprocessableError(name + " must be a string", name);
        if (text.size() > 255)
          return UnprocessableError(name + " is longer than 255 characters", name);
        out.shipping_address.emplace_back(std::string(a.key), std::string(text));
      }
    } else {
      return UnprocessableError(
          "unknown change '" + std::string(field.key) + "' (substitute_sku, shipping_address)",
          "changes." + std::string(field.key));
    }
  }
  return out;
}

Result<BulkDecisionBody> DecodeBulkDecisionBody(std::string_view body) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object obj, ParseBodyObject(body));
  BulkDecisionBody out;
  simdjson::dom::array ids;
  simdjson::dom::element v;
  if (obj["ids"].get(v)) return UnprocessableError("ids is required", "ids");
  if (v.get(ids)) return UnprocessableError("ids must be an array of review ids", "ids");
  for (auto id : ids) {
    int64_t n = 0;
    if (id.get(n) || n <= 0) return UnprocessableError("ids must hold positive integers", "ids");
    out.ids.push_back(n);
  }
  if (out.ids.empty() || out.ids.size() > 500) {
    return UnprocessableError("ids must hold 1 to 500 review ids", "ids");
  }
  OP_ASSIGN_OR_RETURN(std::string decision, OptionalString(obj, "decision", "decision", 20));
  if (decision != "approve" && decision != "reject") {
    return UnprocessableError("decision must be \"approve\" or \"reject\"", "decision");
  }
  out.approve = decision == "approve";
  OP_ASSIGN_OR_RETURN(out.comment, OptionalString(obj, "comment", "comment", 2000));
  OP_ASSIGN_OR_RETURN(out.reviewer, OptionalString(obj, "reviewer", "reviewer", 100));
  OP_RETURN_IF_ERROR(CheckReviewer(out.reviewer));
  return out;
}

}  // namespace orderpilot::api
