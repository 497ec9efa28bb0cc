#include "store/store.h"

#include <array>
#include <utility>

namespace orderpilot::store {
namespace {

constexpr std::array<std::pair<OrderState, std::string_view>, 9> kOrderStates = {{
    {OrderState::kReceived, "received"},
    {OrderState::kValidated, "validated"},
    {OrderState::kAccepted, "accepted"},
    {OrderState::kHeld, "held"},
    {OrderState::kRejected, "rejected"},
    {OrderState::kCancelled, "cancelled"},
    {OrderState::kAllocated, "allocated"},
    {OrderState::kBackordered, "backordered"},
    {OrderState::kShipped, "shipped"},
}};

constexpr std::array<std::pair<ReviewStatus, std::string_view>, 4> kReviewStatuses = {{
    {ReviewStatus::kOpen, "open"},
    {ReviewStatus::kApproved, "approved"},
    {ReviewStatus::kRejected, "rejected"},
    {ReviewStatus::kAutoApplied, "auto_applied"},
}};

constexpr std::array<std::pair<ReservationState, std::string_view>, 3> kReservationStates = {{
    {ReservationState::kReserved, "reserved"},
    {ReservationState::kShipped, "shipped"},
    {ReservationState::kReleased, "released"},
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

std::string_view ReservationStateName(ReservationState s) {
  for (const auto& [state, name] : kReservationStates) {
    if (state == s) return name;
  }
  return "unknown";
}

std::optional<ReservationState> ParseReservationState(std::string_view name) {
  for (const auto& [state, n] : kReservationStates) {
    if (n == name) return state;
  }
  return std::nullopt;
}

std::string OrderStream(OrderId id) { return "order-" + id.ToString(); }

std::string SkuStream(std::string_view sku) {
  std::string stream = "sku-";
  stream.append(sku);
  return stream;
}

}  // namespace orderpilot::store
