// risk/history.h — what the fraud screen remembers about recent orders: sliding-window counts
// per email, device, IP, card BIN and shipping address, and per customer and per shop the count
// and value of earlier orders.
//
// Invariants:
//   - No raw email, IP, card BIN, device or address text is kept: every key is a 64-bit hash of
//     its kind and normalised text (KeysOf). By default an unkeyed FNV-1a then a 64-bit mixer
//     (tests, training, evaluation); given a KeyHasher (the server: privacy::Keyring::
//     BlindIndex64, keyed BLAKE2b under the blind-index key) a keyed one, so the keys in memory
//     cannot be matched to emails, IPs or addresses by hashing guesses without that key. Two
//     different values may collide with probability ~n²/2⁶⁵: negligible for millions of keys.
//   - One history uses one hasher: it is fixed before the first order is observed, so the keys of
//     two hashers never meet.
//   - Windows are relative to the orders' created_at, never the wall clock: replaying a history
//     in created_at order through a fresh RiskHistory gives exactly the views live scoring gave
//     (when live orders also arrived in created_at order).
//   - Memory is bounded: velocity lists drop entries 24 h older than the newest order seen;
//     per-customer and per-shop tallies are capped (RiskHistoryOptions) by forgetting the least
//     recently seen.
//
// Thread-safety: RiskHistory is safe to use from any number of threads (one internal mutex;
// Observe takes a few microseconds under it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/order.h"
#include "core/status.h"

namespace orderpilot::risk {

// What velocity is counted per. Keys (before hashing):
//   kEmail    the order's email, else the customer's, trimmed and lower-cased
//   kDevice   client.session_hash when set, else user_agent + "|" + accept_language (none when
//             both are empty)
//   kIp       client.browser_ip, trimmed
//   kBin      payment.card_bin, trimmed
//   kAddress  the shipping address's country code + zip + address1, lower-cased with runs of
//             spaces collapsed (none without a shipping address or when all three are empty)
enum class KeyKind : uint8_t { kEmail, kDevice, kIp, kBin, kAddress };
inline constexpr int kKeyKindCount = 5;
std::string_view KeyKindName(KeyKind kind);  // "email", "device", "ip", "bin", "address"

// Sliding windows. An earlier order at time e is inside the window of length w of an order at
// time t when t − w < e ≤ t: one exactly 10 min older is *outside* the 10 min window; one at the
// same instant is inside.
enum class Window : uint8_t { k10m, k1h, k24h };
inline constexpr int kWindowCount = 3;
inline constexpr std::array<int64_t, kWindowCount> kWindowMicros = {
    int64_t{10} * 60 * 1000000, int64_t{3600} * 1000000, int64_t{24} * 3600 * 1000000};
std::string_view WindowName(Window window);  // "10m", "1h", "24h"

// Hashes one key: `kind` says what it is, `normalised` is its text. Must be deterministic and
// callable from any number of threads at once. The kinds and their texts:
//   "risk:" + KeyKindName  the KeyKind's text above ("risk:email", …, "risk:address"; the
//                          address's three normalised parts joined by \x1f)
//   "risk:customer"        channel \0 shop \0 the channel's customer id (trimmed)
//   "risk:customer-email"  the normalised email (a customer without a channel customer id)
//   "risk:shop"            channel \0 shop \0 currency code
// KeysOf never calls it with an empty text (it makes no key instead) nor with another kind.
using KeyHasher = std::function<uint64_t(std::string_view kind, std::string_view normalised)>;
// The default hasher: FNV-1a over kind, 0xff and the text, then splitmix64's finaliser. Unkeyed:
// anyone can recompute it, so it protects nothing against a guess.
uint64_t FnvKeyHash(std::string_view kind, std::string_view normalised);

// An order's hashed keys.
struct OrderKeys {
  std::array<std::optional<uint64_t>, kKeyKindCount> velocity;  // by KeyKind; nullopt = no key
  // The customer: the channel's customer id (with channel and shop) when there is one, else the
  // email key; nullopt for a guest without email.
  std::optional<uint64_t> customer;
  uint64_t shop = 0;  // channel + shop + currency: shop averages never mix currencies
};
// `hasher` empty: FnvKeyHash.
OrderKeys KeysOf(const Order& order, const KeyHasher& hasher = nullptr);

// What RiskHistory knew when it first observed an order.
struct HistoryView {
  // velocity[kind][window]: orders with this order's key of that kind inside the window ending
  // at this order's created_at, this order included (so ≥ 1); 0 when the order has no such key
  // (then has_key[kind] is false).
  std::array<std::array<int32_t, kWindowCount>, kKeyKindCount> velocity{};
  std::array<bool, kKeyKindCount> has_key{};
  // Earlier orders of this customer observed by this history (any time, not only 24 h) and the
  // sum of their totals in minor units. Currencies are assumed the same for one customer: the
  // sum adds minor units as they come.
  bool has_customer = false;
  int64_t customer_orders = 0;
  int64_t customer_total_minor = 0;
  // Earlier orders of this shop in this currency, and the sum of their totals in minor units.
  int64_t shop_orders = 0;
  int64_t shop_total_minor = 0;

  int32_t Velocity(KeyKind kind, Window window) const {
    return velocity[static_cast<int>(kind)][static_cast<int>(window)];
  }
};

struct RiskHistoryOptions {
  // Customers whose tallies are kept; beyond this the least recently seen are forgotten (their
  // next order looks like a first one). ~64 bytes each. Default: 1,000,000.
  size_t max_customers = 1'000'000;
  // (shop, currency) pairs whose tallies are kept. Default: 10,000.
  size_t max_shops = 10'000;
};

class RiskHistory {
 public:
  explicit RiskHistory(RiskHistoryOptions options = {});
  RiskHistory(const RiskHistory&) = delete;
  RiskHistory& operator=(const RiskHistory&) = delete;

  // Hashes keys with `hasher` (empty: FnvKeyHash) from now on. FailedPrecondition (nothing
  // changed) once an order was observed: keys of two hashers must not meet in one history.
  // REQUIRES: no Observe running at the same time (call it before sharing the history).
  Status SetKeyHasher(KeyHasher hasher);

  // Computes the order's view (window counts including this order; customer and shop figures
  // from orders observed before it), then records the order. Idempotent per `order_key`: a
  // second Observe of the same key returns the first view and records nothing, for as long as
  // the first observation is inside the 24 h horizon (the pipeline may plan an order twice).
  // "Earlier" means observed before; an order arriving more than 24 h behind the newest one seen
  // finds the velocity entries of its time already dropped.
  HistoryView Observe(const Order& order, uint64_t order_key);

  // Rough bytes held (containers' nodes, buckets and arrays).
  size_t MemoryBytes() const;
  // Orders remembered for idempotency (those within 24 h of the newest).
  size_t TrackedOrders() const;

 private:
  struct Entry {
    int64_t micros;
    uint64_t order_key;
  };
  // Time-sorted; entries before `head` are dropped (compacted lazily).
  struct TimeList {
    std::vector<Entry> entries;
    size_t head = 0;
  };
  struct Tally {
    int64_t count = 0;
    int64_t sum_minor = 0;
    int64_t last_seen_micros = std::numeric_limits<int64_t>::min();
  };
  struct Seen {
    int64_t micros;
    HistoryView view;
  };

  void PruneList(TimeList& list, int64_t cutoff);  // REQUIRES: mu_ held
  void Sweep();                                    // REQUIRES: mu_ held
  static void EvictTallies(std::unordered_map<uint64_t, Tally>& tallies, size_t max);

  const RiskHistoryOptions options_;
  KeyHasher hasher_;  // read without mu_ by Observe: set only before the first one
  mutable std::mutex mu_;
  std::array<std::unordered_map<uint64_t, TimeList>, kKeyKindCount> lists_;  // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, Tally> customers_;                            // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, Tally> shops_;                                // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, Seen> seen_;                                  // GUARDED_BY(mu_)
  int64_t newest_micros_ = std::numeric_limits<int64_t>::min();              // GUARDED_BY(mu_)
  uint64_t observes_since_sweep_ = 0;                                        // GUARDED_BY(mu_)
};

}  // namespace orderpilot::risk
