#include "risk/history.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "risk/screen.h"

namespace orderpilot::risk {
namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kT0 = int64_t{1700000000} * kSecond;

Order DeviceOrder(int64_t micros, std::string device = "dev-1") {
  Order o;
  o.shop = "shop";
  o.currency = *Currency::Parse("USD");
  o.created_at = Timestamp{micros};
  o.client.session_hash = std::move(device);
  o.totals.total = Money(1000, o.currency);
  return o;
}

int32_t Device(const HistoryView& v, Window w) { return v.Velocity(KeyKind::kDevice, w); }

TEST(OrderKeysTest, DeviceFallsBackToUserAgentAndLanguage) {
  Order a;
  a.client.user_agent = "Mozilla/5.0";
  a.client.accept_language = "en-US";
  Order b = a;
  b.client.accept_language = "de-DE";
  const OrderKeys ka = KeysOf(a);
  ASSERT_TRUE(ka.velocity[static_cast<int>(KeyKind::kDevice)]);
  EXPECT_NE(ka.velocity[static_cast<int>(KeyKind::kDevice)],
            KeysOf(b).velocity[static_cast<int>(KeyKind::kDevice)]);
  a.client.session_hash = "abc";
  b.client.session_hash = "abc";  // the session hash wins over the browser's strings
  EXPECT_EQ(KeysOf(a).velocity[static_cast<int>(KeyKind::kDevice)],
            KeysOf(b).velocity[static_cast<int>(KeyKind::kDevice)]);
  EXPECT_FALSE(KeysOf(Order{}).velocity[static_cast<int>(KeyKind::kDevice)]);
}

TEST(OrderKeysTest, EmailAndAddressKeysAreNormalised) {
  Order a;
  a.email = " Jane.Smith@Example.COM ";
  a.shipping_address = Address{};
  a.shipping_address->country_code = "US";
  a.shipping_address->zip = "40202";
  a.shipping_address->address1 = "1  Wall   Street";
  Order b;
  b.customer.email = "jane.smith@example.com";  // the customer's email when the order has none
  b.shipping_address = Address{};
  b.shipping_address->country_code = "us";
  b.shipping_address->zip = "40202";
  b.shipping_address->address1 = "1 wall street";
  const OrderKeys ka = KeysOf(a);
  const OrderKeys kb = KeysOf(b);
  EXPECT_EQ(ka.velocity[static_cast<int>(KeyKind::kEmail)],
            kb.velocity[static_cast<int>(KeyKind::kEmail)]);
  EXPECT_EQ(ka.velocity[static_cast<int>(KeyKind::kAddress)],
            kb.velocity[static_cast<int>(KeyKind::kAddress)]);
  EXPECT_EQ(ka.customer, kb.customer);  // guests are known by their email
  EXPECT_FALSE(ka.velocity[static_cast<int>(KeyKind::kIp)]);
  EXPECT_FALSE(ka.velocity[static_cast<int>(KeyKind::kBin)]);
}

// An earlier order exactly one window length before is outside the window (t − w < e ≤ t).
TEST(RiskHistoryTest, WindowEdgesExactlyTenMinutesAgoIsOutside) {
  RiskHistory h;
  h.Observe(DeviceOrder(kT0), 1);
  const HistoryView at_edge = h.Observe(DeviceOrder(kT0 + 10 * kMinute), 2);
  EXPECT_EQ(Device(at_edge, Window::k10m), 1);  // kT0 is exactly 10 min before: out
  EXPECT_EQ(Device(at_edge, Window::k1h), 2);

  RiskHistory h2;
  h2.Observe(DeviceOrder(kT0), 1);
  const HistoryView inside = h2.Observe(DeviceOrder(kT0 + 10 * kMinute - 1), 2);
  EXPECT_EQ(Device(inside, Window::k10m), 2);  // one microsecond less: in
}

TEST(RiskHistoryTest, WindowEdgesForTheHourAndTheDay) {
  RiskHistory h;
  h.Observe(DeviceOrder(kT0), 1);
  EXPECT_EQ(Device(h.Observe(DeviceOrder(kT0 + kHour), 2), Window::k1h), 1);
  EXPECT_EQ(Device(h.Observe(DeviceOrder(kT0 + 24 * kHour - 1), 3), Window::k24h), 3);
  EXPECT_EQ(Device(h.Observe(DeviceOrder(kT0 + 24 * kHour), 4), Window::k24h), 3);  // kT0 out
}

TEST(RiskHistoryTest, OrdersAtTheSameInstantAreInsideAndThisOrderCounts) {
  RiskHistory h;
  const HistoryView first = h.Observe(DeviceOrder(kT0), 1);
  EXPECT_TRUE(first.has_key[static_cast<int>(KeyKind::kDevice)]);
  EXPECT_EQ(Device(first, Window::k10m), 1);
  EXPECT_EQ(Device(h.Observe(DeviceOrder(kT0), 2), Window::k10m), 2);
  const HistoryView other = h.Observe(DeviceOrder(kT0, "dev-2"), 3);
  EXPECT_EQ(Device(other, Window::k10m), 1);
  EXPECT_FALSE(other.has_key[static_cast<int>(KeyKind::kIp)]);
  EXPECT_EQ(other.Velocity(KeyKind::kIp, Window::k24h), 0);
}

TEST(RiskHistoryTest, LaterOrdersObservedFirstAreNotInAnEarlierOrdersWindow) {
  RiskHistory h;
  h.Observe(DeviceOrder(kT0 + 5 * kMinute), 1);
  EXPECT_EQ(Device(h.Observe(DeviceOrder(kT0), 2), Window::k10m), 1);
  EXPECT_EQ(Device(h.Observe(DeviceOrder(kT0 + 6 * kMinute), 3), Window::k10m), 3);
}

TEST(RiskHistoryTest, ObserveIsIdempotentPerOrderKey) {
  RiskHistory h;
  h.Observe(DeviceOrder(kT0), 1);
  const HistoryView first = h.Observe(DeviceOrder(kT0 + kSecond), 2);
  const HistoryView again = h.Observe(DeviceOrder(kT0 + kSecond), 2);
  EXPECT_EQ(again.velocity, first.velocity);
  EXPECT_EQ(again.shop_orders, first.shop_orders);
  EXPECT_EQ(again.shop_total_minor, first.shop_total_minor);
  // Nothing was recorded the second time.
  const HistoryView third = h.Observe(DeviceOrder(kT0 + 2 * kSecond), 3);
  EXPECT_EQ(Device(third, Window::k10m), 3);
  EXPECT_EQ(third.shop_orders, 2);
  EXPECT_EQ(h.TrackedOrders(), 3u);
}

TEST(RiskHistoryTest, CustomerAndShopFiguresComeFromEarlierOrders) {
  RiskHistory h;
  Order o = DeviceOrder(kT0);
  o.customer.channel_customer_id = "7";
  o.totals.total = Money(1000, o.currency);
  const HistoryView v1 = h.Observe(o, 1);
  EXPECT_TRUE(v1.has_customer);
  EXPECT_EQ(v1.customer_orders, 0);
  EXPECT_EQ(v1.shop_orders, 0);
  o.totals.total = Money(3000, o.currency);
  o.created_at = Timestamp{kT0 + 400 * 24 * kHour};  // a year later: customers outlive 24 h
  const HistoryView v2 = h.Observe(o, 2);
  EXPECT_EQ(v2.customer_orders, 1);
  EXPECT_EQ(v2.customer_total_minor, 1000);
  EXPECT_EQ(v2.shop_orders, 1);
  EXPECT_EQ(v2.shop_total_minor, 1000);
  Order guest = DeviceOrder(kT0);
  EXPECT_FALSE(h.Observe(guest, 3).has_customer);  // no id, no email
}

TEST(RiskHistoryTest, ReplayInTimeOrderGivesTheLiveViews) {
  std::vector<Order> orders;
  for (int i = 0; i < 200; ++i) {
    orders.push_back(DeviceOrder(kT0 + i * 3 * kMinute, "dev-" + std::to_string(i % 7)));
    orders.back().client.browser_ip = "10.0.0." + std::to_string(i % 3);
  }
  RiskHistory live;
  std::vector<HistoryView> views;
  for (size_t i = 0; i < orders.size(); ++i) views.push_back(live.Observe(orders[i], i));
  RiskHistory replay;
  for (size_t i = 0; i < orders.size(); ++i) {
    const HistoryView v = replay.Observe(orders[i], i);
    EXPECT_EQ(v.velocity, views[i].velocity) << i;
    EXPECT_EQ(v.shop_orders, views[i].shop_orders) << i;
  }
}

TEST(RiskHistoryTest, MemoryStaysBoundedAsDaysPass) {
  RiskHistoryOptions options;
  options.max_customers = 1000;
  RiskHistory h(options);
  size_t bytes_after_two_days = 0;
  // 20 orders a minute with fresh keys for 4 days: only ~24 h of them may stay.
  const int per_day = 20 * 60 * 24;
  for (int i = 0; i < per_day * 4; ++i) {
    Order o = DeviceOrder(kT0 + i * 3 * kSecond, "dev-" + std::to_string(i));
    o.email = "user" + std::to_string(i) + "@example.com";
    h.Observe(o, static_cast<uint64_t>(i));
    if (i == per_day * 2) bytes_after_two_days = h.MemoryBytes();
  }
  EXPECT_LE(h.TrackedOrders(), static_cast<size_t>(per_day) + 4096 + 100);
  EXPECT_LT(h.MemoryBytes(), bytes_after_two_days * 3 / 2);
}

TEST(RiskHistoryTest, ConcurrentObserveFromFourThreadsCountsEveryOrderOnce) {
  RiskHistory h;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::atomic<int> max_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every order at the same instant on the same device; keys overlap between threads so
        // some Observe calls are repeats of another thread's order.
        const uint64_t key = static_cast<uint64_t>((t % 2) * kPerThread + i);
        const HistoryView v = h.Observe(DeviceOrder(kT0), key);
        int seen = max_seen.load();
        const int count = Device(v, Window::k10m);
        while (count > seen && !max_seen.compare_exchange_weak(seen, count)) {
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  // Threads 0 and 2 share keys, as do 1 and 3: 2 × kPerThread distinct orders.
  EXPECT_EQ(max_seen.load(), 2 * kPerThread);
  EXPECT_EQ(h.TrackedOrders(), static_cast<size_t>(2 * kPerThread));
  const HistoryView last = h.Observe(DeviceOrder(kT0), 1'000'000);
  EXPECT_EQ(Device(last, Window::k10m), 2 * kPerThread + 1);
  EXPECT_EQ(last.shop_orders, 2 * kPerThread);
}

TEST(RiskHistoryTest, LeastRecentlySeenCustomersAreForgottenBeyondTheCap) {
  RiskHistoryOptions options;
  options.max_customers = 100;
  RiskHistory h(options);
  Order o = DeviceOrder(kT0);
  o.customer.channel_customer_id = "old";
  h.Observe(o, 0);
  for (int i = 1; i <= 5000; ++i) {
    Order other = DeviceOrder(kT0 + i * kSecond);
    other.customer.channel_customer_id = std::to_string(i);
    h.Observe(other, static_cast<uint64_t>(i));
  }
  o.created_at = Timestamp{kT0 + 6000 * kSecond};
  EXPECT_EQ(h.Observe(o, 9999).customer_orders, 0);  // forgotten
}

// A keyed stand-in for the keyring's BlindIndex64 (privacy is not a dependency of risk): FNV
// over key, kind and text. Only its being keyed matters here.
KeyHasher KeyedHasher(std::string key) {
  return [key = std::move(key)](std::string_view kind, std::string_view text) {
    return FnvKeyHash(key + "\x1f" + std::string(kind), text);
  };
}

// Orders sharing emails, devices, IPs, BINs, addresses, customers and shops in varying patterns.
std::vector<Order> MixedOrders(int n) {
  std::vector<Order> orders;
  for (int i = 0; i < n; ++i) {
    Order o = DeviceOrder(kT0 + i * 97 * kSecond, "dev-" + std::to_string(i % 11));
    o.channel = i % 2 == 0 ? "shopify" : "api";
    o.shop = "shop-" + std::to_string(i % 3);
    o.email = "User" + std::to_string(i % 13) + "@Example.com";
    if (i % 5 == 0) o.customer.channel_customer_id = "c-" + std::to_string(i % 4);
    o.client.browser_ip = "10.0.0." + std::to_string(i % 17);
    o.payment.card_bin = std::to_string(400000 + i % 7);
    o.shipping_address = Address{};
    o.shipping_address->country_code = "US";
    o.shipping_address->zip = std::to_string(10000 + i % 19);
    o.shipping_address->address1 = "1 Main St";
    o.totals.total = Money(1000 + i, o.currency);
    orders.push_back(std::move(o));
  }
  return orders;
}

void ExpectSameView(const HistoryView& a, const HistoryView& b, size_t i) {
  EXPECT_EQ(a.velocity, b.velocity) << i;
  EXPECT_EQ(a.has_key, b.has_key) << i;
  EXPECT_EQ(a.has_customer, b.has_customer) << i;
  EXPECT_EQ(a.customer_orders, b.customer_orders) << i;
  EXPECT_EQ(a.customer_total_minor, b.customer_total_minor) << i;
  EXPECT_EQ(a.shop_orders, b.shop_orders) << i;
  EXPECT_EQ(a.shop_total_minor, b.shop_total_minor) << i;
}

TEST(KeyHasherTest, AKeyedHasherGivesTheSameViewsAsTheDefault) {
  const std::vector<Order> orders = MixedOrders(1500);
  RiskHistory fnv;
  RiskHistory keyed;
  ASSERT_TRUE(keyed.SetKeyHasher(KeyedHasher("k1")).ok());
  int repeated = 0;  // the stream does exercise the counts
  for (size_t i = 0; i < orders.size(); ++i) {
    const HistoryView a = fnv.Observe(orders[i], i);
    ExpectSameView(keyed.Observe(orders[i], i), a, i);
    repeated += a.Velocity(KeyKind::kEmail, Window::k24h) > 1 && a.customer_orders > 0;
  }
  EXPECT_GT(repeated, 1000);
}

TEST(KeyHasherTest, KeyedKeysDifferFromTheDefaultAndBetweenKeys) {
  Order o = MixedOrders(1)[0];
  ASSERT_FALSE(o.customer.channel_customer_id.empty());
  const OrderKeys fnv = KeysOf(o);
  const OrderKeys k1 = KeysOf(o, KeyedHasher("k1"));
  const OrderKeys k1_again = KeysOf(o, KeyedHasher("k1"));
  const OrderKeys k2 = KeysOf(o, KeyedHasher("k2"));
  for (int k = 0; k < kKeyKindCount; ++k) {
    ASSERT_TRUE(fnv.velocity[k] && k1.velocity[k] && k2.velocity[k]) << k;
    EXPECT_NE(*k1.velocity[k], *fnv.velocity[k]) << k;
    EXPECT_NE(*k1.velocity[k], *k2.velocity[k]) << k;
    EXPECT_EQ(k1.velocity[k], k1_again.velocity[k]) << k;
  }
  ASSERT_TRUE(fnv.customer && k1.customer && k2.customer);
  EXPECT_NE(*k1.customer, *fnv.customer);
  EXPECT_NE(*k1.customer, *k2.customer);
  EXPECT_NE(k1.shop, fnv.shop);
  EXPECT_NE(k1.shop, k2.shop);
  EXPECT_EQ(k1.shop, k1_again.shop);
  // The default is FnvKeyHash, given or not.
  const OrderKeys explicit_fnv = KeysOf(o, FnvKeyHash);
  EXPECT_EQ(explicit_fnv.velocity, fnv.velocity);
  EXPECT_EQ(explicit_fnv.customer, fnv.customer);
  EXPECT_EQ(explicit_fnv.shop, fnv.shop);
}

// Every call KeysOf makes, in order.
struct Recorder {
  std::vector<std::pair<std::string, std::string>> calls;
  KeyHasher Hasher() {
    return [this](std::string_view kind, std::string_view text) {
      calls.emplace_back(kind, text);
      return FnvKeyHash(kind, text);
    };
  }
};

TEST(KeyHasherTest, TheHasherSeesOnlyTheDocumentedKindsWithNormalisedNonEmptyTexts) {
  using Call = std::pair<std::string, std::string>;
  Order o;
  o.channel = "shopify";
  o.shop = "s.myshopify.com";
  o.currency = *Currency::Parse("EUR");
  o.email = "  Jane.Smith@Example.COM ";
  o.client.session_hash = " sess ";
  o.client.browser_ip = " 192.0.2.7 ";
  o.payment.card_bin = "411111";
  o.shipping_address = Address{};
  o.shipping_address->country_code = "DE";
  o.shipping_address->zip = " 10115 ";
  o.shipping_address->address1 = "Unter  den   LINDEN 1";
  Recorder r;
  KeysOf(o, r.Hasher());
  const std::string shop = std::string("shopify") + '\0' + "s.myshopify.com" + '\0';
  EXPECT_EQ(r.calls, (std::vector<Call>{
                         {"risk:email", "jane.smith@example.com"},
                         {"risk:device", "sess"},
                         {"risk:ip", "192.0.2.7"},
                         {"risk:bin", "411111"},
                         {"risk:address",
                          "de\x1f"
                          "10115\x1funter den linden 1"},
                         {"risk:customer-email", "jane.smith@example.com"},
                         {"risk:shop", shop + "EUR"},
                     }));

  // A channel customer id names the customer (per channel and shop), not the email.
  o.customer.channel_customer_id = " 42 ";
  r.calls.clear();
  KeysOf(o, r.Hasher());
  ASSERT_EQ(r.calls.size(), 7u);
  EXPECT_EQ(r.calls[5], (Call{"risk:customer", shop + "42"}));

  // A guest with nothing to key on: only the shop, never an empty text.
  Order guest;
  guest.channel = "api";
  guest.shop = "s";
  guest.currency = *Currency::Parse("USD");
  guest.email = "   ";
  guest.client.browser_ip = " ";
  guest.shipping_address = Address{};
  r.calls.clear();
  const OrderKeys keys = KeysOf(guest, r.Hasher());
  EXPECT_EQ(r.calls,
            (std::vector<Call>{{"risk:shop", std::string("api") + '\0' + "s" + '\0' + "USD"}}));
  EXPECT_FALSE(keys.customer);
  for (const auto& v : keys.velocity) EXPECT_FALSE(v);
}

TEST(KeyHasherTest, TheHasherIsFixedOnceAnOrderWasObserved) {
  RiskHistory h;
  Recorder r;
  ASSERT_TRUE(h.SetKeyHasher(r.Hasher()).ok());
  ASSERT_TRUE(h.SetKeyHasher(KeyedHasher("k1")).ok());  // still free to change: nothing observed
  h.Observe(DeviceOrder(kT0), 1);
  const Status late = h.SetKeyHasher(r.Hasher());
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Device(h.Observe(DeviceOrder(kT0 + kSecond), 2), Window::k10m), 2);
  EXPECT_TRUE(r.calls.empty());  // the refused hasher was never used
}

TEST(KeyHasherTest, TheScreenUsesItsHasherToRememberAndToAssess) {
  auto screen = RiskScreen::Create(SignalConfig{}, nullptr);
  ASSERT_TRUE(screen.ok()) << screen.status().ToString();
  std::mutex mu;
  std::set<std::string> kinds;
  ASSERT_TRUE((*screen)
                  ->SetKeyHasher([&](std::string_view kind, std::string_view text) {
                    std::lock_guard<std::mutex> lock(mu);
                    kinds.emplace(kind);
                    return FnvKeyHash(std::string("key|") + std::string(kind), text);
                  })
                  .ok());
  (*screen)->Remember(DeviceOrder(kT0), 1);
  EXPECT_EQ(kinds, (std::set<std::string>{"risk:device", "risk:shop"}));
  RiskAssessment a;
  (*screen)->Assess(DeviceOrder(kT0 + kMinute), 2, a);
  EXPECT_EQ(a.signals[static_cast<size_t>(VelocitySignal(KeyKind::kDevice, Window::k10m))], 2);
  EXPECT_EQ((*screen)->SetKeyHasher(nullptr).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orderpilot::risk
