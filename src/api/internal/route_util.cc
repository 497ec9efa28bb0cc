#include "api/internal/route_util.h"

#include <charconv>

namespace orderpilot::api::internal {

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Result<int64_t> ParseId(std::string_view text, const char* field) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v <= 0)
    return InvalidArgumentError("'" + std::string(text.substr(0, 32)) + "' is not a valid id",
                                field);
  return v;
}

Result<ListParams> ParseListParams(const HttpRequest& req, int default_limit, int max_limit) {
  ListParams p;
  p.limit = default_limit;
  if (auto limit = req.Query("limit")) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || ptr != limit->data() + limit->size() || v < 1 || v > max_limit)
      return InvalidArgumentError("limit must be an integer from 1 to " + std::to_string(max_limit),
                                  "limit");
    p.limit = v;
  }
  if (auto cursor = req.Query("cursor"); cursor && !cursor->empty()) {
    OP_ASSIGN_OR_RETURN(int64_t c, ParseId(*cursor, "cursor"));
    p.cursor = c;
  }
  return p;
}

void WriteNextCursor(JsonWriter& w, const std::optional<int64_t>& next) {
  w.Key("next_cursor");
  if (next) {
    w.String(std::to_string(*next));
  } else {
    w.Null();
  }
}

}  // namespace orderpilot::api::internal
