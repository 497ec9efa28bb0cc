// `orderpilot ai ask` (app/ai_cli.h) end to end below the command line: a real data directory
// (SQLite + keys.db, order sealed at rest), a real HTTP request to a loopback server speaking the
// OpenAI wire format, and the audit chain.
#include "app/ai_cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "../ai/fake_model_server.h"
#include "../store/store_test_util.h"
#include "app/audit_cli.h"
#include "app/server.h"
#include "core/order_json.h"
#include "privacy/sealed_store.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {
namespace {

using ai::testing::Completion;
using ai::testing::FakeModelServer;
using store::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

// What a FILE* received (tmpfile), as text.
class Capture {
 public:
  Capture() : f_(std::tmpfile()) {}
  ~Capture() { std::fclose(f_); }
  std::FILE* get() const { return f_; }
  std::string Text() const {
    std::fflush(f_);
    std::rewind(f_);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f_)) > 0) out.append(buf, n);
    return out;
  }

 private:
  std::FILE* f_;
};

class AiAskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    config_.data_dir = dir_.path();
    config_.privacy.master_keys = {std::string(64, 'c')};
    config_.ai.enabled = true;
    config_.ai.base_url = model_.base_url();
    config_.ai.model = "test-model";
    config_.ai.api_key = "sk-test-key";
    // One order about a known customer, stored (sealed) the way the webhook path stores it.
    SystemClock clock;
    auto data = OpenSealedData(config_, clock, nullptr);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    Order o = store::testing::MakeOrder("5001");
    o.email = "camille.martin@example.org";
    o.customer.first_name = "Camille";
    o.customer.last_name = "Martin";
    o.customer.email = "camille.martin@example.org";
    o.note = "Ring Camille at +33 6 98 76 54 32";
    LineItem line;
    line.sku = "MUG-BLUE";
    line.title = "Blue mug";
    line.quantity = 1;
    line.unit_price = o.totals.total;
    o.line_items.push_back(line);
    o.totals.line_items = o.totals.total;
    store::Delivery d =
        store::testing::OrderDelivery(store::DeliveryKind::kOrderCreate, "5001", "wh-5001");
    d.order = o;
    d.payload_json = EncodeOrder(o);
    d.raw_body = d.payload_json;
    auto out = data->store->Ingest(d);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    order_id_ = out->order_id.value();
    // At rest, the name is not readable.
    const std::string at_rest = store::testing::QueryText(
        dir_.path() + "/orderpilot.db", "SELECT body FROM webhooks WHERE webhook_id = 'wh-5001'");
    ASSERT_THAT(at_rest, Not(HasSubstr("Martin")));
  }

  FakeModelServer model_{[](const FakeModelServer::Received&) {
    return FakeModelServer::Reply{
        200, Completion("Write to [CUSTOMER_NAME] at [EMAIL_1]: the parcel leaves today.")};
  }};
  TempDir dir_;
  Config config_;
  int64_t order_id_ = 0;
};

TEST_F(AiAskTest, AnswersWithRealValuesAndSendsOnlyPlaceholders) {
  Capture out, err;
  const int code =
      AiAskCommand(config_, {order_id_, "Draft a shipping note.", false}, out.get(), err.get());
  ASSERT_EQ(code, 0) << err.Text();
  EXPECT_THAT(out.Text(), HasSubstr("Write to Camille Martin at camille.martin@example.org"));

  const auto received = model_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].authorization, "Bearer sk-test-key");
  for (const char* personal : {"Camille", "Martin", "camille.martin", "98 76 54 32"}) {
    EXPECT_THAT(received[0].body, Not(HasSubstr(personal))) << personal;
  }
  EXPECT_THAT(received[0].body, HasSubstr("[CUSTOMER_NAME]"));
  EXPECT_THAT(received[0].body, HasSubstr("Draft a shipping note."));

  // The exact body is in the audit chain, and the chain still verifies.
  const std::string recorded = store::testing::QueryText(
      dir_.path() + "/orderpilot.db",
      "SELECT json_extract(payload, '$.body') FROM events WHERE stream = 'ai' AND type = "
      "'ai.request_sent'");
  EXPECT_EQ(recorded, received[0].body);
  EXPECT_EQ(store::testing::QueryText(dir_.path() + "/orderpilot.db",
                                      "SELECT actor FROM events WHERE stream = 'ai'"),
            "cli");
  Capture vout, verr;
  EXPECT_EQ(AuditVerifyCommand(config_, vout.get(), verr.get()), 0) << verr.Text();
}

TEST_F(AiAskTest, JsonOutputCarriesTheSentBody) {
  Capture out, err;
  ASSERT_EQ(AiAskCommand(config_, {order_id_, "Summarise.", true}, out.get(), err.get()), 0)
      << err.Text();
  const std::string text = out.Text();
  EXPECT_THAT(text, HasSubstr("\"model\":\"test-model-1\""));
  EXPECT_THAT(text, HasSubstr("\"total_tokens\":150"));
  EXPECT_THAT(text, HasSubstr("\"sent_body\":"));
  EXPECT_THAT(text, HasSubstr("Camille Martin"));  // in the answer, refilled locally
}

TEST_F(AiAskTest, DisabledSendsNothing) {
  config_.ai.enabled = false;
  Capture out, err;
  EXPECT_EQ(AiAskCommand(config_, {order_id_, "Anything?", false}, out.get(), err.get()), 2);
  EXPECT_EQ(err.Text(), "orderpilot: ai: disabled in config (ai.enabled: false)\n");
  EXPECT_TRUE(model_.received().empty());
}

TEST_F(AiAskTest, AnUnknownOrderIsOneLineAndSendsNothing) {
  Capture out, err;
  EXPECT_EQ(AiAskCommand(config_, {order_id_ + 100, "Anything?", false}, out.get(), err.get()), 1);
  EXPECT_THAT(err.Text(), HasSubstr("orderpilot: "));
  EXPECT_EQ(err.Text().find('\n'), err.Text().size() - 1);
  EXPECT_TRUE(model_.received().empty());
}

TEST_F(AiAskTest, AnEmptyQuestionIsRefused) {
  Capture out, err;
  EXPECT_EQ(AiAskCommand(config_, {order_id_, "  \n", false}, out.get(), err.get()), 2);
  EXPECT_THAT(err.Text(), HasSubstr("--question"));
  EXPECT_TRUE(model_.received().empty());
}

}  // namespace
}  // namespace orderpilot::app
