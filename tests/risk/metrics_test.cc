#include "risk/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace orderpilot::risk {
namespace {

TEST(MetricsTest, RocAucAndAveragePrecisionOfSmallRankingByHand) {
  // Positives at 0.9 and 0.7, negatives at 0.8 and 0.6: 3 of 4 pairs ordered right.
  // AP: threshold 0.9 → recall 1/2 at precision 1; 0.7 → recall 1 at precision 2/3.
  const std::vector<double> scores = {0.9, 0.8, 0.7, 0.6};
  const std::vector<float> labels = {1, 0, 1, 0};
  const Metrics m = Evaluate(scores, labels);
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.75);
  EXPECT_DOUBLE_EQ(m.pr_auc, 0.5 * 1 + 0.5 * 2.0 / 3);
  EXPECT_EQ(m.rows, 4);
  EXPECT_EQ(m.positives, 2);
}

TEST(MetricsTest, TiedScoresCountHalfAndFormOneThreshold) {
  // Pairs: (0.8+, 0.8-) half, (0.8+, 0.5-) and (0.8+, 0.2-) right; (0.5+, 0.8-) wrong,
  // (0.5+, 0.5-) half, (0.5+, 0.2-) right → 4 of 6. AP (scikit-learn): threshold 0.8 gives
  // recall 1/2 at precision 1/2, threshold 0.5 recall 1 at precision 1/2 → 0.5.
  const std::vector<double> scores = {0.8, 0.8, 0.5, 0.5, 0.2};
  const std::vector<float> labels = {1, 0, 1, 0, 0};
  const Metrics m = Evaluate(scores, labels);
  EXPECT_DOUBLE_EQ(m.roc_auc, 4.0 / 6);
  EXPECT_DOUBLE_EQ(m.pr_auc, 0.5);
}

TEST(MetricsTest, OrderOfTiedRowsDoesNotMatter) {
  const Metrics a = Evaluate(std::vector<double>{0.8, 0.8, 0.1}, std::vector<float>{1, 0, 0});
  const Metrics b = Evaluate(std::vector<double>{0.8, 0.8, 0.1}, std::vector<float>{0, 1, 0});
  EXPECT_DOUBLE_EQ(a.roc_auc, b.roc_auc);
  EXPECT_DOUBLE_EQ(a.pr_auc, b.pr_auc);
}

TEST(MetricsTest, PerfectRankingScoresOne) {
  const Metrics m =
      Evaluate(std::vector<double>{0.9, 0.8, 0.3, 0.2, 0.1}, std::vector<float>{1, 1, 0, 0, 0});
  EXPECT_DOUBLE_EQ(m.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(m.pr_auc, 1.0);
}

TEST(MetricsTest, ReversedRankingScoresZeroRocAuc) {
  // AP: threshold 2 → recall 1/2 at precision 1/3; threshold 1 → recall 1 at precision 1/2.
  const Metrics m = Evaluate(std::vector<double>{4, 3, 2, 1}, std::vector<float>{0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.0);
  EXPECT_DOUBLE_EQ(m.pr_auc, 0.5 / 3 + 0.5 / 2);
}

TEST(MetricsTest, AllScoresTiedIsChance) {
  const Metrics m = Evaluate(std::vector<double>{1, 1, 1, 1}, std::vector<float>{1, 0, 0, 0});
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.5);
  EXPECT_DOUBLE_EQ(m.pr_auc, 0.25);  // the positive rate
}

TEST(MetricsTest, RecallAtReviewRateCountsTopCeilRateTimesRows) {
  // 100 rows, 2% → the top 2. Positives ranked 1st, 3rd and 50th: the top 2 hold one of three.
  std::vector<double> scores;
  std::vector<float> labels;
  for (int i = 0; i < 100; ++i) {
    scores.push_back(100 - i);
    labels.push_back(i == 0 || i == 2 || i == 49 ? 1 : 0);
  }
  const Metrics m = Evaluate(scores, labels, 0.02);
  EXPECT_DOUBLE_EQ(m.review_rate, 0.02);
  EXPECT_DOUBLE_EQ(m.recall_at_review_rate, 1.0 / 3);
  // 120 rows at 2% → ceil(2.4) = 3 reviewed: positives ranked 1st and 3rd.
  for (int i = 100; i < 120; ++i) {
    scores.push_back(-i);
    labels.push_back(0);
  }
  EXPECT_DOUBLE_EQ(Evaluate(scores, labels, 0.02).recall_at_review_rate, 2.0 / 3);
}

TEST(MetricsTest, RecallAtReviewRateCountsTiesAtTheCutFractionally) {
  // Budget 2: the top row (positive), then 1 of the 4 rows tied at 0.9, which hold 1 positive:
  // 1 + 1/4 of 3 positives.
  std::vector<double> scores = {1.0, 0.9, 0.9, 0.9, 0.9};
  std::vector<float> labels = {1, 0, 1, 0, 0};
  for (int i = 0; i < 95; ++i) {
    scores.push_back(0.5 - i * 0.001);
    labels.push_back(i == 10 ? 1 : 0);
  }
  EXPECT_DOUBLE_EQ(Evaluate(scores, labels, 0.02).recall_at_review_rate, 1.25 / 3);
}

TEST(MetricsTest, AucsAreNanWhenAClassIsAbsent) {
  const Metrics no_positive = Evaluate(std::vector<double>{0.1, 0.2}, std::vector<float>{0, 0});
  EXPECT_TRUE(std::isnan(no_positive.roc_auc));
  EXPECT_TRUE(std::isnan(no_positive.pr_auc));
  EXPECT_TRUE(std::isnan(no_positive.recall_at_review_rate));
  const Metrics no_negative = Evaluate(std::vector<double>{0.1, 0.2}, std::vector<float>{1, 1});
  EXPECT_TRUE(std::isnan(no_negative.roc_auc));
  EXPECT_TRUE(std::isnan(no_negative.pr_auc));
  EXPECT_DOUBLE_EQ(no_negative.recall_at_review_rate, 0.5);  // 1 row of 2 reviewed
}

TEST(MetricsTest, FormatsOneLine) {
  Metrics m;
  m.roc_auc = 0.8421;
  m.pr_auc = 0.6109;
  m.recall_at_review_rate = 0.3104;
  m.review_rate = 0.02;
  m.rows = 7236;
  m.positives = 829;
  EXPECT_EQ(FormatMetrics(m),
            "ROC-AUC 0.842  PR-AUC 0.611  recall@2% review 0.31  (7236 rows, 829 positive)");
  m.review_rate = 0.005;
  EXPECT_EQ(FormatMetrics(m),
            "ROC-AUC 0.842  PR-AUC 0.611  recall@0.5% review 0.31  (7236 rows, 829 positive)");
}

}  // namespace
}  // namespace orderpilot::risk
