#include "api/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace orderpilot::api {
namespace {

TEST(MetricsTest, RendersPrometheusTextFormat) {
  MetricsRegistry m;
  auto& requests = m.AddCounterFamily("op_requests_total", "Requests.", {"route", "code"});
  requests.WithLabels({"/a", "200"}).Increment(3);
  requests.WithLabels({"/b\"x", "500"}).Increment();
  auto& latency = m.AddHistogramFamily("op_latency_seconds", "Latency.", {}, {0.1, 1});
  latency.WithLabels({}).Observe(0.05);
  latency.WithLabels({}).Observe(0.5);
  latency.WithLabels({}).Observe(7);
  m.AddCallbackGauge("op_depth", "Depth.", [] { return 4.0; });
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP op_requests_total Requests.\n"
            "# TYPE op_requests_total counter\n"
            "op_requests_total{route=\"/a\",code=\"200\"} 3\n"
            "op_requests_total{route=\"/b\\\"x\",code=\"500\"} 1\n"
            "# HELP op_latency_seconds Latency.\n"
            "# TYPE op_latency_seconds histogram\n"
            "op_latency_seconds_bucket{le=\"0.1\"} 1\n"
            "op_latency_seconds_bucket{le=\"1\"} 2\n"
            "op_latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "op_latency_seconds_sum 7.55\n"
            "op_latency_seconds_count 3\n"
            "# HELP op_depth Depth.\n"
            "# TYPE op_depth gauge\n"
            "op_depth 4\n");
}

TEST(MetricsTest, ConcurrentIncrementsAllCount) {
  MetricsRegistry m;
  auto& family = m.AddCounterFamily("op_total", "Total.", {"worker"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) family.WithLabels({std::to_string(t % 2)}).Increment();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.WithLabels({"0"}).value() + family.WithLabels({"1"}).value(), 80000);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWhenRendered) {
  Histogram h({1, 2, 4});
  for (double v : {0.5, 1.0, 1.5, 3.0, 3.5, 100.0}) h.Observe(v);
  EXPECT_EQ(h.BucketCounts(), (std::vector<int64_t>{2, 1, 2, 1}));
}

}  // namespace
}  // namespace orderpilot::api
