// core/status.h — Status and Result<T>: how everything in orderpilot reports failure.
//
// A non-OK Status means the engine could not do what was asked. Errors in user content (a bad
// webhook field, a rule that divides by zero) are ordinary data carried in results, but at the
// edge they are turned into a Status so that one table maps them to HTTP (api/http_errors.h).
// Every Status may name the offending input field ("line_items[2].quantity") for error bodies.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace orderpilot {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input (400)
  kUnprocessable,       // well-formed input that breaks a domain rule (422)
  kUnauthenticated,     // missing or wrong credentials / signature (401)
  kPermissionDenied,    // (403)
  kNotFound,            // (404)
  kAlreadyExists,       // (409)
  kFailedPrecondition,  // state does not allow it (409)
  kAborted,             // concurrent change; retry (409)
  kResourceExhausted,   // size or rate limit (413 / 429)
  kUnavailable,         // shutting down, overloaded (503)
  kInternal,            // bug or storage failure (500)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input field the error is about, as a JSON path ("line_items[0].price"); may be empty.
  const std::string& field() const { return field_; }

  // "InvalidArgument: message (field)" — for logs and CLI messages.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

inline Status InvalidArgumentError(std::string msg, std::string field = {}) {
  return {StatusCode::kInvalidArgument, std::move(msg), std::move(field)};
}
inline Status UnprocessableError(std::string msg, std::string field = {}) {
  return {StatusCode::kUnprocessable, std::move(msg), std::move(field)};
}
inline Status UnauthenticatedError(std::string msg) {
  return {StatusCode::kUnauthenticated, std::move(msg)};
}
inline Status NotFoundError(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
inline Status AlreadyExistsError(std::string msg) {
  return {StatusCode::kAlreadyExists, std::move(msg)};
}
inline Status FailedPreconditionError(std::string msg) {
  return {StatusCode::kFailedPrecondition, std::move(msg)};
}
inline Status AbortedError(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }
inline Status ResourceExhaustedError(std::string msg, std::string field = {}) {
  return {StatusCode::kResourceExhausted, std::move(msg), std::move(field)};
}
inline Status UnavailableError(std::string msg) {
  return {StatusCode::kUnavailable, std::move(msg)};
}
inline Status InternalError(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace orderpilot

#define OP_STATUS_CONCAT_INNER(a, b) a##b
#define OP_STATUS_CONCAT(a, b) OP_STATUS_CONCAT_INNER(a, b)

#define OP_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::orderpilot::Status op_status_tmp_ = (expr);    \
    if (!op_status_tmp_.ok()) return op_status_tmp_; \
  } while (0)

#define OP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

#define OP_ASSIGN_OR_RETURN(lhs, expr) \
  OP_ASSIGN_OR_RETURN_IMPL(OP_STATUS_CONCAT(op_result_tmp_, __LINE__), lhs, expr)
