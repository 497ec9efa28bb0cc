// core/ids.h — strong id types, so an OrderId can never be passed where a ReviewId is expected.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace orderpilot {

template <typename Tag>
class StrongId {
 public:
  constexpr StrongId() = default;
  constexpr explicit StrongId(int64_t v) : v_(v) {}
  constexpr int64_t value() const { return v_; }
  constexpr bool valid() const { return v_ > 0; }
  std::string ToString() const { return std::to_string(v_); }
  friend constexpr bool operator==(StrongId a, StrongId b) { return a.v_ == b.v_; }
  friend constexpr bool operator<(StrongId a, StrongId b) { return a.v_ < b.v_; }

 private:
  int64_t v_ = 0;
};

using OrderId = StrongId<struct OrderIdTag>;    // orders.id: our own id, stable across channels
using ReviewId = StrongId<struct ReviewIdTag>;  // reviews.id
using EventSeq = StrongId<struct EventSeqTag>;  // events.seq: global order of the event log

}  // namespace orderpilot

template <typename Tag>
struct std::hash<orderpilot::StrongId<Tag>> {
  size_t operator()(orderpilot::StrongId<Tag> id) const noexcept {
    return std::hash<int64_t>()(id.value());
  }
};
