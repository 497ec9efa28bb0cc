#include "risk/tree_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace orderpilot::risk {
namespace {

using ::testing::HasSubstr;

// ---- XGBoost as the reference -------------------------------------------------------------

// Row-major synthetic orders: a mix of continuous and small-integer features (so that rows hit
// split thresholds exactly), `missing_rate` of the values NaN, and a label drawn from a
// nonlinear logistic function of the first features.
struct SyntheticData {
  size_t features = 0;
  std::vector<float> rows;
  std::vector<float> labels;
  size_t num_rows() const { return labels.size(); }
  std::vector<float> Row(size_t i) const {
    return {rows.begin() + static_cast<ptrdiff_t>(i * features),
            rows.begin() + static_cast<ptrdiff_t>((i + 1) * features)};
  }
};

inline SyntheticData MakeSyntheticData(size_t rows, size_t features, uint64_t seed,
                                       double missing_rate = 0.1) {
  SyntheticData data;
  data.features = features;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> uniform;
  std::uniform_int_distribution<int> small_int(0, 4);
  data.rows.resize(rows * features);
  for (size_t i = 0; i < rows; ++i) {
    float* x = &data.rows[i * features];
    for (size_t j = 0; j < features; ++j) {
      x[j] = j % 3 == 2 ? static_cast<float>(small_int(rng)) : normal(rng);
      if (uniform(rng) < missing_rate) x[j] = std::numeric_limits<float>::quiet_NaN();
    }
    auto value = [&](size_t j) { return j < features && !std::isnan(x[j]) ? x[j] : 0.0f; };
    const double logit = -1.5 + 1.2 * value(0) - 0.8 * value(1) * value(1) +
                         0.6 * value(2) * (value(0) > 0 ? 1 : -1) + 0.5 * value(3) +
                         (std::isnan(x[1 % features]) ? 1.0 : 0.0);
    data.labels.push_back(uniform(rng) < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  return data;
}

class XgbBooster {
 public:
  XgbBooster() = default;
  XgbBooster(const XgbBooster&) = delete;
  XgbBooster& operator=(const XgbBooster&) = delete;
  ~XgbBooster() {
    if (handle_ != nullptr) XGBoosterFree(handle_);
  }
  BoosterHandle* out() { return &handle_; }
  BoosterHandle get() const { return handle_; }

 private:
  BoosterHandle handle_ = nullptr;
};

class XgbMatrix {
 public:
  XgbMatrix(const std::vector<float>& rows, size_t features) {
    ok_ = XGDMatrixCreateFromMat(rows.data(), rows.size() / features, features,
                                 std::numeric_limits<float>::quiet_NaN(), &handle_) == 0;
  }
  XgbMatrix(const XgbMatrix&) = delete;
  XgbMatrix& operator=(const XgbMatrix&) = delete;
  ~XgbMatrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  bool ok() const { return ok_; }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
  bool ok_ = false;
};

// Trains `trees` rounds of binary:logistic with the given depth (no sampling) and returns the
// JSON model, or "" with `error` set.
inline std::string TrainXgboostJson(
    const SyntheticData& data, int depth, int trees, std::string* error,
    const std::vector<std::pair<std::string, std::string>>& extra_params = {}) {
  XGBSetGlobalConfig(R"({"verbosity": 0})");
  XgbMatrix train(data.rows, data.features);
  XgbBooster booster;
  const DMatrixHandle handles[] = {train.get()};
  if (!train.ok() ||
      XGDMatrixSetFloatInfo(train.get(), "label", data.labels.data(), data.num_rows()) != 0 ||
      XGBoosterCreate(handles, 1, booster.out()) != 0) {
    *error = XGBGetLastError();
    return "";
  }
  std::vector<std::pair<std::string, std::string>> params = {{"objective", "binary:logistic"},
                                                             {"tree_method", "hist"},
                                                             {"max_depth", std::to_string(depth)},
                                                             {"eta", "0.3"},
                                                             {"nthread", "2"},
                                                             {"seed", "7"}};
  params.insert(params.end(), extra_params.begin(), extra_params.end());
  for (const auto& [name, value] : params) {
    if (XGBoosterSetParam(booster.get(), name.c_str(), value.c_str()) != 0) {
      *error = XGBGetLastError();
      return "";
    }
  }
  for (int i = 0; i < trees; ++i) {
    if (XGBoosterUpdateOneIter(booster.get(), i, train.get()) != 0) {
      *error = XGBGetLastError();
      return "";
    }
  }
  bst_ulong size = 0;
  const char* json = nullptr;
  if (XGBoosterSaveModelToBuffer(booster.get(), R"({"format": "json"})", &size, &json) != 0) {
    *error = XGBGetLastError();
    return "";
  }
  return std::string(json, size);
}

// XGBoost's predictions of `type` (0 probability, 1 margin, 2 SHAP contributions: features + 1
// columns per row, the last one the bias) for a model given as JSON.
inline std::vector<float> XgboostPredict(const std::string& json, const std::vector<float>& rows,
                                         size_t features, int type, std::string* error) {
  XgbBooster booster;
  XgbMatrix matrix(rows, features);
  if (!matrix.ok() || XGBoosterCreate(nullptr, 0, booster.out()) != 0 ||
      XGBoosterLoadModelFromBuffer(booster.get(), json.data(), json.size()) != 0) {
    *error = XGBGetLastError();
    return {};
  }
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                             R"( "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  if (XGBoosterPredictFromDMatrix(booster.get(), matrix.get(), config.c_str(), &shape, &dims,
                                  &out) != 0) {
    *error = XGBGetLastError();
    return {};
  }
  size_t size = 1;
  for (bst_ulong d = 0; d < dims; ++d) size *= shape[d];
  return {out, out + size};
}

// ---- Models trained once per test binary ---------------------------------------------------

constexpr size_t kFeatures = 12;
constexpr size_t kTestRows = 500;

struct ReferenceCase {
  std::string json;
  SyntheticData test;  // 500 fresh rows, 10% NaN
  std::vector<float> probability, margin, contributions;
};

// Trains (once) a 200-tree model of the given depth and asks XGBoost about 500 test rows.
const ReferenceCase& Reference(int depth) {
  static std::map<int, ReferenceCase> cache;
  auto it = cache.find(depth);
  if (it != cache.end()) return it->second;
  ReferenceCase c;
  std::string error;
  const SyntheticData train = MakeSyntheticData(3000, kFeatures, 11);
  c.json = TrainXgboostJson(train, depth, 200, &error);
  EXPECT_FALSE(c.json.empty()) << error;
  c.test = MakeSyntheticData(kTestRows, kFeatures, 99);
  c.probability = XgboostPredict(c.json, c.test.rows, kFeatures, 0, &error);
  c.margin = XgboostPredict(c.json, c.test.rows, kFeatures, 1, &error);
  c.contributions = XgboostPredict(c.json, c.test.rows, kFeatures, 2, &error);
  EXPECT_EQ(c.contributions.size(), kTestRows * (kFeatures + 1)) << error;
  return cache.emplace(depth, std::move(c)).first->second;
}

TreeModel MustParse(const std::string& json) {
  Result<TreeModel> model = TreeModel::FromXgboostJson(json);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

// Compares our numbers with XGBoost's on every test row of `reference`.
void ExpectMatchesXgboost(const TreeModel& model, const ReferenceCase& reference,
                          double contribution_tolerance) {
  const size_t f = reference.test.features;
  ASSERT_EQ(model.num_features(), f);
  std::vector<double> contributions(f);
  for (size_t i = 0; i < reference.test.num_rows(); ++i) {
    const std::vector<float> x = reference.test.Row(i);
    EXPECT_NEAR(model.Probability(x), reference.probability[i], 1e-6) << "row " << i;
    EXPECT_NEAR(model.Margin(x), reference.margin[i], 2e-5) << "row " << i;
    const double bias = model.Explain(x, contributions);
    for (size_t j = 0; j < f; ++j) {
      EXPECT_NEAR(contributions[j], reference.contributions[i * (f + 1) + j],
                  contribution_tolerance)
          << "row " << i << " feature " << j;
    }
    EXPECT_NEAR(bias, reference.contributions[i * (f + 1) + f], contribution_tolerance)
        << "row " << i;
  }
}

class TreeModelVsXgboostTest : public ::testing::TestWithParam<int> {};

TEST_P(TreeModelVsXgboostTest, ProbabilityAndMarginEqualXgboostPrediction) {
  const ReferenceCase& reference = Reference(GetParam());
  const TreeModel model = MustParse(reference.json);
  EXPECT_EQ(model.num_trees(), 200u);
  EXPECT_EQ(model.max_depth(), GetParam());
  for (size_t i = 0; i < kTestRows; ++i) {
    const std::vector<float> x = reference.test.Row(i);
    EXPECT_NEAR(model.Probability(x), reference.probability[i], 1e-6) << "row " << i;
    EXPECT_NEAR(model.Margin(x), reference.margin[i], 2e-5) << "row " << i;
  }
}

TEST_P(TreeModelVsXgboostTest, ExplainEqualsXgboostPredContribs) {
  const ReferenceCase& reference = Reference(GetParam());
  const TreeModel model = MustParse(reference.json);
  std::vector<double> contributions(kFeatures);
  for (size_t i = 0; i < kTestRows; ++i) {
    const double bias = model.Explain(reference.test.Row(i), contributions);
    for (size_t j = 0; j < kFeatures; ++j) {
      EXPECT_NEAR(contributions[j], reference.contributions[i * (kFeatures + 1) + j], 1e-4)
          << "row " << i << " feature " << j;
    }
    EXPECT_NEAR(bias, reference.contributions[i * (kFeatures + 1) + kFeatures], 1e-4)
        << "row " << i;
  }
}

TEST_P(TreeModelVsXgboostTest, ContributionsPlusBiasEqualMargin) {
  const ReferenceCase& reference = Reference(GetParam());
  const TreeModel model = MustParse(reference.json);
  std::vector<double> contributions(kFeatures);
  for (size_t i = 0; i < kTestRows; ++i) {
    const std::vector<float> x = reference.test.Row(i);
    double margin_from_explain = 0;
    const double bias = model.Explain(x, contributions, &margin_from_explain);
    double sum = bias;
    for (double c : contributions) sum += c;
    EXPECT_NEAR(sum, model.Margin(x), 1e-5) << "row " << i;
    EXPECT_DOUBLE_EQ(margin_from_explain, model.Margin(x)) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Depths, TreeModelVsXgboostTest, ::testing::Values(2, 4, 6),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "Depth" + std::to_string(info.param);
                         });

TEST(TreeModelTest, FeatureUsedRepeatedlyOnOnePathStillMatchesXgboost) {
  // Two features and depth 6: every deep path tests the same feature more than once.
  ReferenceCase c;
  std::string error;
  c.json = TrainXgboostJson(MakeSyntheticData(3000, 2, 5), 6, 50, &error);
  ASSERT_FALSE(c.json.empty()) << error;
  c.test = MakeSyntheticData(kTestRows, 2, 6);
  c.probability = XgboostPredict(c.json, c.test.rows, 2, 0, &error);
  c.margin = XgboostPredict(c.json, c.test.rows, 2, 1, &error);
  c.contributions = XgboostPredict(c.json, c.test.rows, 2, 2, &error);
  ASSERT_EQ(c.contributions.size(), kTestRows * 3) << error;
  const TreeModel model = MustParse(c.json);
  ASSERT_GT(model.max_depth(), 2);
  EXPECT_LE(model.max_path_features(), 2u);
  ExpectMatchesXgboost(model, c, 1e-4);
}

TEST(TreeModelTest, PathsWithMoreThanTenFeaturesAreExplainedOnTheFly) {
  ReferenceCase c;
  std::string error;
  const size_t features = 40;
  c.json = TrainXgboostJson(MakeSyntheticData(3000, features, 3, 0.05), 12, 3, &error,
                            {{"min_child_weight", "0"}, {"colsample_bynode", "0.5"}});
  ASSERT_FALSE(c.json.empty()) << error;
  c.test = MakeSyntheticData(200, features, 4, 0.05);
  c.probability = XgboostPredict(c.json, c.test.rows, features, 0, &error);
  c.margin = XgboostPredict(c.json, c.test.rows, features, 1, &error);
  c.contributions = XgboostPredict(c.json, c.test.rows, features, 2, &error);
  ASSERT_EQ(c.contributions.size(), 200 * (features + 1)) << error;
  const TreeModel model = MustParse(c.json);
  ASSERT_GT(model.max_path_features(), static_cast<size_t>(TreeModel::kMaxTabulatedPathFeatures));
  ExpectMatchesXgboost(model, c, 1e-4);
}

TEST(TreeModelTest, ConcurrentExplainGivesTheSameValuesAsOneThread) {
  const ReferenceCase& reference = Reference(4);
  const TreeModel model = MustParse(reference.json);
  std::vector<double> expected(kTestRows * kFeatures);
  for (size_t i = 0; i < kTestRows; ++i) {
    model.Explain(reference.test.Row(i),
                  std::span<double>(expected).subspan(i * kFeatures, kFeatures));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> contributions(kFeatures);
      for (int round = 0; round < 2; ++round) {
        for (size_t i = 0; i < kTestRows; ++i) {
          model.Explain(reference.test.Row(i), contributions);
          for (size_t j = 0; j < kFeatures; ++j)
            mismatches[t] += contributions[j] != expected[i * kFeatures + j] ? 1 : 0;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

// ---- A hand-written model: one stump on "amount" -------------------------------------------

// x0 < 100 → -0.5 (cover 3), else 1.5 (cover 1); missing goes left. Mean leaf value 0.
std::string StumpJson() {
  return R"({"learner":{"attributes":{"feature_set":"v3","orderpilot_best_iteration":"0"},)"
         R"("feature_names":["amount","email_age_days"],"feature_types":["float","float"],)"
         R"("gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1",)"
         R"("num_trees":"1","size_leaf_vector":"0"},"tree_info":[0],"trees":[)"
         R"({"base_weights":[0E0,-5E-1,1.5E0],"categories":[],"categories_nodes":[],)"
         R"("categories_segments":[],"categories_sizes":[],"default_left":[1,0,0],"id":0,)"
         R"("left_children":[1,-1,-1],"loss_changes":[1E0,0E0,0E0],)"
         R"("parents":[2147483647,0,0],"right_children":[2,-1,-1],)"
         R"("split_conditions":[1E2,-5E-1,1.5E0],"split_indices":[0,0,0],)"
         R"("split_type":[0,0,0],"sum_hessian":[4E0,3E0,1E0],)"
         R"("tree_param":{"num_deleted":"0","num_feature":"2","num_nodes":"3",)"
         R"("size_leaf_vector":"0"}}]},"name":"gbtree"},)"
         R"("learner_model_param":{"base_score":"5E-1","boost_from_average":"1",)"
         R"("num_class":"0","num_feature":"2","num_target":"1"},)"
         R"("objective":{"name":"binary:logistic","reg_loss_param":{"scale_pos_weight":"1"}}},)"
         R"("version":[1,7,4]})";
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(TreeModelTest, HandWrittenStumpIsAlsoReadByXgboost) {
  std::string error;
  const std::vector<float> rows = {99, 0, 100, 0, std::numeric_limits<float>::quiet_NaN(), 0};
  const std::vector<float> margins = XgboostPredict(StumpJson(), rows, 2, 1, &error);
  ASSERT_EQ(margins.size(), 3u) << error;
  EXPECT_FLOAT_EQ(margins[0], -0.5f);
  EXPECT_FLOAT_EQ(margins[1], 1.5f);
  EXPECT_FLOAT_EQ(margins[2], -0.5f);
}

TEST(TreeModelTest, ValueEqualToThresholdGoesRight) {
  const TreeModel model = MustParse(StumpJson());
  EXPECT_DOUBLE_EQ(model.Margin(std::vector<float>{100, 0}), 1.5);
  EXPECT_DOUBLE_EQ(model.Margin(std::vector<float>{99.99f, 0}), -0.5);
}

TEST(TreeModelTest, MissingValueFollowsDefaultDirection) {
  const TreeModel model = MustParse(StumpJson());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_DOUBLE_EQ(model.Margin(std::vector<float>{nan, 0}), -0.5);
  const TreeModel right =
      MustParse(Replace(StumpJson(), R"("default_left":[1,0,0])", R"("default_left":[0,0,0])"));
  EXPECT_DOUBLE_EQ(right.Margin(std::vector<float>{nan, 0}), 1.5);
}

TEST(TreeModelTest, ProbabilityIsSigmoidOfMarginWithBaseScore) {
  const TreeModel model =
      MustParse(Replace(StumpJson(), R"("base_score":"5E-1")", R"("base_score":"2E-1")"));
  const double base = std::log(0.2 / 0.8);
  EXPECT_DOUBLE_EQ(model.base_margin(), base);
  EXPECT_DOUBLE_EQ(model.Margin(std::vector<float>{100, 0}), base + 1.5);
  EXPECT_DOUBLE_EQ(model.Probability(std::vector<float>{100, 0}),
                   1 / (1 + std::exp(-(base + 1.5))));
}

TEST(TreeModelTest, ExplainsStumpByHand) {
  const TreeModel model = MustParse(StumpJson());
  std::vector<double> contributions(2);
  // Expected value (-0.5·3 + 1.5·1) / 4 = 0; the reached leaf's value is all amount's doing.
  EXPECT_DOUBLE_EQ(model.Explain(std::vector<float>{150, 7}, contributions), 0.0);
  EXPECT_DOUBLE_EQ(contributions[0], 1.5);
  EXPECT_DOUBLE_EQ(contributions[1], 0.0);
  model.Explain(std::vector<float>{10, 7}, contributions);
  EXPECT_DOUBLE_EQ(contributions[0], -0.5);
}

TEST(TreeModelTest, ReadsFeatureNamesAndAttributes) {
  const TreeModel model = MustParse(StumpJson());
  EXPECT_THAT(model.feature_names(), ::testing::ElementsAre("amount", "email_age_days"));
  EXPECT_EQ(model.num_features(), 2u);
  EXPECT_EQ(model.num_trees(), 1u);
  EXPECT_EQ(model.max_depth(), 1);
  EXPECT_THAT(model.attributes(),
              ::testing::ElementsAre(::testing::Pair("feature_set", "v3"),
                                     ::testing::Pair("orderpilot_best_iteration", "0")));
}

TEST(TreeModelTest, NamesFeaturesF0F1WhenModelHasNoNames) {
  const TreeModel model = MustParse(Replace(
      StumpJson(), R"("feature_names":["amount","email_age_days"])", R"("feature_names":[])"));
  EXPECT_THAT(model.feature_names(), ::testing::ElementsAre("f0", "f1"));
}

TEST(TreeModelTest, LoadReadsTheFile) {
  const std::string path = ::testing::TempDir() + "/tree_model_test_stump.json";
  std::ofstream(path) << StumpJson();
  Result<TreeModel> model = TreeModel::Load(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_DOUBLE_EQ(model->Margin(std::vector<float>{100, 0}), 1.5);
  std::filesystem::remove(path);
}

TEST(TreeModelTest, LoadOfMissingFileIsNotFound) {
  Result<TreeModel> model = TreeModel::Load(::testing::TempDir() + "/no_such_model.json");
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
}

void ExpectRejected(const std::string& json, std::string_view message_part) {
  Result<TreeModel> model = TreeModel::FromXgboostJson(json);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(model.status().message(), HasSubstr(std::string(message_part)));
}

TEST(TreeModelLoadTest, RejectsTextThatIsNotJson) {
  ExpectRejected("tree 0: f0<100 yes=1,no=2", "invalid JSON");
  ExpectRejected(StumpJson().substr(0, 200), "not an XGBoost binary:logistic model");
}

TEST(TreeModelLoadTest, RejectsJsonThatIsNotAModel) {
  ExpectRejected(R"({"orders": []})", "missing object learner");
}

TEST(TreeModelLoadTest, RejectsNonBinaryObjective) {
  ExpectRejected(Replace(StumpJson(), "binary:logistic", "reg:squarederror"),
                 "objective is \"reg:squarederror\"; only binary:logistic is supported");
}

TEST(TreeModelLoadTest, RejectsTreeWithAnArrayCutShort) {
  ExpectRejected(Replace(StumpJson(), R"("sum_hessian":[4E0,3E0,1E0])", R"("sum_hessian":[4E0])"),
                 "left_children has 3 entries but sum_hessian has 1");
}

TEST(TreeModelLoadTest, RejectsTreeWithAllArraysCutShort) {
  std::string json = Replace(StumpJson(), R"("left_children":[1,-1,-1])", R"("left_children":[1])");
  json = Replace(json, R"("right_children":[2,-1,-1])", R"("right_children":[2])");
  json = Replace(json, R"("split_conditions":[1E2,-5E-1,1.5E0])", R"("split_conditions":[1E2])");
  json = Replace(json, R"("split_indices":[0,0,0])", R"("split_indices":[0])");
  json = Replace(json, R"("default_left":[1,0,0])", R"("default_left":[1])");
  json = Replace(json, R"("sum_hessian":[4E0,3E0,1E0])", R"("sum_hessian":[4E0])");
  ExpectRejected(json, "truncated");
}

TEST(TreeModelLoadTest, RejectsTreeWithoutCovers) {
  ExpectRejected(Replace(StumpJson(), R"("sum_hessian":[4E0,3E0,1E0],)", ""),
                 "missing array learner.gradient_booster.model.trees[0].sum_hessian");
}

TEST(TreeModelLoadTest, RejectsFeatureIndexOutOfRange) {
  ExpectRejected(Replace(StumpJson(), R"("split_indices":[0,0,0])", R"("split_indices":[2,0,0])"),
                 "splits on feature 2 but the model has 2 features");
}

TEST(TreeModelLoadTest, RejectsChildIndexOutOfRange) {
  ExpectRejected(
      Replace(StumpJson(), R"("right_children":[2,-1,-1])", R"("right_children":[3,-1,-1])"),
      "child index out of range");
}

TEST(TreeModelLoadTest, RejectsNodeReachedTwice) {
  ExpectRejected(
      Replace(StumpJson(), R"("right_children":[2,-1,-1])", R"("right_children":[1,-1,-1])"),
      "reached twice");
}

TEST(TreeModelLoadTest, RejectsCategoricalSplit) {
  ExpectRejected(Replace(StumpJson(), R"("split_type":[0,0,0])", R"("split_type":[1,0,0])"),
                 "categorical");
}

TEST(TreeModelLoadTest, RejectsFileThatIsNotAModel) {
  const std::string path = ::testing::TempDir() + "/tree_model_test_not_a_model.json";
  std::ofstream(path) << R"({"rules": []})";
  Result<TreeModel> model = TreeModel::Load(path);
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(model.status().message(), HasSubstr(path));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace orderpilot::risk
