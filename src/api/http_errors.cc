#include "api/http_errors.h"

#include <spdlog/spdlog.h>

namespace orderpilot::api {

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnprocessable:
      return 422;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return s.field() == "body" ? 413 : 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Status& s) {
  HttpResponse r;
  r.status = HttpStatusFor(s);
  std::string message = s.message();
  if (s.code() == StatusCode::kInternal) {
    spdlog::error("internal error: {}", s.message());
    message = "internal error; the server log has the details";
  }
  r.body = JsonError(StatusCodeName(s.code()), message, s.field());
  if (s.code() == StatusCode::kUnauthenticated)
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace orderpilot::api
