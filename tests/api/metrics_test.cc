#include "api/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace orderpilot::api {
namespace {

TEST(MetricsTest, RendersPrometheusTextFormat) {
  MetricsRegistry m;
  auto& requests = m.AddCounterFamily("op_requests_total", "Requests.", {"route", "code"});
  requests.WithLabels({"/b\"x\\", "500"}).Increment();
  requests.WithLabels({"/a", "200"}).Increment(3);
  auto& latency = m.AddHistogramFamily("op_latency_seconds", "Latency.", {}, {0.1, 1});
  latency.WithLabels({}).Observe(0.05);
  latency.WithLabels({}).Observe(0.5);
  latency.WithLabels({}).Observe(7);
  m.AddGauge("op_workers", "Worker threads.", {{"pool", "main"}}).Set(4);
  m.AddCallbackGauge("op_depth", "Depth.", [] { return 2.5; });
  m.AddCallbackGaugeFamily("op_orders", "Orders by state.", {"state"}, [] {
    return std::vector<LabelledValue>{{{"held"}, 2}, {{"accepted"}, 10}};
  });
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP op_requests_total Requests.\n"
            "# TYPE op_requests_total counter\n"
            "op_requests_total{route=\"/a\",code=\"200\"} 3\n"
            "op_requests_total{route=\"/b\\\"x\\\\\",code=\"500\"} 1\n"
            "# HELP op_latency_seconds Latency.\n"
            "# TYPE op_latency_seconds histogram\n"
            "op_latency_seconds_bucket{le=\"0.1\"} 1\n"
            "op_latency_seconds_bucket{le=\"1\"} 2\n"
            "op_latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "op_latency_seconds_sum 7.55\n"
            "op_latency_seconds_count 3\n"
            "# HELP op_workers Worker threads.\n"
            "# TYPE op_workers gauge\n"
            "op_workers{pool=\"main\"} 4\n"
            "# HELP op_depth Depth.\n"
            "# TYPE op_depth gauge\n"
            "op_depth 2.5\n"
            "# HELP op_orders Orders by state.\n"
            "# TYPE op_orders gauge\n"
            "op_orders{state=\"held\"} 2\n"
            "op_orders{state=\"accepted\"} 10\n");
}

TEST(MetricsTest, FamilyWithoutChildrenRendersOnlyItsHeader) {
  MetricsRegistry m;
  m.AddCounterFamily("op_errors_total", "Errors.", {"kind"});
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP op_errors_total Errors.\n# TYPE op_errors_total counter\n");
}

TEST(MetricsTest, FixedLabelsComeBeforeFamilyLabelsAndLe) {
  MetricsRegistry m;
  auto& h = m.AddHistogramFamily("op_batch_size", "Batch.", {"writer"}, {1}, {{"db", "main"}});
  h.WithLabels({"w1"}).Observe(1);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("op_batch_size_bucket{db=\"main\",writer=\"w1\",le=\"1\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("op_batch_size_count{db=\"main\",writer=\"w1\"} 1\n"), std::string::npos)
      << text;
}

TEST(MetricsTest, EscapesHelpText) {
  MetricsRegistry m;
  m.AddCounter("op_c_total", "Line one\nback\\slash \"quoted\"");
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP op_c_total Line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE op_c_total counter\n"
            "op_c_total 0\n");
}

TEST(MetricsTest, RendersNonFiniteGaugesInPrometheusSpelling) {
  MetricsRegistry m;
  m.AddCallbackGauge("op_nan", "n", [] { return std::nan(""); });
  m.AddCallbackGauge("op_inf", "i", [] { return std::numeric_limits<double>::infinity(); });
  m.AddCallbackGauge("op_ninf", "m", [] { return -std::numeric_limits<double>::infinity(); });
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("\nop_nan NaN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nop_inf +Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nop_ninf -Inf\n"), std::string::npos) << text;
}

TEST(MetricsTest, SameLabelValuesGiveTheSameChild) {
  MetricsRegistry m;
  auto& family = m.AddCounterFamily("op_total", "Total.", {"a", "b"});
  Counter& by_views = family.WithLabels({"x", "y"});
  Counter& by_strings = family.WithLabels(std::vector<std::string>{"x", "y"});
  EXPECT_EQ(&by_views, &by_strings);
  EXPECT_NE(&by_views, &family.WithLabels({"x", "z"}));
}

TEST(MetricsTest, ConcurrentUpdatesFromEightThreadsAllCount) {
  MetricsRegistry m;
  auto& family = m.AddCounterFamily("op_total", "Total.", {"worker"});
  Gauge& gauge = m.AddGauge("op_level", "Level.");
  Histogram& histogram = m.AddHistogram("op_sizes", "Sizes.", PowerOfTwoBuckets(512));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        family.WithLabels({std::to_string(t % 2)}).Increment();
        gauge.Add(1);
        histogram.Observe(static_cast<double>(i % 600));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.WithLabels({"0"}).value() + family.WithLabels({"1"}).value(), 80000);
  EXPECT_EQ(gauge.value(), 80000);
  EXPECT_EQ(histogram.count(), 80000);
}

TEST(MetricsTest, HistogramCountsAnObservationInTheFirstBucketAtOrAboveIt) {
  Histogram h({1, 2, 4});
  for (double v : {0.5, 1.0, 1.5, 3.0, 3.5, 100.0}) h.Observe(v);
  EXPECT_EQ(h.BucketCounts(), (std::vector<int64_t>{2, 1, 2, 1}));
  EXPECT_EQ(h.count(), 6);
  EXPECT_DOUBLE_EQ(h.sum(), 109.5);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWhenRendered) {
  MetricsRegistry m;
  Histogram& h = m.AddHistogram("op_h", "H.", {1, 2, 4});
  for (double v : {0.5, 1.0, 1.5, 3.0, 3.5, 100.0}) h.Observe(v);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("op_h_bucket{le=\"1\"} 2\n"
                      "op_h_bucket{le=\"2\"} 3\n"
                      "op_h_bucket{le=\"4\"} 5\n"
                      "op_h_bucket{le=\"+Inf\"} 6\n"
                      "op_h_sum 109.5\n"
                      "op_h_count 6\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, HistogramSortsBoundsAndIgnoresNaN) {
  Histogram h({4, 1, 2, 2, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1, 2, 4}));
  h.Observe(std::nan(""));
  EXPECT_EQ(h.count(), 0);
}

TEST(MetricsTest, BucketPresets) {
  EXPECT_EQ(PowerOfTwoBuckets(512), (std::vector<double>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}));
  std::vector<double> latency = LatencyBuckets();
  EXPECT_TRUE(std::is_sorted(latency.begin(), latency.end()));
  EXPECT_EQ(latency.back(), 10);
}

TEST(MetricsDeathTest, RegisteringANameTwiceAborts) {
  MetricsRegistry m;
  m.AddCounter("op_once_total", "Once.");
  EXPECT_DEATH(m.AddCounter("op_once_total", "Twice."), "registered twice");
}

TEST(MetricsDeathTest, InvalidMetricNameAborts) {
  MetricsRegistry m;
  EXPECT_DEATH(m.AddGauge("op-bad", "Bad."), "invalid metric name");
}

}  // namespace
}  // namespace orderpilot::api
