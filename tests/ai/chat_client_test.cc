#include "ai/chat_client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../store/store_test_util.h"
#include "ai/sent_log.h"
#include "core/json_writer.h"
#include "core/order.h"
#include "core/order_json.h"
#include "core/time.h"
#include "fake_model_server.h"
#include "store/sqlite_store.h"

namespace orderpilot::ai {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using namespace std::chrono_literals;
using testing::Completion;
using testing::FakeModelServer;

// Answers like a model that writes back to the customer using the placeholders it was given.
FakeModelServer::Reply PoliteModel(const FakeModelServer::Received&) {
  return {200,
          Completion("Dear [CUSTOMER_NAME], we will ship to [ADDRESS_1], [POSTCODE_1] [CITY_1] "
                     "and write to [EMAIL_1]. Your card [CARD_1] was not kept.")};
}

class RecordingSentLog final : public SentLog {
 public:
  Status Record(const SentRequest& sent) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail_.ok()) return fail_;
    bodies.emplace_back(sent.body);
    endpoints.emplace_back(sent.endpoint);
    actors.emplace_back(sent.actor);
    return Status::Ok();
  }
  void FailWith(Status s) { fail_ = std::move(s); }

  std::vector<std::string> bodies;
  std::vector<std::string> endpoints;
  std::vector<std::string> actors;

 private:
  std::mutex mu_;
  Status fail_;
};

// A realistic order: two people, two emails, three phones, a French street, postcode and city,
// a company, an IP, and a card number typed into the note.
Order RealisticOrder() {
  Order o;
  o.channel = "shopify";
  o.shop = "atelier.myshopify.com";
  o.channel_order_id = "5551234567890";
  o.number = "#1042";
  o.currency = *Currency::Parse("EUR");
  o.created_at = *ParseTimestamp("2026-11-20T09:15:00Z");
  o.email = "marie.dupont@example.fr";
  o.phone = "+33 6 12 34 56 78";
  o.customer.channel_customer_id = "7001234567";
  o.customer.first_name = "Marie";
  o.customer.last_name = "Dupont";
  o.customer.email = "marie.dupont@example.fr";
  o.customer.phone = "+33612345678";
  Address ship;
  ship.first_name = "Jean";
  ship.last_name = "Lefèvre";
  ship.company = "Atelier Lumière SARL";
  ship.address1 = "12 Rue de Rivoli";
  ship.address2 = "Bâtiment B";
  ship.city = "Paris";
  ship.zip = "75001";
  ship.country = "France";
  ship.country_code = "FR";
  ship.phone = "01 42 60 30 30";
  o.shipping_address = ship;
  Address bill = ship;
  bill.first_name = "Marie";
  bill.last_name = "Dupont";
  bill.company.clear();
  bill.phone = "06.12.34.56.78";
  o.billing_address = bill;
  LineItem line;
  line.sku = "LAMP-BRASS-40";
  line.title = "Brass desk lamp";
  line.quantity = 2;
  line.unit_price = Money(4990, o.currency);
  o.line_items.push_back(line);
  o.totals.line_items = Money(9980, o.currency);
  o.totals.total = Money(9980, o.currency);
  o.client.browser_ip = "83.202.17.45";
  o.note =
      "Please call Jean on 01 42 60 30 30 before delivery, or me at 06 12 34 56 78. If the "
      "payment fails use my other card 4111 1111 1111 1111. Copy invoices to "
      "compta@atelier-lumiere.fr.";
  return o;
}

const std::string_view kPersonalValues[] = {
    "Marie",
    "Dupont",
    "Jean",
    "Lefèvre",
    "LEFÈVRE",
    "marie.dupont@example.fr",
    "compta@atelier-lumiere.fr",
    "+33 6 12 34 56 78",
    "+33612345678",
    "06 12 34 56 78",
    "06.12.34.56.78",
    "01 42 60 30 30",
    "612345678",
    "Rivoli",
    "Bâtiment B",
    "75001",
    "Paris",
    "Atelier Lumière",
    "83.202.17.45",
    "4111 1111 1111 1111",
    "4111111111111111",
};

AiOptions EnabledOptions(const FakeModelServer& server) {
  AiOptions o;
  o.enabled = true;
  o.base_url = server.base_url();
  o.api_key = "sk-test-123";
  o.model = "test-model-1";
  o.timeout = 5s;
  return o;
}

ChatRequest AskAbout(const Order& order) {
  ChatRequest r;
  r.messages.push_back({"system", "You draft replies for a shop's support team."});
  r.messages.push_back({"user", "Draft a delivery confirmation for this order:\n" +
                                    EncodeOrder(order) + "\nCustomer note: " + order.note +
                                    "\nThe customer Marie Dupont wants Jean Lefèvre to sign."});
  r.actor = "support";
  return r;
}

TEST(ChatClient, NoPersonalValueReachesTheServer) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  Order order = RealisticOrder();
  Result<ChatReply> reply = client.Complete(order, AskAbout(order));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();

  std::vector<FakeModelServer::Received> got = server.received();
  ASSERT_EQ(got.size(), 1u);
  for (std::string_view value : kPersonalValues)
    EXPECT_THAT(got[0].body, Not(HasSubstr(value))) << "leaked: " << value;
  for (std::string_view placeholder :
       {"[CUSTOMER_NAME]", "[CUSTOMER_FIRST_NAME]", "[NAME_1]", "[FIRST_NAME_1]", "[EMAIL_1]",
        "[EMAIL_2]", "[PHONE_1]", "[PHONE_2]", "[ADDRESS_1]", "[ADDRESS_2]", "[POSTCODE_1]",
        "[CITY_1]", "[COMPANY_1]", "[IP_1]", "[CARD_1]"}) {
    EXPECT_THAT(got[0].body, HasSubstr(placeholder)) << placeholder;
  }
  // What the model needs that is not personal still goes.
  EXPECT_THAT(got[0].body, HasSubstr("LAMP-BRASS-40"));
  EXPECT_THAT(got[0].body, HasSubstr("#1042"));
  EXPECT_THAT(got[0].body, HasSubstr(R"(\"country_code\":\"FR\")"));
}

TEST(ChatClient, SpeaksTheOpenAiWireFormat) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  ChatRequest request;
  request.messages.push_back({"user", "Say hello"});
  request.temperature = 0.5;
  ASSERT_TRUE(client.Complete(Order{}, request).ok());
  std::vector<FakeModelServer::Received> got = server.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].request_line, "POST /v1/chat/completions HTTP/1.1");
  EXPECT_EQ(got[0].authorization, "Bearer sk-test-123");
  EXPECT_EQ(got[0].content_type, "application/json");
  EXPECT_EQ(got[0].body,
            "{\"model\":\"test-model-1\",\"messages\":[{\"role\":\"user\",\"content\":\"Say "
            "hello\"}],\"temperature\":0.5}");
}

TEST(ChatClient, RefillsTheAnswerWithTheRealValues) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  Order order = RealisticOrder();
  Result<ChatReply> reply = client.Complete(order, AskAbout(order));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->content,
            "Dear Marie Dupont, we will ship to 12 Rue de Rivoli, 75001 Paris and write to "
            "marie.dupont@example.fr. Your card [card visa 411111…1111 removed] was not kept.");
  EXPECT_THAT(reply->redacted_content, HasSubstr("[CUSTOMER_NAME]"));
  EXPECT_EQ(reply->model, "test-model-1");
  EXPECT_EQ(reply->finish_reason, "stop");
  EXPECT_EQ(reply->usage.prompt_tokens, 120);
  EXPECT_EQ(reply->usage.completion_tokens, 30);
  EXPECT_EQ(reply->usage.total_tokens, 150);
}

TEST(ChatClient, RecordsExactlyWhatWasSentBeforeSending) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  Order order = RealisticOrder();
  Result<ChatReply> reply = client.Complete(order, AskAbout(order));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  ASSERT_EQ(log.bodies.size(), 1u);
  EXPECT_EQ(log.bodies[0], server.received().at(0).body);
  EXPECT_EQ(log.bodies[0], reply->sent_body);
  EXPECT_EQ(log.endpoints[0], server.base_url() + "/chat/completions");
  EXPECT_EQ(log.actors[0], "support");
  EXPECT_THAT(log.bodies[0], Not(HasSubstr("sk-test-123")));
}

TEST(ChatClient, SendsNothingWhenTheSentLogFails) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  log.FailWith(InternalError("disk full"));
  ChatClient client(EnabledOptions(server), log);
  Result<ChatReply> reply = client.Complete(RealisticOrder(), AskAbout(RealisticOrder()));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInternal);
  EXPECT_THAT(server.received(), IsEmpty());
}

TEST(ChatClient, RefusesWhenDisabled) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  AiOptions options = EnabledOptions(server);
  options.enabled = false;
  ChatClient client(options, log);
  Result<ChatReply> reply = client.Complete(RealisticOrder(), AskAbout(RealisticOrder()));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(reply.status().message(), HasSubstr("disabled"));
  privacy::Redactor redactor;
  EXPECT_EQ(client.Complete(redactor, AskAbout(Order{})).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_THAT(server.received(), IsEmpty());
  EXPECT_THAT(log.bodies, IsEmpty());
}

TEST(ChatClient, DefaultOptionsAreDisabled) {
  AiOptions options;
  EXPECT_FALSE(options.enabled);
  EXPECT_TRUE(ChatClient::Validate(options).ok());
}

TEST(ChatClient, RefusesWhenAPersonalValueSurvivesRedaction) {
  // The model name is not redacted; a customer named like it would leave in the body.
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  AiOptions options = EnabledOptions(server);
  options.model = "acme-dupont-7b";
  ChatClient client(options, log);
  Order order = RealisticOrder();
  Result<ChatReply> reply = client.Complete(order, AskAbout(order));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInternal);
  EXPECT_THAT(reply.status().message(), HasSubstr("refusing to send"));
  EXPECT_THAT(reply.status().message(), HasSubstr("[CUSTOMER_LAST_NAME]"));
  EXPECT_THAT(reply.status().message(), Not(HasSubstr("Dupont")));
  EXPECT_THAT(server.received(), IsEmpty());
  EXPECT_THAT(log.bodies, IsEmpty());
}

TEST(ChatClient, UnauthorizedQuotesTheVendorsMessage) {
  FakeModelServer server([](const FakeModelServer::Received&) {
    return FakeModelServer::Reply{
        401,
        R"({"error":{"message":"Incorrect API key provided: sk-tes***123.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"};
  });
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(reply.status().message(), HasSubstr("HTTP 401"));
  EXPECT_THAT(reply.status().message(), HasSubstr("Incorrect API key provided"));
  EXPECT_THAT(reply.status().message(), HasSubstr("invalid_api_key"));
  EXPECT_THAT(reply.status().message(), HasSubstr("ai.api_key"));
}

TEST(ChatClient, ServerErrorIsUnavailable) {
  FakeModelServer server([](const FakeModelServer::Received&) {
    return FakeModelServer::Reply{
        500, R"({"error":{"message":"The server had an error while processing your request."}})"};
  });
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("HTTP 500"));
  EXPECT_THAT(reply.status().message(), HasSubstr("The server had an error"));
}

TEST(ChatClient, RateLimitIsResourceExhausted) {
  FakeModelServer server([](const FakeModelServer::Received&) {
    return FakeModelServer::Reply{429, R"({"error":{"message":"Rate limit reached"}})"};
  });
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
  EXPECT_EQ(reply.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(reply.status().message(), HasSubstr("Rate limit reached"));
}

TEST(ChatClient, GarbageIsAClearError) {
  for (std::string body : {std::string("<html>Bad gateway</html>"), std::string("{\"choices\":[]}"),
                           std::string("{\"choices\":[{\"message\":{\"content\":null}}]}"),
                           std::string("{\"choices\":[{\"message\":{\"content\":42}}]}"),
                           std::string("{\"choices\":[{\"mess")}) {
    FakeModelServer server([body](const FakeModelServer::Received&) {
      return FakeModelServer::Reply{200, body};
    });
    RecordingSentLog log;
    ChatClient client(EnabledOptions(server), log);
    Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
    ASSERT_FALSE(reply.ok()) << body;
    EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << body;
    EXPECT_THAT(reply.status().message(), HasSubstr("malformed response")) << body;
  }
}

TEST(ChatClient, NonJsonErrorBodyIsQuoted) {
  FakeModelServer server([](const FakeModelServer::Received&) {
    return FakeModelServer::Reply{502, "upstream\r\nconnect error"};
  });
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("HTTP 502: body: upstream  connect error"));
}

TEST(ChatClient, TimesOut) {
  FakeModelServer server([](const FakeModelServer::Received&) {
    return FakeModelServer::Reply{0, "", true};
  });
  RecordingSentLog log;
  AiOptions options = EnabledOptions(server);
  options.timeout = 300ms;
  ChatClient client(options, log);
  auto start = std::chrono::steady_clock::now();
  Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("timed out after 300 ms"));
  EXPECT_LT(took, 3s);
  EXPECT_EQ(log.bodies.size(), 1u);  // recorded: it did leave the machine
}

TEST(ChatClient, UnreachableServerIsUnavailable) {
  uint16_t port;
  {
    FakeModelServer server(PoliteModel);
    port = server.port();
  }
  RecordingSentLog log;
  AiOptions options;
  options.enabled = true;
  options.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  options.model = "m";
  options.timeout = 2s;
  ChatClient client(options, log);
  Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("connecting"));
}

TEST(ChatClient, HttpsToAPlainServerFailsTheHandshake) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  AiOptions options = EnabledOptions(server);
  options.base_url = "https://127.0.0.1:" + std::to_string(server.port()) + "/v1";
  options.timeout = 2s;
  ChatClient client(options, log);
  Result<ChatReply> reply = client.Complete(Order{}, AskAbout(Order{}));
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("TLS handshake"));
}

TEST(ChatClient, ValidatesOptions) {
  AiOptions o;
  o.enabled = true;
  o.model = "m";
  o.base_url = "";
  EXPECT_EQ(ChatClient::Validate(o).field(), "ai.base_url");
  o.base_url = "ftp://example.com";
  EXPECT_EQ(ChatClient::Validate(o).field(), "ai.base_url");
  o.base_url = "http://api.example.com/v1";  // clear text to a remote host
  EXPECT_THAT(ChatClient::Validate(o).message(), HasSubstr("loopback"));
  o.allow_plain_http = true;
  EXPECT_TRUE(ChatClient::Validate(o).ok());
  o.allow_plain_http = false;
  for (std::string_view url : {"https://api.openai.com/v1", "http://localhost:11434/v1",
                               "http://[::1]:8080/v1/", "http://127.0.0.2"}) {
    o.base_url = std::string(url);
    EXPECT_TRUE(ChatClient::Validate(o).ok()) << url;
  }
  o.base_url = "https://api.example.com:99999/v1";
  EXPECT_EQ(ChatClient::Validate(o).field(), "ai.base_url");
  o.base_url = "https://user:pw@api.example.com/v1";
  EXPECT_EQ(ChatClient::Validate(o).field(), "ai.base_url");
  o.base_url = "https://api.example.com/v1";
  o.model = "";
  EXPECT_EQ(ChatClient::Validate(o).field(), "ai.model");
  o.model = "m";
  o.timeout = 0ms;
  EXPECT_EQ(ChatClient::Validate(o).field(), "ai.timeout_ms");
}

TEST(ChatClient, RejectsBadRequests) {
  FakeModelServer server(PoliteModel);
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  ChatRequest empty;
  EXPECT_EQ(client.Complete(Order{}, empty).status().code(), StatusCode::kInvalidArgument);
  ChatRequest bad_role;
  bad_role.messages.push_back({"tool", "x"});
  EXPECT_EQ(client.Complete(Order{}, bad_role).status().code(), StatusCode::kInvalidArgument);
  ChatRequest hot;
  hot.messages.push_back({"user", "x"});
  hot.temperature = 3;
  EXPECT_EQ(client.Complete(Order{}, hot).status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(server.received(), IsEmpty());
}

TEST(ChatClient, ACallersRedactorKeepsItsPlaceholdersAcrossRequests) {
  FakeModelServer server([](const FakeModelServer::Received&) {
    return FakeModelServer::Reply{200, Completion("Noted: [EMAIL_2] and [PHONE_1].")};
  });
  RecordingSentLog log;
  ChatClient client(EnabledOptions(server), log);
  privacy::Redactor redactor(RealisticOrder(), {{privacy::ValueKind::kName, "Paul Martin"}});
  ChatRequest first;
  first.messages.push_back({"user", "Paul Martin wrote from paul@martin.example"});
  ASSERT_TRUE(client.Complete(redactor, first).ok());
  ChatRequest second;
  second.messages.push_back({"user", "Is paul@martin.example the same as 06 12 34 56 78?"});
  Result<ChatReply> reply = client.Complete(redactor, second);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  std::vector<FakeModelServer::Received> got = server.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_THAT(got[0].body, HasSubstr("[NAME_2] wrote from [EMAIL_2]"));
  EXPECT_THAT(got[1].body, HasSubstr("Is [EMAIL_2] the same as [PHONE_1]?"));
  EXPECT_EQ(reply->content, "Noted: paul@martin.example and +33 6 12 34 56 78.");
}

// The audit implementation: the sent body lands in the store's audit chain.
using store::testing::TempDir;

TEST(AuditSentLog, AppendsTheSentBodyToTheAuditChain) {
  TempDir dir;
  ManualClock clock(*ParseTimestamp("2026-11-23T10:00:00Z"));
  store::SqliteOptions so;
  so.path = dir.path() + "/orderpilot.db";
  so.clock = &clock;
  Result<std::unique_ptr<store::SqliteStore>> db = store::SqliteStore::Open(so);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  AuditSentLog log(**db);

  FakeModelServer server(PoliteModel);
  ChatClient client(EnabledOptions(server), log);
  Order order = RealisticOrder();
  Result<ChatReply> reply = client.Complete(order, AskAbout(order));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();

  Result<std::vector<store::Event>> events = (*db)->ReadStream("ai");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  const store::Event& e = events->at(0);
  EXPECT_EQ(e.type, "ai.request_sent");
  EXPECT_EQ(e.actor, "support");
  JsonWriter want;
  want.BeginObject()
      .Field("endpoint", server.base_url() + "/chat/completions")
      .Field("body", server.received().at(0).body)
      .Field("model", "test-model-1")
      .EndObject();
  EXPECT_EQ(e.payload, want.str());
  for (std::string_view value : kPersonalValues)
    EXPECT_THAT(e.payload, Not(HasSubstr(value))) << "leaked into the audit log: " << value;
}

TEST(AuditSentLog, ActorDefaultsToAi) {
  TempDir dir;
  ManualClock clock(*ParseTimestamp("2026-11-23T10:00:00Z"));
  store::SqliteOptions so;
  so.path = dir.path() + "/orderpilot.db";
  so.clock = &clock;
  Result<std::unique_ptr<store::SqliteStore>> db = store::SqliteStore::Open(so);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  AuditSentLog log(**db);
  ASSERT_TRUE(log.Record({"http://127.0.0.1:1/v1/chat/completions", "{}", "m", ""}).ok());
  Result<std::vector<store::Event>> events = (*db)->ReadStream("ai");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->at(0).actor, "ai");
}

}  // namespace
}  // namespace orderpilot::ai
