#include "risk/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <span>
#include <string>
#include <vector>

#include "risk/tree_model.h"

namespace orderpilot::risk {
namespace {

using ::testing::HasSubstr;

// Time-ordered orders with 5 features; fraud depends on x0 (and a little on x1). From row
// `flip_from` on, the labels are reversed (a new fraud pattern in the latest orders).
TrainingSet MakeOrders(size_t rows, uint64_t seed, double noise = 0.1,
                       size_t flip_from = SIZE_MAX) {
  TrainingSet set;
  set.feature_names = {"amount_z", "email_age", "ip_distance", "items", "new_customer"};
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> uniform;
  for (size_t i = 0; i < rows; ++i) {
    float x[5];
    for (float& v : x) v = normal(rng);
    set.rows.insert(set.rows.end(), x, x + 5);
    bool fraud = x[0] + 0.3 * x[1] > 0.8;
    if (i >= flip_from) fraud = !fraud;
    if (uniform(rng) < noise) fraud = !fraud;
    set.labels.push_back(fraud ? 1 : 0);
  }
  return set;
}

TrainOptions FastOptions() {
  TrainOptions options;
  options.threads = 2;
  return options;
}

TEST(TrainerTest, ValidationPartIsTheLastRowsInTimeOrder) {
  // The last 20% follow the reversed pattern: a model trained on the first 80% ranks them
  // backwards. A shuffled split would have trained on some of them and validated on old rows.
  const TrainingSet set = MakeOrders(2000, 1, 0.05, /*flip_from=*/1600);
  TrainOptions options = FastOptions();
  options.early_stopping_rounds = 5;
  Result<TrainedModel> model = Train(set, options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->validation.rows, 400);
  int64_t late_positives = 0;
  for (size_t i = 1600; i < 2000; ++i) late_positives += set.labels[i] == 1 ? 1 : 0;
  EXPECT_EQ(model->validation.positives, late_positives);
  ASSERT_EQ(model->validation_scores.size(), 400u);
  EXPECT_LT(model->validation.roc_auc, 0.2);
  EXPECT_EQ(model->validation.review_rate, 0.02);
}

TEST(TrainerTest, TrainingRowsRoundsTheValidationPartToNearest) {
  EXPECT_EQ(TrainingRows(2000, 0.2), 1600u);
  EXPECT_EQ(TrainingRows(36182, 0.2), 28946u);  // 7,236.4 validation rows → 7,236
  EXPECT_EQ(TrainingRows(7, 0.5), 3u);          // 3.5 → 4 validation rows
  EXPECT_EQ(TrainingRows(0, 0.2), 0u);
}

TEST(TrainerTest, ValidationScoresAreTheSavedModelsProbabilities) {
  const TrainingSet set = MakeOrders(1500, 2);
  Result<TrainedModel> model = Train(set, FastOptions());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Result<TreeModel> tree_model = TreeModel::FromXgboostJson(model->json);
  ASSERT_TRUE(tree_model.ok()) << tree_model.status().ToString();
  ASSERT_EQ(model->validation_scores.size(), 300u);
  for (size_t i = 0; i < 300; ++i) {
    const size_t row = 1200 + i;
    const std::span<const float> x(set.rows.data() + row * 5, 5);
    EXPECT_NEAR(tree_model->Probability(x), model->validation_scores[i], 1e-6) << "row " << row;
  }
}

TEST(TrainerTest, EarlyStoppingStopsBeforeMaxTreesWhenTreesStopHelping) {
  // One threshold on two features is learnt in a few rounds; the rest only fit the 10% noise.
  const TrainingSet set = MakeOrders(2000, 3);
  TrainOptions options = FastOptions();
  options.max_trees = 200;
  options.eta = 0.3;
  options.early_stopping_rounds = 10;
  Result<TrainedModel> model = Train(set, options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_LT(model->trees, 100);
  EXPECT_EQ(model->trees, model->best_iteration + 1);
}

TEST(TrainerTest, KeepsTheBestIterationsTrees) {
  const TrainingSet set = MakeOrders(2000, 3);
  TrainOptions options = FastOptions();
  options.eta = 0.3;
  options.early_stopping_rounds = 10;
  Result<TrainedModel> model = Train(set, options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Result<TreeModel> tree_model = TreeModel::FromXgboostJson(model->json);
  ASSERT_TRUE(tree_model.ok()) << tree_model.status().ToString();
  EXPECT_EQ(tree_model->num_trees(), static_cast<size_t>(model->best_iteration + 1));
  EXPECT_EQ(tree_model->attributes().at("orderpilot_best_iteration"),
            std::to_string(model->best_iteration));

  // Training further than the best round (no early stopping) gives a different, longer model
  // whose first best_iteration + 1 trees are the kept ones: same scores when cut there.
  TrainOptions longer = options;
  longer.early_stopping_rounds = 0;
  longer.max_trees = model->best_iteration + 11;
  Result<TrainedModel> full = Train(set, longer);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->trees, model->best_iteration + 11);
  longer.max_trees = model->best_iteration + 1;
  Result<TrainedModel> cut = Train(set, longer);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->validation_scores, model->validation_scores);
}

TEST(TrainerTest, EarlyStoppingZeroKeepsAllTrees) {
  TrainOptions options = FastOptions();
  options.max_trees = 25;
  options.early_stopping_rounds = 0;
  Result<TrainedModel> model = Train(MakeOrders(1000, 4), options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->trees, 25);
  EXPECT_EQ(model->best_iteration, 24);
}

double ScalePosWeight(const std::string& json) {
  std::smatch match;
  static const std::regex kPattern(R"re("scale_pos_weight":"([^"]+)")re");
  if (!std::regex_search(json, match, kPattern)) return NAN;
  return std::stod(match[1].str());
}

TEST(TrainerTest, BalanceClassesSetsScalePosWeightToNegativesPerPositive) {
  const TrainingSet set = MakeOrders(1000, 5);
  size_t positives = 0;
  for (size_t i = 0; i < 800; ++i) positives += set.labels[i] == 1 ? 1 : 0;
  TrainOptions options = FastOptions();
  options.max_trees = 5;
  Result<TrainedModel> balanced = Train(set, options);
  ASSERT_TRUE(balanced.ok()) << balanced.status().ToString();
  EXPECT_NEAR(ScalePosWeight(balanced->json),
              static_cast<double>(800 - positives) / static_cast<double>(positives), 1e-5);
  EXPECT_GT(ScalePosWeight(balanced->json), 2);

  options.balance_classes = false;
  Result<TrainedModel> unbalanced = Train(set, options);
  ASSERT_TRUE(unbalanced.ok()) << unbalanced.status().ToString();
  EXPECT_EQ(ScalePosWeight(unbalanced->json), 1);
}

TEST(TrainerTest, AttributesAndFeatureNamesRoundTripThroughSaveModelAndLoad) {
  const TrainingSet set = MakeOrders(1000, 6);
  TrainOptions options = FastOptions();
  options.max_trees = 10;
  options.attributes = {{"feature_set", "v7"}, {"window", "2026-01-01/2026-06-30"}};
  Result<TrainedModel> model = Train(set, options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::string path = ::testing::TempDir() + "/trainer_test_model.json";
  ASSERT_TRUE(SaveModel(*model, path).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  Result<TreeModel> loaded = TreeModel::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->feature_names(), set.feature_names);
  EXPECT_THAT(loaded->attributes(),
              ::testing::ElementsAre(::testing::Pair("feature_set", "v7"),
                                     ::testing::Pair("orderpilot_best_iteration",
                                                     std::to_string(model->best_iteration)),
                                     ::testing::Pair("orderpilot_trained_rows", "800"),
                                     ::testing::Pair("window", "2026-01-01/2026-06-30")));
  std::filesystem::remove(path);
}

TEST(TrainerTest, SaveModelReplacesAnExistingFile) {
  TrainOptions options = FastOptions();
  options.max_trees = 3;
  Result<TrainedModel> model = Train(MakeOrders(500, 7), options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::string path = ::testing::TempDir() + "/trainer_test_replaced.json";
  std::filesystem::remove(path);
  { std::ofstream(path) << "old"; }
  ASSERT_TRUE(SaveModel(*model, path).ok());
  EXPECT_TRUE(TreeModel::Load(path).ok());
  std::filesystem::remove(path);
}

TEST(TrainerTest, SaveModelIntoMissingDirectoryFails) {
  TrainedModel model;
  model.json = "{}";
  const Status status = SaveModel(model, ::testing::TempDir() + "/no/such/dir/model.json");
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("cannot create"));
}

TEST(TrainerTest, TrainsTinySetWithMinChildWeightZero) {
  TrainingSet set = MakeOrders(30, 8, 0.0);
  for (size_t i = 0; i < 30; ++i) set.labels[i] = i % 3 == 0 ? 1 : 0;
  for (size_t i = 0; i < 30; ++i) set.rows[i * 5] = set.labels[i] == 1 ? 2.0f : -1.0f;
  TrainOptions options = FastOptions();
  options.min_child_weight = 0;
  options.validation_fraction = 1.0 / 3;
  options.max_trees = 5;
  options.early_stopping_rounds = 0;
  Result<TrainedModel> model = Train(set, options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_DOUBLE_EQ(model->validation.roc_auc, 1.0);
}

void ExpectInvalid(const TrainingSet& set, const TrainOptions& options, std::string_view text) {
  Result<TrainedModel> model = Train(set, options);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(model.status().message(), HasSubstr(std::string(text)));
}

TEST(TrainerTest, RejectsValidationPartWithoutPositives) {
  TrainingSet set = MakeOrders(500, 9);
  for (size_t i = 400; i < 500; ++i) set.labels[i] = 0;
  ExpectInvalid(set, FastOptions(), "validation part (rows 400..499) has no positive row");
}

TEST(TrainerTest, RejectsTrainingPartWithoutNegatives) {
  TrainingSet set = MakeOrders(500, 10);
  for (size_t i = 0; i < 400; ++i) set.labels[i] = 1;
  ExpectInvalid(set, FastOptions(), "training part (rows 0..399) has no negative row");
}

TEST(TrainerTest, RejectsPartWithTooFewRows) {
  ExpectInvalid(MakeOrders(40, 11), FastOptions(),
                "validation part (rows 32..39) has 8 rows; at least 10 are needed");
}

TEST(TrainerTest, RejectsRowsThatDoNotMatchTheFeatures) {
  TrainingSet set = MakeOrders(100, 12);
  set.rows.pop_back();
  ExpectInvalid(set, FastOptions(), "499 values for 100 rows of 5 features");
}

TEST(TrainerTest, RejectsLabelsOtherThanZeroAndOne) {
  TrainingSet set = MakeOrders(100, 13);
  set.labels[7] = 0.5;
  ExpectInvalid(set, FastOptions(), "label of row 7 is not 0 or 1");
}

TEST(TrainerTest, RejectsValidationFractionOutOfRange) {
  TrainOptions options = FastOptions();
  options.validation_fraction = 1;
  ExpectInvalid(MakeOrders(100, 14), options, "validation_fraction must be in (0, 1)");
}

TEST(TrainerTest, SameDataAndSeedGiveTheSameModel) {
  const TrainingSet set = MakeOrders(1000, 15);
  TrainOptions options = FastOptions();
  options.max_trees = 20;
  Result<TrainedModel> a = Train(set, options);
  Result<TrainedModel> b = Train(set, options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->json, b->json);
}

}  // namespace
}  // namespace orderpilot::risk
