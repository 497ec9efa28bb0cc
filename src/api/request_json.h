// api/request_json.h — small request bodies of the REST API (simdjson stays in the .cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orderpilot::api {

// Body of POST /v1/reviews/{id}/approve|reject: {"comment": "..."} (comment optional, at most
// 2000 characters). InvalidArgument (400) for bad JSON or a non-object; Unprocessable (422) for a
// comment that is not a string or too long.
Result<std::string> DecodeCommentBody(std::string_view body);

// Body of POST /v1/reviews/{id}/approve|reject|claim|release|reverse (all fields optional):
// {"comment": "...", "reviewer": "alice", "changes": {"substitute_sku": "MUG-BLUE",
// "shipping_address": {"zip": "10001", …}}}. `reviewer` names the person when several share an
// API key (1..100 printable characters; default: the key's name). `changes` turns an approval
// into modify-and-approve. InvalidArgument (400) for bad JSON; Unprocessable (422) naming the
// field for a wrong type, an unknown key or a value too long.
struct ReviewBody {
  std::string comment;
  std::string reviewer;
  std::optional<std::string> substitute_sku;
  std::vector<std::pair<std::string, std::string>> shipping_address;  // field → new value
  bool has_changes() const { return substitute_sku || !shipping_address.empty(); }
};
Result<ReviewBody> DecodeReviewBody(std::string_view body);

// Body of POST /v1/reviews/decide: {"ids": [1, 2, …] (1..500), "decision": "approve"|"reject",
// "comment"?, "reviewer"?}.
struct BulkDecisionBody {
  std::vector<int64_t> ids;
  bool approve = false;
  std::string comment;
  std::string reviewer;
};
Result<BulkDecisionBody> DecodeBulkDecisionBody(std::string_view body);

}  // namespace orderpilot::api
