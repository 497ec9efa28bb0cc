#include "risk/history.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

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

}  // namespace
}  // namespace orderpilot::risk
