#include "risk/history.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

namespace orderpilot::risk {
namespace {

constexpr int64_t kHorizonMicros = kWindowMicros[kWindowCount - 1];
// Every this many observations the whole history is swept (stale keys, idempotency entries,
// tally caps); in between only the lists an order touches are pruned.
constexpr uint64_t kSweepEvery = 4096;

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// The hasher's kinds, by KeyKind.
constexpr std::array<std::string_view, kKeyKindCount> kVelocityKinds = {
    "risk:email", "risk:device", "risk:ip", "risk:bin", "risk:address"};
constexpr std::string_view kCustomerKind = "risk:customer";
constexpr std::string_view kCustomerEmailKind = "risk:customer-email";
constexpr std::string_view kShopKind = "risk:shop";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Lower-cased (ASCII letters; other bytes, UTF-8 included, as they are), trimmed, runs of white
// space collapsed to one space.
void AppendNormalised(std::string& out, std::string_view s) {
  s = Trim(s);
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);  // ASCII only
  }
}

// channel \0 shop \0 `last` into `out` (cleared first).
void JoinShopKey(std::string& out, const Order& order, std::string_view last) {
  out.clear();
  out.append(order.channel).push_back('\0');
  out.append(order.shop).push_back('\0');
  out.append(last);
}

}  // namespace

uint64_t FnvKeyHash(std::string_view kind, std::string_view normalised) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto add = [&h](uint8_t b) {
    h ^= b;
    h *= 0x100000001b3ull;
  };
  for (char c : kind) add(static_cast<uint8_t>(c));
  add(0xff);  // never a byte of a kind (ASCII)
  for (char c : normalised) add(static_cast<uint8_t>(c));
  return Mix(h);
}

std::string_view KeyKindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kEmail:
      return "email";
    case KeyKind::kDevice:
      return "device";
    case KeyKind::kIp:
      return "ip";
    case KeyKind::kBin:
      return "bin";
    case KeyKind::kAddress:
      return "address";
  }
  return "?";
}

std::string_view WindowName(Window window) {
  switch (window) {
    case Window::k10m:
      return "10m";
    case Window::k1h:
      return "1h";
    case Window::k24h:
      return "24h";
  }
  return "?";
}

OrderKeys KeysOf(const Order& order, const KeyHasher& hasher) {
  auto hash = [&hasher](std::string_view kind, std::string_view text) {
    return hasher ? hasher(kind, text) : FnvKeyHash(kind, text);
  };
  OrderKeys keys;
  auto set = [&](KeyKind kind, std::string_view text) {
    if (!text.empty()) {
      keys.velocity[static_cast<int>(kind)] = hash(kVelocityKinds[static_cast<int>(kind)], text);
    }
  };

  std::string email;
  AppendNormalised(email, Trim(order.email).empty() ? order.customer.email : order.email);
  set(KeyKind::kEmail, email);

  const ClientDetails& client = order.client;
  if (!Trim(client.session_hash).empty()) {
    set(KeyKind::kDevice, Trim(client.session_hash));
  } else if (!client.user_agent.empty() || !client.accept_language.empty()) {
    set(KeyKind::kDevice, client.user_agent + "|" + client.accept_language);
  }
  set(KeyKind::kIp, Trim(client.browser_ip));
  set(KeyKind::kBin, Trim(order.payment.card_bin));

  if (order.shipping_address) {
    const Address& a = *order.shipping_address;
    if (!Trim(a.country_code).empty() || !Trim(a.zip).empty() || !Trim(a.address1).empty()) {
      std::string text;
      AppendNormalised(text, a.country_code);
      text.push_back('\x1f');
      AppendNormalised(text, a.zip);
      text.push_back('\x1f');
      AppendNormalised(text, a.address1);
      set(KeyKind::kAddress, text);
    }
  }

  std::string joined;
  const std::string_view customer_id = Trim(order.customer.channel_customer_id);
  if (!customer_id.empty()) {
    JoinShopKey(joined, order, customer_id);
    keys.customer = hash(kCustomerKind, joined);
  } else if (!email.empty()) {
    keys.customer = hash(kCustomerEmailKind, email);
  }
  JoinShopKey(joined, order, order.currency.code());
  keys.shop = hash(kShopKind, joined);
  return keys;
}

RiskHistory::RiskHistory(RiskHistoryOptions options) : options_(options) {}

Status RiskHistory::SetKeyHasher(KeyHasher hasher) {
  std::lock_guard<std::mutex> lock(mu_);
  if (newest_micros_ != std::numeric_limits<int64_t>::min() || !seen_.empty()) {
    return FailedPreconditionError(
        "the risk history's key hasher can only be set before the first order is observed");
  }
  hasher_ = std::move(hasher);
  return Status::Ok();
}

void RiskHistory::PruneList(TimeList& list, int64_t cutoff) {
  while (list.head < list.entries.size() && list.entries[list.head].micros <= cutoff) ++list.head;
  // Compact once the dropped prefix is at least half the array.
  if (list.head > 0 && list.head * 2 >= list.entries.size()) {
    list.entries.erase(list.entries.begin(),
                       list.entries.begin() + static_cast<std::ptrdiff_t>(list.head));
    list.head = 0;
  }
}

HistoryView RiskHistory::Observe(const Order& order, uint64_t order_key) {
  const OrderKeys keys = KeysOf(order, hasher_);
  const int64_t t = order.created_at.micros;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = seen_.find(order_key); it != seen_.end()) return it->second.view;

  newest_micros_ = std::max(newest_micros_, t);
  const int64_t cutoff = newest_micros_ - kHorizonMicros;
  HistoryView view;
  for (int k = 0; k < kKeyKindCount; ++k) {
    if (!keys.velocity[k]) continue;
    view.has_key[k] = true;
    TimeList& list = lists_[k][*keys.velocity[k]];
    PruneList(list, cutoff);
    auto begin = list.entries.begin() + static_cast<std::ptrdiff_t>(list.head);
    auto by_time = [](const Entry& e, int64_t micros) { return e.micros < micros; };
    // First entry after t: the window's end (entries at t are inside).
    auto upper = std::upper_bound(begin, list.entries.end(), t,
                                  [](int64_t micros, const Entry& e) { return micros < e.micros; });
    for (int w = 0; w < kWindowCount; ++w) {
      // First entry with micros > t − w, i.e. not < t − w + 1.
      auto lower = std::lower_bound(begin, upper, t - kWindowMicros[w] + 1, by_time);
      view.velocity[k][w] = static_cast<int32_t>(upper - lower) + 1;
    }
    list.entries.insert(upper, Entry{t, order_key});
  }

  const int64_t total = order.totals.total.minor_units();
  if (keys.customer) {
    Tally& c = customers_[*keys.customer];
    view.has_customer = true;
    view.customer_orders = c.count;
    view.customer_total_minor = c.sum_minor;
    ++c.count;
    c.sum_minor += total;
    c.last_seen_micros = std::max(c.last_seen_micros, t);
  }
  Tally& s = shops_[keys.shop];
  view.shop_orders = s.count;
  view.shop_total_minor = s.sum_minor;
  ++s.count;
  s.sum_minor += total;
  s.last_seen_micros = std::max(s.last_seen_micros, t);

  seen_.emplace(order_key, Seen{t, view});
  if (++observes_since_sweep_ >= kSweepEvery) Sweep();
  return view;
}

void RiskHistory::Sweep() {
  observes_since_sweep_ = 0;
  const int64_t cutoff = newest_micros_ - kHorizonMicros;
  for (auto& lists : lists_) {
    for (auto it = lists.begin(); it != lists.end();) {
      PruneList(it->second, cutoff);
      TimeList& list = it->second;
      if (list.head == list.entries.size()) {
        it = lists.erase(it);
        continue;
      }
      if (list.entries.capacity() > 2 * list.entries.size() + 8) list.entries.shrink_to_fit();
      ++it;
    }
  }
  std::erase_if(seen_, [cutoff](const auto& kv) { return kv.second.micros <= cutoff; });
  EvictTallies(customers_, options_.max_customers);
  EvictTallies(shops_, options_.max_shops);
}

void RiskHistory::EvictTallies(std::unordered_map<uint64_t, Tally>& tallies, size_t max) {
  if (tallies.size() <= max) return;
  // Keep the 90 % of `max` seen most recently (ties at the threshold may keep a few more).
  const size_t keep = max - max / 10;
  std::vector<int64_t> seen;
  seen.reserve(tallies.size());
  for (const auto& [key, tally] : tallies) seen.push_back(tally.last_seen_micros);
  const size_t drop = tallies.size() - keep;
  std::nth_element(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(drop - 1), seen.end());
  const int64_t threshold = seen[drop - 1];
  size_t dropped = 0;
  for (auto it = tallies.begin(); it != tallies.end() && dropped < drop;) {
    if (it->second.last_seen_micros <= threshold) {
      it = tallies.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
}

size_t RiskHistory::MemoryBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  constexpr size_t kNodeOverhead = 2 * sizeof(void*);  // next pointer + cached hash
  auto map_bytes = [&](const auto& m) {
    using Value = typename std::decay_t<decltype(m)>::value_type;
    return m.bucket_count() * sizeof(void*) + m.size() * (sizeof(Value) + kNodeOverhead);
  };
  size_t bytes = sizeof(*this);
  for (const auto& lists : lists_) {
    bytes += map_bytes(lists);
    for (const auto& [key, list] : lists) bytes += list.entries.capacity() * sizeof(Entry);
  }
  bytes += map_bytes(customers_) + map_bytes(shops_) + map_bytes(seen_);
  return bytes;
}

size_t RiskHistory::TrackedOrders() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

}  // namespace orderpilot::risk
