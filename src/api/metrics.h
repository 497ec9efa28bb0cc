// api/metrics.h — a small Prometheus registry: counters, gauges, histograms, callback gauges.
//
// Every metric belongs to a family: a name, a help text, optional fixed labels (the same on every
// sample, e.g. {shop="a"}) and zero or more label names whose values pick a child. A child is
// created on first use under the family's lock; updating it is a relaxed atomic operation, so the
// hot path keeps the reference (or pays one shared-lock lookup without allocating).
// RenderPrometheus() writes the text exposition format 0.0.4 (`# HELP`, `# TYPE`, cumulative
// `_bucket{le="..."}` ending with le="+Inf", `_sum`, `_count`), families in registration order
// and children in label-value order.
// Invariant: metric and label names are valid Prometheus names and metric names are unique
// within the registry (checked at registration: a violation aborts with a message, like a failed
// CHECK). Children and families live as long as the registry.
// Thread-safety: everything may be called concurrently. Callback gauges run during
// RenderPrometheus() under the registry's lock: they must not call into the registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orderpilot::api {

// Labels with fixed values, rendered first on every sample of a family: {{"shop", "a"}}.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  // REQUIRES: n >= 0 (a counter only goes up).
  void Increment(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// A value that goes up and down. Doubles hold integers exactly up to 2^53.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into fixed buckets: an observation v lands in the first bucket whose upper
// bound is >= v (Prometheus' `le`), or in the implicit +Inf bucket.
class Histogram {
 public:
  // Bounds are sorted and deduplicated; non-finite ones are dropped (+Inf is implicit).
  explicit Histogram(std::vector<double> upper_bounds);
  // NaN observations are ignored.
  void Observe(double v);
  // Per-bucket (non-cumulative) counts, upper_bounds().size() + 1 of them, the last for +Inf.
  std::vector<int64_t> BucketCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  int64_t count() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds: 0.25 ms … 10 s.
std::vector<double> LatencyBuckets();
// 1, 2, 4, … up to and including the largest power of two <= max (batch sizes: max = 512).
std::vector<double> PowerOfTwoBuckets(int64_t max);

namespace internal {

// A family as RenderPrometheus() sees it.
class RenderedFamily {
 public:
  virtual ~RenderedFamily() = default;
  virtual void Render(std::string& out) const = 0;
};

// Orders label-value tuples lexicographically; compares vector<string> with string_view ranges
// so that lookups need not allocate.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    auto ai = std::begin(a), ae = std::end(a);
    auto bi = std::begin(b), be = std::end(b);
    for (; ai != ae && bi != be; ++ai, ++bi) {
      int c = std::string_view(*ai).compare(std::string_view(*bi));
      if (c != 0) return c < 0;
    }
    return ai == ae && bi != be;
  }
};

}  // namespace internal

// Children of one metric keyed by label values. T is Counter, Gauge or Histogram.
template <typename T>
class Family final : public internal::RenderedFamily {
 public:
  Family(std::string name, std::string help, LabelPairs fixed_labels,
         std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        fixed_labels_(std::move(fixed_labels)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  // The child for these label values (in label_names() order), created on first use.
  // REQUIRES: values.size() == label_names().size() (missing values render as "", extra ones
  // are dropped).
  T& WithLabels(std::initializer_list<std::string_view> values) { return Get(values); }
  T& WithLabels(const std::vector<std::string>& values) { return Get(values); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const LabelPairs& fixed_labels() const { return fixed_labels_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  void Render(std::string& out) const override;

 private:
  template <typename Values>
  T& Get(const Values& values) {
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    std::vector<std::string> key;
    key.reserve(label_names_.size());
    for (const auto& v : values) {
      if (key.size() == label_names_.size()) break;
      key.emplace_back(v);
    }
    key.resize(label_names_.size());
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto& slot = children_[std::move(key)];
    if (!slot) slot = make_();
    return *slot;
  }

  const std::string name_, help_;
  const LabelPairs fixed_labels_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>, internal::LabelValuesLess>
      children_;  // GUARDED_BY(mu_)
};

template <>
void Family<Counter>::Render(std::string& out) const;
template <>
void Family<Gauge>::Render(std::string& out) const;
template <>
void Family<Histogram>::Render(std::string& out) const;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// One sample of a callback gauge family: label values (in label-name order) and the value.
struct LabelledValue {
  std::vector<std::string> label_values;
  double value = 0;
};

// Owns every metric of one process (or one test). Thread-safety: see the file comment.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Single metrics (a family without label names; its one child).
  Counter& AddCounter(std::string name, std::string help, LabelPairs fixed_labels = {});
  Gauge& AddGauge(std::string name, std::string help, LabelPairs fixed_labels = {});
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> upper_bounds,
                          LabelPairs fixed_labels = {});

  // Labelled families: children created on first use by WithLabels().
  CounterFamily& AddCounterFamily(std::string name, std::string help,
                                  std::vector<std::string> label_names,
                                  LabelPairs fixed_labels = {});
  GaugeFamily& AddGaugeFamily(std::string name, std::string help,
                              std::vector<std::string> label_names, LabelPairs fixed_labels = {});
  HistogramFamily& AddHistogramFamily(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> upper_bounds,
                                      LabelPairs fixed_labels = {});

  // Gauges read at scrape time: one value, or one sample per label-value tuple returned.
  void AddCallbackGauge(std::string name, std::string help, std::function<double()> read,
                        LabelPairs fixed_labels = {});
  void AddCallbackGaugeFamily(std::string name, std::string help,
                              std::vector<std::string> label_names,
                              std::function<std::vector<LabelledValue>()> read,
                              LabelPairs fixed_labels = {});

  // The text exposition format 0.0.4; serve it as "text/plain; version=0.0.4".
  std::string RenderPrometheus() const;

 private:
  template <typename F>
  F& Register(std::unique_ptr<F> family);
  void CheckNames(const std::string& name, const LabelPairs& fixed,
                  const std::vector<std::string>& label_names);  // GUARDED_BY(mu_)

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<internal::RenderedFamily>> families_;  // GUARDED_BY(mu_)
  std::vector<std::string> names_;                                   // GUARDED_BY(mu_)
};

}  // namespace orderpilot::api
