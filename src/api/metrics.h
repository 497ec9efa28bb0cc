// api/metrics.h — a small Prometheus registry: counters, histograms, callback gauges.
//
// Hot path is lock-free: a labelled child is looked up once under a shared lock, then updated
// with atomics. Rendering follows the text exposition format 0.0.4 (HELP, TYPE, cumulative
// `_bucket{le=...}`, `_sum`, `_count`).
// Thread-safety: everything may be called concurrently; children live as long as the registry.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace orderpilot::api {

class Counter {
 public:
  void Increment(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& upper_bounds);
  void Observe(double v);
  // Per-bucket (non-cumulative) counts, the last one for +Inf; sum; count.
  std::vector<int64_t> BucketCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds: 0.25 ms … 10 s.
std::vector<double> LatencyBuckets();

template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  // The child for these label values (in label_names order), created on first use.
  T& WithLabels(const std::vector<std::string>& values) {
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto& slot = children_[values];
    if (!slot) slot = make_();
    return *slot;
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls f(label values, child) for each child in label order.
  template <typename F>
  void ForEach(F f) const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (const auto& [values, child] : children_) f(values, *child);
  }

 private:
  const std::string name_, help_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // GUARDED_BY(mu_)
};

using CounterFamily = Family<Counter>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  CounterFamily& AddCounterFamily(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  HistogramFamily& AddHistogramFamily(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> upper_bounds);
  // A gauge whose value is read at scrape time.
  void AddCallbackGauge(std::string name, std::string help, std::function<double()> read);

  std::string RenderPrometheus() const;

 private:
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<CounterFamily>> counters_;      // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;  // GUARDED_BY(mu_)
  std::vector<Gauge> gauges_;                                 // GUARDED_BY(mu_)
};

}  // namespace orderpilot::api
