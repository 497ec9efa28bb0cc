// api/http_errors.h — the one table from Status to HTTP status and JSON error body.
//
// Every error body has the shape {"error":{"code","message","field"}}. Messages are the Status
// message: they never carry stack traces or internal paths (InternalError messages are replaced
// by a generic sentence; the detail goes to the log).
#pragma once

#include "api/http_server.h"
#include "core/status.h"

namespace orderpilot::api {

// The HTTP status for a Status code (InvalidArgument 400, Unprocessable 422, Unauthenticated 401,
// PermissionDenied 403, NotFound 404, AlreadyExists/FailedPrecondition/Aborted 409,
// ResourceExhausted 413 when it names "body" else 429, Unavailable 503, Internal 500).
int HttpStatusFor(const Status& status);
// A complete error response for a non-OK Status.
HttpResponse ErrorResponse(const Status& status);

}  // namespace orderpilot::api
