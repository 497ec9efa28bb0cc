// `orderpilot risk train|eval` as a user runs them: the real binary on a labelled CSV written
// here (our canonical columns, and another file's columns through --map), the time-ordered and
// the random split, a saved model evaluated again, and clear one-line errors for bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "server_process.h"

namespace orderpilot::testing {
namespace {

// A month of orders, one every 40 min, 1 in 10 fraudulent. Frauds carry tells the screen sees:
// the account was created seconds before the order, and fraud rings share a few devices.
// Good orders come from accounts weeks old, each on its own device. The header uses `header`'s
// names for created_at, customer_created_at and label.
std::string LabelledCsv(int rows, const std::string& created, const std::string& signup,
                        const std::string& label) {
  std::mt19937 rng(7);
  std::string csv =
      "order_id," + created + ",customer_id," + signup + ",total,device," + label + ",email\n";
  for (int i = 0; i < rows; ++i) {
    const bool fraud = rng() % 10 == 0;
    const int64_t t = 1767225600 + int64_t{i} * 2400;  // 2026-01-01T00:00Z + 40 min steps
    const int64_t signup = fraud ? t - 2 - static_cast<int64_t>(rng() % 20)
                                 : t - 86400 * (20 + static_cast<int64_t>(rng() % 300));
    auto iso = [](int64_t s) {
      char buf[32];
      std::time_t tt = static_cast<std::time_t>(s);
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
      return std::string(buf);
    };
    const std::string device =
        fraud ? "ring-" + std::to_string(rng() % 3) : "dev-" + std::to_string(i);
    csv += "#" + std::to_string(1000 + i) + "," + iso(t) + ",c" + std::to_string(i) + "," +
           iso(signup) + "," + std::to_string(20 + rng() % 200) + "," + device + "," +
           (fraud ? "1" : "0") + ",buyer" + std::to_string(i) + "@example.com\n";
  }
  return csv;
}

// The number after `key` in `out` ("ROC-AUC 0.913" → 0.913), or -1.
double Figure(const std::string& out, const std::string& key) {
  size_t at = out.find(key + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(out.c_str() + at + key.size() + 1, nullptr);
}

class RiskCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/history.csv";
    std::ofstream(data_) << LabelledCsv(1200, "created_at", "customer_created_at", "label");
  }
  TempDir dir_;
  std::string data_;
};

TEST_F(RiskCliTest, TrainsOnATimeOrderedSplitAndEvaluatesTheSavedModel) {
  const std::string model = dir_.path() + "/model.json";
  auto [code, out] = RunCli("risk train --data " + data_ + " --out " + model);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("read 1200 labelled orders"), std::string::npos) << out;
  EXPECT_NE(out.find("time-ordered split: train 960 orders 2026-01-01 .. "), std::string::npos)
      << out;
  EXPECT_NE(out.find("validate 240 orders"), std::string::npos) << out;
  EXPECT_NE(out.find("(240 rows,"), std::string::npos) << out;  // the figures are on that part
  // Seconds-old accounts on shared devices are easy to tell apart: the figures must show it.
  EXPECT_GT(Figure(out, "ROC-AUC"), 0.95) << out;
  EXPECT_GT(Figure(out, "PR-AUC"), 0.8) << out;
  ASSERT_TRUE(std::filesystem::exists(model));

  auto [eval_code, eval_out] = RunCli("risk eval --model " + model + " --data " + data_);
  ASSERT_EQ(eval_code, 0) << eval_out;
  EXPECT_GT(Figure(eval_out, "ROC-AUC"), 0.95) << eval_out;
  EXPECT_GE(Figure(eval_out, "recall@2% review"), 0) << eval_out;
}

TEST_F(RiskCliTest, RandomSplitIsSeededAndSaysWhatItIs) {
  auto [code, out] = RunCli("risk train --data " + data_ + " --split random --seed 3 --out " +
                            dir_.path() + "/a.json");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("random split (seed 3; for comparison only"), std::string::npos) << out;
  EXPECT_EQ(out.find("time-ordered split"), std::string::npos) << out;
  auto [again_code, again] = RunCli("risk train --data " + data_ + " --split random --seed 3 " +
                                    "--out " + dir_.path() + "/b.json");
  ASSERT_EQ(again_code, 0) << again;
  // The same seed gives the same split, hence the same figures.
  auto figures = [](const std::string& text) {
    size_t at = text.find("validation:");
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_FALSE(figures(out).empty()) << out;
  EXPECT_EQ(figures(out), figures(again));
}

TEST_F(RiskCliTest, MapsAnotherFilesColumns) {
  const std::string theirs = dir_.path() + "/theirs.csv";
  std::ofstream(theirs) << LabelledCsv(600, "purchase_time", "signup_time", "class");
  auto [code, out] =
      RunCli("risk train --data " + theirs + " --out " + dir_.path() + "/m.json" +
             " --map created_at=purchase_time --map customer_created_at=signup_time" +
             " --map label=class");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("read 600 labelled orders"), std::string::npos) << out;

  // Without the mapping the required column is missing: one line naming it, exit 2.
  auto [bad_code, bad] = RunCli("risk train --data " + theirs + " --out " + dir_.path() + "/x");
  EXPECT_EQ(bad_code, 2) << bad;
  EXPECT_NE(bad.find("column 'created_at' not found"), std::string::npos) << bad;
  EXPECT_EQ(bad.find('\n'), bad.size() - 1) << bad;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/x"));
}

TEST_F(RiskCliTest, RefusesBadFlagsWithOneLine) {
  auto [code, out] =
      RunCli("risk train --data " + data_ + " --split sideways --out " + dir_.path() + "/m");
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("sideways"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/m"));

  auto [map_code, map_out] =
      RunCli("risk train --data " + data_ + " --map created_at" + " --out " + dir_.path() + "/m");
  EXPECT_EQ(map_code, 2) << map_out;
  EXPECT_NE(map_out.find("is not ours=theirs"), std::string::npos) << map_out;

  auto [eval_code, eval_out] =
      RunCli("risk eval --model " + dir_.path() + "/absent.json --data " + data_);
  EXPECT_EQ(eval_code, 2) << eval_out;
  EXPECT_NE(eval_out.find("absent.json"), std::string::npos) << eval_out;
}

}  // namespace
}  // namespace orderpilot::testing
