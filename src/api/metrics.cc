#include "api/metrics.h"

#include <charconv>
#include <mutex>

namespace orderpilot::api {
namespace {

std::string FormatDouble(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Prometheus label value escaping: backslash, quote, newline.
void AppendLabelValue(std::string& out, const std::string& v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

std::string Labels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& extra = {}) {
  if (names.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    AppendLabelValue(out, i < values.size() ? values[i] : std::string());
    out += '"';
  }
  if (!extra.empty()) {
    if (!names.empty()) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

void Header(std::string& out, const std::string& name, const std::string& help,
            const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Histogram::Histogram(const std::vector<double>& upper_bounds)
    : bounds_(upper_bounds), counts_(new std::atomic<int64_t>[upper_bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<int64_t> Histogram::BucketCounts() const {
  std::vector<int64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

CounterFamily& MetricsRegistry::AddCounterFamily(std::string name, std::string help,
                                                 std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_.push_back(std::make_unique<CounterFamily>(
      std::move(name), std::move(help), std::move(label_names),
      [] { return std::make_unique<Counter>(); }));
  return *counters_.back();
}

HistogramFamily& MetricsRegistry::AddHistogramFamily(std::string name, std::string help,
                                                     std::vector<std::string> label_names,
                                                     std::vector<double> upper_bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  histograms_.push_back(std::make_unique<HistogramFamily>(
      std::move(name), std::move(help), std::move(label_names),
      [upper_bounds] { return std::make_unique<Histogram>(upper_bounds); }));
  return *histograms_.back();
}

void MetricsRegistry::AddCallbackGauge(std::string name, std::string help,
                                       std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& f : counters_) {
    Header(out, f->name(), f->help(), "counter");
    f->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
      out += f->name() + Labels(f->label_names(), values) + " " + std::to_string(c.value()) + "\n";
    });
  }
  for (const auto& f : histograms_) {
    Header(out, f->name(), f->help(), "histogram");
    f->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
      std::vector<int64_t> counts = h.BucketCounts();
      int64_t cumulative = 0;
      for (size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        std::string le = i < h.upper_bounds().size() ? FormatDouble(h.upper_bounds()[i]) : "+Inf";
        out += f->name() + "_bucket" + Labels(f->label_names(), values, "le=\"" + le + "\"") +
               " " + std::to_string(cumulative) + "\n";
      }
      out += f->name() + "_sum" + Labels(f->label_names(), values) + " " + FormatDouble(h.sum()) +
             "\n";
      out += f->name() + "_count" + Labels(f->label_names(), values) + " " +
             std::to_string(cumulative) + "\n";
    });
  }
  for (const Gauge& g : gauges_) {
    Header(out, g.name, g.help, "gauge");
    out += g.name + " " + FormatDouble(g.read()) + "\n";
  }
  return out;
}

}  // namespace orderpilot::api
