// api/request_json.h — small request bodies of the REST API (simdjson stays in the .cc).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot::api {

// Body of POST /v1/reviews/{id}/approve|reject: {"comment": "..."} (comment optional, at most
// 2000 characters). InvalidArgument (400) for bad JSON or a non-object; Unprocessable (422) for a
// comment that is not a string or too long.
Result<std::string> DecodeCommentBody(std::string_view body);

}  // namespace orderpilot::api
