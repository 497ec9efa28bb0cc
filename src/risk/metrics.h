// risk/metrics.h — how well a risk score ranks fraudulent orders: ROC-AUC, PR-AUC (average
// precision) and the recall a review queue of a given size would reach.
//
// Every metric depends only on the order of the scores (higher = riskier), never on their scale,
// and rows with equal scores are treated as indistinguishable: ties never favour either class.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace orderpilot::risk {

struct Metrics {
  // Probability that a random positive scores above a random negative (ties count half). NaN
  // when either class is absent.
  double roc_auc = 0;
  // Average precision, scikit-learn's definition: Σ_n (R_n − R_{n−1})·P_n over the distinct
  // score thresholds from the highest down (tied scores form one threshold). NaN when either
  // class is absent.
  double pr_auc = 0;
  // Share of all positives among the top ceil(review_rate · rows) scores. Rows tied with the
  // last reviewed score are counted fractionally: when r of the g rows of that tie group fit in
  // the review budget, the group adds r/g of its positives. NaN when there is no positive.
  double recall_at_review_rate = 0;
  double review_rate = 0;  // the fraction of rows reviewed, e.g. 0.02
  int64_t rows = 0;
  int64_t positives = 0;
};

// REQUIRES: scores.size() == labels.size(); scores are not NaN; 0 <= review_rate <= 1.
// A label counts as positive when it is > 0.5 (labels are 0/1).
Metrics Evaluate(std::span<const double> scores, std::span<const float> labels,
                 double review_rate = 0.02);

// One line for logs and CLI output:
//   "ROC-AUC 0.842  PR-AUC 0.611  recall@2% review 0.31  (7236 rows, 829 positive)"
std::string FormatMetrics(const Metrics& metrics);

}  // namespace orderpilot::risk
