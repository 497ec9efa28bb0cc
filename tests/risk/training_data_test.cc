#include "risk/training_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace orderpilot::risk {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kSecond = 1000000;

float At(const FeatureRows& f, size_t row, Signal s) {
  return f.rows[row * kSignalCount + static_cast<size_t>(s)];
}

class TrainingDataTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("td_" + std::to_string(::getpid()) + "_" + name))
            .string();
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const std::string& p : paths_) std::filesystem::remove(p);
  }
  std::vector<std::string> paths_;
};

TEST(LabelledTimeTest, IsoAndUsStyleTimesInUtc) {
  EXPECT_EQ(ParseLabelledTime("1/1/15 0:12")->micros, (1420070400 + 12 * 60) * kSecond);
  EXPECT_EQ(ParseLabelledTime("12/31/2015 23:59:30")->micros, int64_t{1451606370} * kSecond);
  EXPECT_EQ(ParseLabelledTime("2/29/16 12:00")->micros, int64_t{1456747200} * kSecond);
  EXPECT_EQ(ParseLabelledTime("1/1/70 0:00")->micros, 0);  // 69–99 are 19xx
  EXPECT_EQ(ParseLabelledTime("2015-01-01T00:12:00Z")->micros, (1420070400 + 720) * kSecond);
  EXPECT_EQ(ParseLabelledTime("2015-01-01 00:12")->micros, (1420070400 + 720) * kSecond);
  EXPECT_EQ(ParseLabelledTime("2015-01-01")->micros, int64_t{1420070400} * kSecond);
  EXPECT_EQ(ParseLabelledTime("2015-01-01T01:00:00+01:00")->micros, int64_t{1420070400} * kSecond);
  for (const char* bad : {"", "2/30/15 0:00", "13/1/15 0:00", "1/1/15 24:00", "1/1/15 0:7x",
                          "1/1/015 0:00", "yesterday", "1/1/15 0:00 PM"}) {
    EXPECT_FALSE(ParseLabelledTime(bad).ok()) << bad;
  }
}

TEST_F(TrainingDataTest, ReadsOurCanonicalColumns) {
  const std::string path =
      Write("canonical.csv",
            "order_id,created_at,customer_id,customer_created_at,email,total,currency,device,ip,"
            "card_bin,avs,cvv,failed_payments,billing_country,billing_zip,billing_name,"
            "shipping_country,shipping_zip,shipping_name,shipping_address1,shipping_method,skus,"
            "label,extra\n"
            "A1,2024-03-01T10:00:00Z,c1,2024-03-01T09:59:56Z,x@mailinator.com,19.99,EUR,d1,"
            "203.0.113.7,424242,N,N,2,DE,10115,Jane Smith,FR,75001,Boris Q. Ivanov,1 Rue X,Express,"
            "GIFT:3;SOCK,fraud,ignored\n"
            "A2,2024-03-01T11:00:00Z,,,,5,,,,,,,,,,,,,,,,,ok,\n");
  auto orders = ReadLabelledCsv(path, {});
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  ASSERT_EQ(orders->size(), 2u);
  const Order& o = (*orders)[0].order;
  EXPECT_EQ((*orders)[0].label, 1);
  EXPECT_EQ((*orders)[1].label, 0);
  EXPECT_EQ(o.channel_order_id, "A1");
  EXPECT_EQ(o.currency.code(), "EUR");
  EXPECT_EQ(o.totals.total, Money(1999, o.currency));
  EXPECT_EQ(o.customer.channel_customer_id, "c1");
  ASSERT_TRUE(o.customer.created_at);
  EXPECT_EQ(o.created_at.micros - o.customer.created_at->micros, 4 * kSecond);
  EXPECT_EQ(o.client.session_hash, "d1");
  EXPECT_EQ(o.client.browser_ip, "203.0.113.7");
  EXPECT_EQ(o.payment.card_bin, "424242");
  EXPECT_EQ(o.payment.failed_attempts, 2);
  ASSERT_TRUE(o.billing_address && o.shipping_address);
  EXPECT_EQ(o.billing_address->country_code, "DE");
  EXPECT_EQ(o.billing_address->first_name, "Jane");
  EXPECT_EQ(o.shipping_address->first_name, "Boris Q.");
  EXPECT_EQ(o.shipping_address->last_name, "Ivanov");
  EXPECT_EQ(o.shipping_address->address1, "1 Rue X");
  ASSERT_EQ(o.shipping_lines.size(), 1u);
  EXPECT_EQ(o.shipping_lines[0].title, "Express");
  ASSERT_EQ(o.line_items.size(), 2u);
  EXPECT_EQ(o.line_items[0].sku, "GIFT");
  EXPECT_EQ(o.line_items[0].quantity, 3);
  EXPECT_EQ(o.line_items[1].quantity, 1);
  const Order& second = (*orders)[1].order;
  EXPECT_EQ(second.currency.code(), "USD");  // the default
  EXPECT_FALSE(second.billing_address);
  EXPECT_FALSE(second.customer.created_at);

  std::vector<LabelledOrder> list = std::move(orders).value();
  const FeatureRows f = BuildFeatureRows(list, {});
  ASSERT_EQ(f.num_rows(), 2u);
  EXPECT_EQ(At(f, 0, Signal::kAccountAgeS), 4.f);
  EXPECT_EQ(At(f, 0, Signal::kEmailDisposable), 1.f);
  EXPECT_EQ(At(f, 0, Signal::kCvvMismatch), 1.f);
  EXPECT_EQ(At(f, 0, Signal::kBillingShippingCountryMismatch), 1.f);
  EXPECT_EQ(At(f, 0, Signal::kExpressMismatch), 1.f);
  EXPECT_EQ(At(f, 0, Signal::kMaxUnitsOneSku), 3.f);
  EXPECT_TRUE(std::isnan(At(f, 1, Signal::kAccountAgeS)));
}

TEST_F(TrainingDataTest, MappingRenamesTheFilesColumns) {
  const std::string path = Write("mapped.csv",
                                 "user_id,signup_time,purchase_time,purchase_value,device_id,"
                                 "source,browser,sex,age,class\n"
                                 "1,1/1/15 0:00,1/1/15 0:00,14,DEV,Ads,Chrome,F,38,1\n"
                                 "2,1/1/15 0:00,1/1/15 0:05,63,DEV,SEO,Chrome,M,31,1\n"
                                 "3,12/1/14 9:00,1/2/15 10:00,20,OTHER,SEO,Safari,M,40,0\n");
  const std::map<std::string, std::string> mapping = {
      {"created_at", "purchase_time"}, {"customer_created_at", "signup_time"},
      {"total", "purchase_value"},     {"device", "device_id"},
      {"customer_id", "user_id"},      {"label", "class"}};
  auto orders = ReadLabelledCsv(path, mapping);
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  ASSERT_EQ(orders->size(), 3u);
  EXPECT_EQ((*orders)[1].order.totals.total.minor_units(), 6300);
  EXPECT_EQ((*orders)[1].order.client.session_hash, "DEV");
  std::vector<LabelledOrder> list = std::move(orders).value();
  const FeatureRows f = BuildFeatureRows(list, {});
  ASSERT_EQ(f.num_rows(), 3u);
  EXPECT_EQ(f.labels, (std::vector<float>{1, 1, 0}));
  EXPECT_EQ(At(f, 0, Signal::kAccountAgeS), 0.f);
  EXPECT_EQ(At(f, 1, Signal::kAccountAgeS), 300.f);
  EXPECT_EQ(At(f, 1, Signal::kVelocityDevice10m), 2.f);
  EXPECT_EQ(At(f, 2, Signal::kVelocityDevice24h), 1.f);
  EXPECT_EQ(At(f, 0, Signal::kFirstOrder), 1.f);
}

TEST_F(TrainingDataTest, BuildFeatureRowsSortsByTimeStably) {
  const std::string path = Write("unsorted.csv",
                                 "order_id,created_at,device,label\n"
                                 "late,2024-01-01T12:00:00Z,d,0\n"
                                 "early-a,2024-01-01T10:00:00Z,d,1\n"
                                 "early-b,2024-01-01T10:00:00Z,d,0\n");
  auto orders = ReadLabelledCsv(path, {});
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  std::vector<LabelledOrder> list = std::move(orders).value();
  const FeatureRows f = BuildFeatureRows(list, {});
  EXPECT_EQ(list[0].order.channel_order_id, "early-a");
  EXPECT_EQ(list[1].order.channel_order_id, "early-b");
  EXPECT_EQ(list[2].order.channel_order_id, "late");
  EXPECT_EQ(f.labels, (std::vector<float>{1, 0, 0}));
  EXPECT_TRUE(std::is_sorted(f.times.begin(), f.times.end()));
  EXPECT_EQ(At(f, 1, Signal::kVelocityDevice10m), 2.f);
  EXPECT_EQ(At(f, 2, Signal::kVelocityDevice1h), 1.f);
  EXPECT_EQ(At(f, 2, Signal::kVelocityDevice24h), 3.f);
  EXPECT_EQ(f.rows.size(), 3 * kSignalCount);
}

TEST_F(TrainingDataTest, MissingColumnsSuggestTheClosestName) {
  const std::string path = Write("cols.csv", "purchase_time,class\n1/1/15 0:00,1\n");
  auto typo = ReadLabelledCsv(path, {{"created_at", "purchse_time"}, {"label", "class"}});
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(typo.status().message(),
              HasSubstr("column 'purchse_time' not found (did you mean 'purchase_time'?)"));

  auto unmapped = ReadLabelledCsv(path, {});
  ASSERT_FALSE(unmapped.ok());
  EXPECT_THAT(unmapped.status().message(), HasSubstr("column 'created_at' not found"));
  EXPECT_THAT(unmapped.status().message(), HasSubstr("created_at=COLUMN"));

  auto bad_key = ReadLabelledCsv(path, {{"create_at", "purchase_time"}});
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.status().message(),
            "unknown column 'create_at' in the mapping (did you mean 'created_at'?)");
}

TEST_F(TrainingDataTest, BadRowsNameFileAndLine) {
  const std::string bad_time = Write("bad_time.csv",
                                     "created_at,label\n"
                                     "2024-01-01,1\n"
                                     "someday,0\n");
  auto t = ReadLabelledCsv(bad_time, {});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("bad_time.csv:3: 'someday' is not a time"));

  const std::string bad_label = Write("bad_label.csv", "created_at,label\n2024-01-01,maybe\n");
  auto l = ReadLabelledCsv(bad_label, {});
  ASSERT_FALSE(l.ok());
  EXPECT_THAT(l.status().message(), HasSubstr("bad_label.csv:2: label 'maybe'"));

  const std::string bad_total = Write("bad_total.csv",
                                      "created_at,total,label\n"
                                      "2024-01-01,1.999,1\n");
  auto m = ReadLabelledCsv(bad_total, {});
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("bad_total.csv:2: total '1.999'"));

  EXPECT_EQ(ReadLabelledCsv("/nonexistent/x.csv", {}).status().code(), StatusCode::kNotFound);
}

TEST_F(TrainingDataTest, LabelsAcceptTheUsualSpellings) {
  const std::string path = Write("labels.csv",
                                 "created_at,label\n2024-01-01,TRUE\n2024-01-01,false\n"
                                 "2024-01-01,Fraud\n2024-01-01,OK\n2024-01-01, 1 \n");
  auto orders = ReadLabelledCsv(path, {});
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  std::vector<int> labels;
  for (const LabelledOrder& o : *orders) labels.push_back(o.label);
  EXPECT_EQ(labels, (std::vector<int>{1, 0, 1, 0, 1}));
}

TEST(SignalNamesForModelTest, OneNamePerSignalInSignalOrder) {
  const std::vector<std::string> names = SignalNames();
  ASSERT_EQ(names.size(), kSignalCount);
  EXPECT_EQ(names.front(), "order_value");
  EXPECT_EQ(names.back(), "failed_payments");
}

// The shared public e-commerce fraud data set (evaluation only; never copied into the project).
TEST(SharedCorpusTest, FraudTrainingSetLoadsAndShowsDeviceBursts) {
  const std::string path = std::string(OP_CORPUS_DIR) + "/fraud/train.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  const std::map<std::string, std::string> mapping = {
      {"created_at", "purchase_time"}, {"customer_created_at", "signup_time"},
      {"total", "purchase_value"},     {"device", "device_id"},
      {"customer_id", "user_id"},      {"label", "class"}};
  const auto start = std::chrono::steady_clock::now();
  auto orders = ReadLabelledCsv(path, mapping);
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  EXPECT_EQ(orders->size(), 36182u);
  RecordProperty("load_seconds", std::to_string(load_s));
  std::vector<LabelledOrder> list = std::move(orders).value();
  const FeatureRows f = BuildFeatureRows(list, {});
  ASSERT_EQ(f.num_rows(), 36182u);
  int positives = 0;
  for (float l : f.labels) positives += l > 0.5f;
  EXPECT_EQ(positives, 4147);
  // HGVNRPOHIBZLJ was used for 9 purchases within one minute on 2015-01-01 (the most in an hour).
  float burst = 0;
  float max_device_1h = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    max_device_1h = std::max(max_device_1h, At(f, i, Signal::kVelocityDevice1h));
    if (list[i].order.client.session_hash == "HGVNRPOHIBZLJ") {
      burst = std::max(burst, At(f, i, Signal::kVelocityDevice1h));
    }
  }
  EXPECT_EQ(burst, 9.f);
  EXPECT_EQ(max_device_1h, 9.f);
  // Bursts are where the fraud is: orders in a device burst are mostly labelled fraud.
  int burst_orders = 0;
  int burst_fraud = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (At(f, i, Signal::kVelocityDevice1h) >= 3) {
      ++burst_orders;
      burst_fraud += list[i].label;
    }
  }
  EXPECT_GT(burst_orders, 100);
  EXPECT_GT(static_cast<double>(burst_fraud) / burst_orders, 0.8);
}

}  // namespace
}  // namespace orderpilot::risk
