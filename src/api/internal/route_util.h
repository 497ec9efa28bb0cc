// api/internal/route_util.h — small pieces every route handler of ApiService shares: JSON
// responses, ids from the path, list parameters and the next-page cursor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "core/json_writer.h"
#include "core/status.h"

namespace orderpilot::api::internal {

// A response with a JSON body.
HttpResponse Json(int status, std::string body);

// A positive integer id; InvalidArgument naming `field` otherwise.
Result<int64_t> ParseId(std::string_view text, const char* field);

struct ListParams {
  int limit = 50;
  std::optional<int64_t> cursor;
};

// `limit` (1..max_limit; `default_limit` when absent) and `cursor` (a positive id) from the
// query; InvalidArgument naming the parameter.
Result<ListParams> ParseListParams(const HttpRequest& req, int default_limit = 50,
                                   int max_limit = 500);

// "next_cursor": the cursor of the next page as a string, or null on the last page.
void WriteNextCursor(JsonWriter& w, const std::optional<int64_t>& next);

}  // namespace orderpilot::api::internal
