#include "api/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace orderpilot::api {
namespace {

// Prometheus sample values: Go's float syntax, with NaN, +Inf and -Inf spelled its way.
void AppendDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Label values escape backslash, double quote and newline; help texts backslash and newline.
void AppendEscaped(std::string& out, std::string_view v, bool quote) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

bool ValidName(std::string_view name, bool allow_colon) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (c == ':' && allow_colon);
  });
}

void AppendHeader(std::string& out, const std::string& name, const std::string& help,
                  std::string_view type) {
  out.append("# HELP ").append(name).append(" ");
  AppendEscaped(out, help, /*quote=*/false);
  out.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

// Writes `name{fixed...,labels...,le="x"} ` (no braces when there are no labels).
void AppendSampleName(std::string& out, std::string_view name, const LabelPairs& fixed,
                      const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view le = {}) {
  out.append(name);
  bool any = false;
  auto label = [&](std::string_view n, std::string_view v) {
    out.push_back(any ? ',' : '{');
    any = true;
    out.append(n).append("=\"");
    AppendEscaped(out, v, /*quote=*/true);
    out.push_back('"');
  };
  for (const auto& [n, v] : fixed) label(n, v);
  for (size_t i = 0; i < names.size(); ++i)
    label(names[i], i < values.size() ? std::string_view(values[i]) : std::string_view());
  if (!le.empty()) label("le", le);
  if (any) out.push_back('}');
  out.push_back(' ');
}

class CallbackGauge final : public internal::RenderedFamily {
 public:
  CallbackGauge(std::string name, std::string help, LabelPairs fixed,
                std::vector<std::string> label_names,
                std::function<std::vector<LabelledValue>()> read)
      : name_(std::move(name)),
        help_(std::move(help)),
        fixed_(std::move(fixed)),
        label_names_(std::move(label_names)),
        read_(std::move(read)) {}

  void Render(std::string& out) const override {
    AppendHeader(out, name_, help_, "gauge");
    for (const LabelledValue& s : read_()) {
      AppendSampleName(out, name_, fixed_, label_names_, s.label_values);
      AppendDouble(out, s.value);
      out.push_back('\n');
    }
  }

 private:
  const std::string name_, help_;
  const LabelPairs fixed_;
  const std::vector<std::string> label_names_;
  const std::function<std::vector<LabelledValue>()> read_;
};

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  bounds_.erase(
      std::remove_if(bounds_.begin(), bounds_.end(), [](double b) { return !std::isfinite(b); }),
      bounds_.end());
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  counts_ = std::make_unique<std::atomic<int64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  if (std::isnan(v)) return;
  size_t i =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<int64_t> Histogram::BucketCounts() const {
  std::vector<int64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

int64_t Histogram::count() const {
  int64_t n = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) n += counts_[i].load(std::memory_order_relaxed);
  return n;
}

std::vector<double> LatencyBuckets() {
  return {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> PowerOfTwoBuckets(int64_t max) {
  std::vector<double> out;
  for (int64_t b = 1; b > 0 && b <= max; b *= 2) out.push_back(static_cast<double>(b));
  return out;
}

template <>
void Family<Counter>::Render(std::string& out) const {
  AppendHeader(out, name_, help_, "counter");
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [values, child] : children_) {
    AppendSampleName(out, name_, fixed_labels_, label_names_, values);
    AppendInt(out, child->value());
    out.push_back('\n');
  }
}

template <>
void Family<Gauge>::Render(std::string& out) const {
  AppendHeader(out, name_, help_, "gauge");
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [values, child] : children_) {
    AppendSampleName(out, name_, fixed_labels_, label_names_, values);
    AppendDouble(out, child->value());
    out.push_back('\n');
  }
}

template <>
void Family<Histogram>::Render(std::string& out) const {
  AppendHeader(out, name_, help_, "histogram");
  std::shared_lock<std::shared_mutex> lock(mu_);
  const std::string bucket = name_ + "_bucket";
  std::string le;
  for (const auto& [values, child] : children_) {
    const Histogram& h = *child;
    // Read the buckets once: _count is their total, so the sample stays consistent with itself.
    std::vector<int64_t> counts = h.BucketCounts();
    int64_t cumulative = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      cumulative += counts[i];
      le.clear();
      if (i < h.upper_bounds().size()) {
        AppendDouble(le, h.upper_bounds()[i]);
      } else {
        le = "+Inf";
      }
      AppendSampleName(out, bucket, fixed_labels_, label_names_, values, le);
      AppendInt(out, cumulative);
      out.push_back('\n');
    }
    AppendSampleName(out, name_ + "_sum", fixed_labels_, label_names_, values);
    AppendDouble(out, h.sum());
    out.push_back('\n');
    AppendSampleName(out, name_ + "_count", fixed_labels_, label_names_, values);
    AppendInt(out, cumulative);
    out.push_back('\n');
  }
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::CheckNames(const std::string& name, const LabelPairs& fixed,
                                 const std::vector<std::string>& label_names) {
  // A bad name is a programming error found at startup: fail loudly, as a CHECK would.
  auto require = [&](bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "metrics: %s (metric '%s')\n", what, name.c_str());
    std::abort();
  };
  require(ValidName(name, /*allow_colon=*/true), "invalid metric name");
  require(std::find(names_.begin(), names_.end(), name) == names_.end(), "metric registered twice");
  for (const auto& label : fixed)
    require(ValidName(label.first, false) && label.first != "le", "invalid fixed label name");
  for (const auto& label : label_names)
    require(ValidName(label, false) && label != "le", "invalid label name");
  names_.push_back(name);
}

template <typename F>
F& MetricsRegistry::Register(std::unique_ptr<F> family) {
  F& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Counter& MetricsRegistry::AddCounter(std::string name, std::string help, LabelPairs fixed_labels) {
  return AddCounterFamily(std::move(name), std::move(help), {}, std::move(fixed_labels))
      .WithLabels({});
}

Gauge& MetricsRegistry::AddGauge(std::string name, std::string help, LabelPairs fixed_labels) {
  return AddGaugeFamily(std::move(name), std::move(help), {}, std::move(fixed_labels))
      .WithLabels({});
}

Histogram& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<double> upper_bounds,
                                         LabelPairs fixed_labels) {
  return AddHistogramFamily(std::move(name), std::move(help), {}, std::move(upper_bounds),
                            std::move(fixed_labels))
      .WithLabels({});
}

CounterFamily& MetricsRegistry::AddCounterFamily(std::string name, std::string help,
                                                 std::vector<std::string> label_names,
                                                 LabelPairs fixed_labels) {
  std::lock_guard<std::mutex> lock(mu_);
  CheckNames(name, fixed_labels, label_names);
  return Register(std::make_unique<CounterFamily>(std::move(name), std::move(help),
                                                  std::move(fixed_labels), std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); }));
}

GaugeFamily& MetricsRegistry::AddGaugeFamily(std::string name, std::string help,
                                             std::vector<std::string> label_names,
                                             LabelPairs fixed_labels) {
  std::lock_guard<std::mutex> lock(mu_);
  CheckNames(name, fixed_labels, label_names);
  return Register(std::make_unique<GaugeFamily>(std::move(name), std::move(help),
                                                std::move(fixed_labels), std::move(label_names),
                                                [] { return std::make_unique<Gauge>(); }));
}

HistogramFamily& MetricsRegistry::AddHistogramFamily(std::string name, std::string help,
                                                     std::vector<std::string> label_names,
                                                     std::vector<double> upper_bounds,
                                                     LabelPairs fixed_labels) {
  std::lock_guard<std::mutex> lock(mu_);
  CheckNames(name, fixed_labels, label_names);
  return Register(std::make_unique<HistogramFamily>(
      std::move(name), std::move(help), std::move(fixed_labels), std::move(label_names),
      [bounds = std::move(upper_bounds)] { return std::make_unique<Histogram>(bounds); }));
}

void MetricsRegistry::AddCallbackGauge(std::string name, std::string help,
                                       std::function<double()> read, LabelPairs fixed_labels) {
  AddCallbackGaugeFamily(
      std::move(name), std::move(help), {},
      [read = std::move(read)] {
        return std::vector<LabelledValue>{{{}, read()}};
      },
      std::move(fixed_labels));
}

void MetricsRegistry::AddCallbackGaugeFamily(std::string name, std::string help,
                                             std::vector<std::string> label_names,
                                             std::function<std::vector<LabelledValue>()> read,
                                             LabelPairs fixed_labels) {
  std::lock_guard<std::mutex> lock(mu_);
  CheckNames(name, fixed_labels, label_names);
  Register(std::make_unique<CallbackGauge>(std::move(name), std::move(help),
                                           std::move(fixed_labels), std::move(label_names),
                                           std::move(read)));
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out.reserve(4096);
  for (const auto& f : families_) f->Render(out);
  return out;
}

}  // namespace orderpilot::api
