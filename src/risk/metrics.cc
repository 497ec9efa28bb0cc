#include "risk/metrics.h"

#include <algorithm>
#include <cassert>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <vector>

namespace orderpilot::risk {

Metrics Evaluate(std::span<const double> scores, std::span<const float> labels,
                 double review_rate) {
  assert(scores.size() == labels.size());
  const size_t n = scores.size();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  Metrics m;
  m.review_rate = review_rate;
  m.rows = static_cast<int64_t>(n);
  for (float label : labels) m.positives += label > 0.5f ? 1 : 0;
  const double positives = static_cast<double>(m.positives);
  const double negatives = static_cast<double>(m.rows - m.positives);

  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  });

  // Review budget: the top ceil(rate · n) rows (the epsilon keeps 0.02 · 100 at 2).
  const double budget = std::ceil(review_rate * static_cast<double>(n) - 1e-9);
  double reviewed = 0, reviewed_positives = 0;
  bool budget_spent = budget <= 0;

  // One pass over the groups of tied scores, from the highest score down.
  double correctly_ordered_pairs = 0;  // (positive, negative) pairs, ties counted half
  double negatives_above = 0;
  double tp = 0, fp = 0, previous_recall = 0, average_precision = 0;
  for (size_t begin = 0; begin < n;) {
    size_t end = begin + 1;
    while (end < n && scores[order[end]] == scores[order[begin]]) ++end;
    double group_positives = 0;
    for (size_t i = begin; i < end; ++i) group_positives += labels[order[i]] > 0.5f ? 1 : 0;
    const double group_size = static_cast<double>(end - begin);
    const double group_negatives = group_size - group_positives;

    correctly_ordered_pairs += group_positives * (negatives - negatives_above - group_negatives) +
                               0.5 * group_positives * group_negatives;
    negatives_above += group_negatives;

    tp += group_positives;
    fp += group_negatives;
    if (positives > 0) {
      const double recall = tp / positives;
      average_precision += (recall - previous_recall) * (tp / (tp + fp));
      previous_recall = recall;
    }

    if (!budget_spent) {
      if (reviewed + group_size <= budget) {
        reviewed += group_size;
        reviewed_positives += group_positives;
        budget_spent = reviewed >= budget;
      } else {
        reviewed_positives += group_positives * (budget - reviewed) / group_size;
        budget_spent = true;
      }
    }
    begin = end;
  }

  const bool both_classes = positives > 0 && negatives > 0;
  m.roc_auc = both_classes ? correctly_ordered_pairs / (positives * negatives) : kNaN;
  m.pr_auc = both_classes ? average_precision : kNaN;
  m.recall_at_review_rate = positives > 0 ? reviewed_positives / positives : kNaN;
  return m;
}

std::string FormatMetrics(const Metrics& metrics) {
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "ROC-AUC %.3f  PR-AUC %.3f  recall@%g%% review %.2f  (%" PRId64 " rows, %" PRId64
                " positive)",
                metrics.roc_auc, metrics.pr_auc, metrics.review_rate * 100,
                metrics.recall_at_review_rate, metrics.rows, metrics.positives);
  return buf;
}

}  // namespace orderpilot::risk
