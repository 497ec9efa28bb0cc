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

}  // namespace orderpilot::api
