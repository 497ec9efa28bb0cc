#include "store/store.h"

#include <array>
#include <utility>

namespace orderpilot::store {
namespace {

constexpr std::array<std::pair<OrderState, std::string_view>, 6> kOrderStates = {{
    {OrderState::kReceived, "received"},
    {OrderState::kValidated, "validated"},
    {OrderState::kAccepted, "accepted"},
    {OrderState::kHeld, "held"},
    {OrderState::kRejected, "rejected"},
    {OrderState::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<ReviewStatus, std::string_view>, 3> kReviewStatuses = {{
    {ReviewStatus::kOpen, "open"},
    {ReviewStatus::kApproved, "approved"},
    {ReviewStatus::kRejected, "rejected"},
}};

}  // namespace

std::string_view OrderStateName(OrderState s) {
  for (const auto& [state, name] : kOrderStates) {
    if (state == s) return name;
  }
  return "unknown";
}

std::optional<OrderState> ParseOrderState(std::string_view name) {
  for (const auto& [state, n] : kOrderStates) {
    if (n == name) return state;
  }
  return std::nullopt;
}

std::string_view ReviewStatusName(ReviewStatus s) {
  for (const auto& [status, name] : kReviewStatuses) {
    if (status == s) return name;
  }
  return "unknown";
}

std::optional<ReviewStatus> ParseReviewStatus(std::string_view name) {
  for (const auto& [status, n] : kReviewStatuses) {
    if (n == name) return status;
  }
  return std::nullopt;
}

std::string OrderStream(OrderId id) { return "order-" + id.ToString(); }

}  // namespace orderpilot::store
