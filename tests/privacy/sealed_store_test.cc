#include "privacy/sealed_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "../store/store_test_util.h"
#include "core/order_json.h"
#include "privacy/field_seal.h"
#include "privacy/keyring.h"
#include "privacy/privacy_request.h"
#include "store/audit_chain.h"
#include "store/sqlite_store.h"

namespace orderpilot::privacy {
namespace {

using store::Delivery;
using store::DeliveryKind;
using store::testing::QueryInt;
using store::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kShop[] = "example.myshopify.com";
constexpr char kMasterHex[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

Order CustomerOrder(const std::string& id, const std::string& email, const std::string& name,
                    const std::string& street) {
  Order o = store::testing::MakeOrder(id, 4999);
  o.email = email;
  o.phone = "+1 613-555-0" + id.substr(id.size() - 3);
  o.customer.email = email;
  o.customer.first_name = name;
  o.customer.last_name = "Tremblay";
  o.customer.channel_customer_id = "77" + id;
  Address a;
  a.first_name = name;
  a.last_name = "Tremblay";
  a.address1 = street;
  a.city = "Ottawa";
  a.zip = "K1A 0B1";
  a.country_code = "CA";
  a.phone = o.phone;
  o.shipping_address = a;
  o.billing_address = a;
  o.client.browser_ip = "203.0.113.77";
  o.note = "Leave it with " + name + " at the back door";
  LineItem li;
  li.sku = "NW-TEE-ORG-BLK-M";
  li.title = "Organic tee";
  li.quantity = 2;
  li.unit_price = Money(2000, o.currency);
  li.requires_shipping = true;
  o.line_items.push_back(li);
  return o;
}

Delivery OrderWebhook(const Order& o, const std::string& webhook_id) {
  Delivery d =
      store::testing::OrderDelivery(DeliveryKind::kOrderCreate, o.channel_order_id, webhook_id);
  d.order = o;
  d.payload_json = EncodeOrder(o);
  // What Shopify sends carries the same personal values in its own shape.
  d.raw_body = R"({"id":)" + o.channel_order_id + R"(,"email":")" + o.email +
               R"(","customer":{"first_name":")" + o.customer.first_name +
               R"(","last_name":"Tremblay"},"shipping_address":{"name":")" + o.customer.first_name +
               R"( Tremblay","address1":")" + o.shipping_address->address1 +
               R"(","zip":"K1A 0B1","country_code":"CA"},"total_price":"49.99"})";
  return d;
}

// Every byte of the data directory's database files (db, WAL).
std::string DatabaseBytes(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("orderpilot.db")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

class SealedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store::SqliteOptions o;
    o.path = dir_.path() + "/orderpilot.db";
    o.clock = &clock_;
    auto sqlite = store::SqliteStore::Open(o);
    ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
    sqlite_ = std::move(*sqlite);
    auto master = ParseMasterKey(kMasterHex);
    ASSERT_TRUE(master.ok());
    auto keyring = Keyring::Open(dir_.path() + "/keys.db", {*master}, clock_);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    keyring_ = std::move(*keyring);
    sealed_ = std::make_unique<SealedStore>(*sqlite_, *keyring_);
  }

  void Close() {
    sealed_.reset();
    sqlite_.reset();
    keyring_.reset();
  }

  OrderId Ingest(const Order& o, const std::string& webhook_id) {
    Delivery d = OrderWebhook(o, webhook_id);
    d.received_at = clock_.Now();
    auto out = sealed_->Ingest(d);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->order_id : OrderId();
  }

  Order Read(OrderId id) {
    auto r = sealed_->GetOrder(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return Order();
    auto o = DecodeOrder(r->order_json);
    EXPECT_TRUE(o.ok()) << o.status().ToString() << "\n" << r->order_json;
    return o.ok() ? *o : Order();
  }

  std::vector<std::string> RefsOf(const std::string& email) {
    CustomerIdentity who;
    who.shop = kShop;
    who.emails.push_back(email);
    auto refs = sealed_->FindCustomerRefs(who);
    EXPECT_TRUE(refs.ok()) << refs.status().ToString();
    return refs.ok() ? *refs : std::vector<std::string>();
  }

  TempDir dir_;
  ManualClock clock_{Timestamp{1763650800000000}};
  std::unique_ptr<store::SqliteStore> sqlite_;
  std::unique_ptr<Keyring> keyring_;
  std::unique_ptr<SealedStore> sealed_;
};

TEST_F(SealedStoreTest, ReadsBackWhatWasWrittenWhilePersonalValuesNeverReachTheDisk) {
  const Order o = CustomerOrder("1001", "Marie.Curie@Example.org", "Marie", "24 Sussex Drive");
  const OrderId id = Ingest(o, "wh-1");
  ASSERT_TRUE(id.valid());
  EXPECT_EQ(EncodeOrder(Read(id)), EncodeOrder(o));
  auto events = sealed_->ReadStream(store::OrderStream(id));
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->front().payload, EncodeOrder(o));

  Close();
  const std::string bytes = DatabaseBytes(dir_.path());
  ASSERT_FALSE(bytes.empty());
  for (const char* personal : {"Marie", "Curie", "Tremblay", "Sussex", "K1A 0B1", "203.0.113.77",
                               "613-555", "back door"}) {
    EXPECT_EQ(bytes.find(personal), std::string::npos) << personal << " is stored in clear";
  }
  // The books stay readable without any key.
  EXPECT_NE(bytes.find("NW-TEE-ORG-BLK-M"), std::string::npos);
}

TEST_F(SealedStoreTest, FindsACustomerByEmailPhoneOrIdThroughBlindIndexes) {
  const Order o = CustomerOrder("1002", "ada@example.org", "Ada", "1 Analytical Way");
  const OrderId id = Ingest(o, "wh-2");
  Ingest(CustomerOrder("1003", "someone@example.org", "Bo", "2 Elsewhere Rd"), "wh-3");
  const std::vector<std::string> refs = RefsOf("  ADA@Example.org ");
  ASSERT_EQ(refs.size(), 1u);
  CustomerIdentity by_phone;
  by_phone.shop = kShop;
  by_phone.phones.push_back("(613) 555-0002");
  by_phone.phones.push_back("+16135550002");
  EXPECT_EQ(*sealed_->FindCustomerRefs(by_phone), refs);
  CustomerIdentity by_id;
  by_id.shop = kShop;
  by_id.channel_customer_ids.push_back("771002");
  EXPECT_EQ(*sealed_->FindCustomerRefs(by_id), refs);
  CustomerIdentity other_shop;
  other_shop.shop = "other.myshopify.com";
  other_shop.emails.push_back("ada@example.org");
  EXPECT_TRUE(sealed_->FindCustomerRefs(other_shop)->empty());
  auto orders = sealed_->OrdersOfCustomer(refs.front());
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ(orders->front().id, id);
  EXPECT_THAT(orders->front().order_json, HasSubstr("ada@example.org"));
}

TEST_F(SealedStoreTest, ErasureShredsEveryCopyAndKeepsTheBooks) {
  const Order marie = CustomerOrder("1004", "marie@example.org", "Marie", "24 Sussex Drive");
  const Order pierre = CustomerOrder("1005", "pierre@example.org", "Pierre", "7 Rue Cuvier");
  const OrderId m = Ingest(marie, "wh-4");
  const OrderId p = Ingest(pierre, "wh-5");
  // A refund after the order is sealed under the same customer's key.
  Delivery refund = store::testing::OrderDelivery(DeliveryKind::kRefund, "1004", "wh-6");
  refund.payload_json = R"({"note":"Marie called about the stain","amount":"10.00"})";
  refund.raw_body = refund.payload_json;
  ASSERT_TRUE(sealed_->Ingest(refund).ok());

  const std::vector<std::string> refs = RefsOf("marie@example.org");
  ASSERT_EQ(refs.size(), 1u);
  auto report = sealed_->EraseCustomers(refs, {"customer.erased", R"({"request_id":"T-1"})", "t"});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->orders, 1);
  EXPECT_GE(report->keys_shredded, 1);

  const Order erased = Read(m);
  EXPECT_EQ(erased.email, kErasedText);
  EXPECT_EQ(erased.customer.first_name, kErasedText);
  EXPECT_EQ(erased.shipping_address->address1, kErasedText);
  EXPECT_EQ(erased.note, kErasedText);
  EXPECT_EQ(erased.totals.total, marie.totals.total);
  ASSERT_EQ(erased.line_items.size(), 1u);
  EXPECT_EQ(erased.line_items.front().sku, "NW-TEE-ORG-BLK-M");
  EXPECT_EQ(erased.shipping_address->country_code, "CA");
  auto events = sealed_->ReadStream(store::OrderStream(m));
  ASSERT_TRUE(events.ok());
  for (const store::Event& e : *events) {
    EXPECT_THAT(e.payload, Not(HasSubstr("Marie"))) << e.type;
    EXPECT_THAT(e.payload, Not(HasSubstr("marie@"))) << e.type;
  }
  auto bodies = sealed_->WebhookBodiesOfCustomer(refs.front());
  ASSERT_TRUE(bodies.ok());
  ASSERT_FALSE(bodies->empty());
  for (const auto& [topic, body] : *bodies) EXPECT_THAT(body, Not(HasSubstr("Marie"))) << topic;
  // The other customer is untouched.
  EXPECT_EQ(EncodeOrder(Read(p)), EncodeOrder(pierre));

  // The erasure is in the audit chain, which still verifies.
  auto audit = sealed_->ReadStream("privacy");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().type, "customer.erased");
  EXPECT_THAT(audit->front().payload, HasSubstr("T-1"));
  EXPECT_THAT(audit->front().payload, HasSubstr(refs.front()));
  Close();
  auto chain = store::VerifyEventChain(dir_.path() + "/orderpilot.db");
  ASSERT_TRUE(chain.ok());
  EXPECT_FALSE(chain->broken_at.has_value()) << chain->problem;
}

TEST_F(SealedStoreTest, LateEventsAboutAnErasedCustomerAreNeverStoredInClear) {
  const OrderId id = Ingest(CustomerOrder("1006", "late@example.org", "Lena", "3 Quay St"), "w7");
  ASSERT_TRUE(
      sealed_->EraseCustomers(RefsOf("late@example.org"), {"customer.erased", "{}", "t"}).ok());
  auto order = sealed_->GetOrder(id);
  ASSERT_TRUE(order.ok());
  store::OrderTransition t;
  t.order_id = id;
  t.expected_version = order->version;
  t.new_state = order->state;
  t.events.push_back(
      {"note.added", R"({"note":"Lena phoned again","email":"late@example.org"})", "support"});
  ASSERT_TRUE(sealed_->Transition(t).ok());
  auto events = sealed_->ReadStream(store::OrderStream(id));
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(events->back().payload, HasSubstr(std::string(kErasedText)));
  Close();
  EXPECT_EQ(DatabaseBytes(dir_.path()).find("Lena phoned"), std::string::npos);
}

TEST_F(SealedStoreTest, ACustomerSeenAgainAfterErasureGetsANewKey) {
  const OrderId first = Ingest(CustomerOrder("1007", "back@example.org", "Sam", "4 Elm St"), "w8");
  ASSERT_TRUE(
      sealed_->EraseCustomers(RefsOf("back@example.org"), {"customer.erased", "{}", "t"}).ok());
  clock_.Advance(1000000);
  const Order again = CustomerOrder("1008", "back@example.org", "Sam", "4 Elm St");
  const OrderId second = Ingest(again, "w9");
  EXPECT_EQ(Read(first).email, kErasedText);
  EXPECT_EQ(EncodeOrder(Read(second)), EncodeOrder(again));
  auto keys = sealed_->GetCustomerKeys(RefsOf("back@example.org").front());
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_FALSE(keys->front().erased_at.has_value());  // newest first
  EXPECT_TRUE(keys->back().erased_at.has_value());
}

TEST_F(SealedStoreTest, KeysDrawnAfterARestartAreAllShreddedTogether) {
  const OrderId before =
      Ingest(CustomerOrder("1009", "twice@example.org", "Tia", "5 Oak St"), "w12");
  // A restarted server (a fresh cache over the same files) draws a second key for the customer.
  sealed_ = std::make_unique<SealedStore>(*sqlite_, *keyring_);
  const OrderId after =
      Ingest(CustomerOrder("1010", "twice@example.org", "Tia", "5 Oak St"), "w13");
  const std::vector<std::string> refs = RefsOf("twice@example.org");
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(sealed_->GetCustomerKeys(refs.front())->size(), 2u);
  auto report = sealed_->EraseCustomers(refs, {"customer.erased", "{}", "t"});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->keys_shredded, 2);
  EXPECT_EQ(Read(before).customer.first_name, kErasedText);
  EXPECT_EQ(Read(after).customer.first_name, kErasedText);
}

TEST_F(SealedStoreTest, PrivacyDeskExportsAndErasesAsTheWebhooksAsk) {
  Ingest(CustomerOrder("2001", "john@example.com", "John", "10 Downing St"), "w10");
  Ingest(CustomerOrder("2002", "kate@example.com", "Kate", "11 Downing St"), "w11");
  auto request = [&](const std::string& topic, const std::string& body, const std::string& id) {
    Delivery d = store::testing::OrderDelivery(DeliveryKind::kPrivacyRequest, "", id);
    d.topic = topic;
    d.shop = kShop;
    d.payload_json = body;
    d.raw_body = body;
    d.received_at = clock_.Now();
    auto out = sealed_->Ingest(d);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  };
  request("customers/data_request",
          R"({"shop_id":1,"shop_domain":"example.myshopify.com","orders_requested":[2001],)"
          R"("customer":{"id":772001,"email":"john@example.com","phone":"555-625-1199"},)"
          R"("data_request":{"id":9999}})",
          "p1");
  request("customers/redact",
          R"({"shop_id":1,"shop_domain":"example.myshopify.com","customer":{"id":772002,)"
          R"("email":"kate@example.com","phone":null},"orders_to_redact":[2002]})",
          "p2");
  // The request bodies are personal data too.
  Close();
  EXPECT_EQ(DatabaseBytes(dir_.path()).find("john@example.com"), std::string::npos);
  Open();

  PrivacyDesk desk(*sealed_, clock_, {dir_.path() + "/exports", "privacy"});
  auto done = desk.RunOnce();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(*done, 2);
  EXPECT_EQ(*desk.RunOnce(), 0);  // nothing pending any more

  auto requests = sealed_->ListPrivacyRequests("", 0, 10);
  ASSERT_TRUE(requests.ok());
  ASSERT_EQ(requests->size(), 2u);
  for (const store::PrivacyRequestRecord& r : *requests) {
    EXPECT_EQ(r.status, "done") << r.topic << " " << r.result;
    ASSERT_TRUE(r.finished_at.has_value());
    EXPECT_LT(*r.finished_at, RequestDeadline(r));
    EXPECT_EQ(RequestDeadline(r).micros - r.received_at.micros, 30LL * 24 * 3600 * 1000000);
  }
  std::ifstream in(dir_.path() + "/exports/request-" + std::to_string(requests->front().id) +
                   ".json");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(doc, HasSubstr("orderpilot.customer_export.v1"));
  EXPECT_THAT(doc, HasSubstr("10 Downing St"));
  EXPECT_THAT(doc, HasSubstr("\"data_request_id\":\"9999\""));
  EXPECT_THAT(doc, Not(HasSubstr("Kate")));
  EXPECT_EQ(std::filesystem::status(dir_.path() + "/exports/request-" +
                                    std::to_string(requests->front().id) + ".json")
                    .permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);

  // Kate is erased; John is not.
  auto kate = sealed_->FindOrderByChannelId("shopify", kShop, "2002");
  ASSERT_TRUE(kate.ok() && kate->has_value());
  EXPECT_THAT((*kate)->order_json, Not(HasSubstr("Kate")));
  auto john = sealed_->FindOrderByChannelId("shopify", kShop, "2001");
  ASSERT_TRUE(john.ok() && john->has_value());
  EXPECT_THAT((*john)->order_json, HasSubstr("John"));
  auto audit = sealed_->ReadStream("privacy");
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> types;
  for (const store::Event& e : *audit) types.push_back(e.type);
  EXPECT_THAT(types, ::testing::ElementsAre("privacy.data_exported", "customer.erased",
                                            "privacy.request_done"));
}

TEST_F(SealedStoreTest, ShopRedactErasesEveryCustomerOfTheShop) {
  const OrderId a = Ingest(CustomerOrder("3001", "a@example.com", "Alma", "1 A St"), "w20");
  const OrderId b = Ingest(CustomerOrder("3002", "b@example.com", "Bert", "2 B St"), "w21");
  Delivery d = store::testing::OrderDelivery(DeliveryKind::kPrivacyRequest, "", "p3");
  d.topic = "shop/redact";
  d.payload_json = R"({"shop_id":1,"shop_domain":"example.myshopify.com"})";
  d.raw_body = d.payload_json;
  ASSERT_TRUE(sealed_->Ingest(d).ok());
  PrivacyDesk desk(*sealed_, clock_, {dir_.path() + "/exports", "privacy"});
  ASSERT_EQ(*desk.RunOnce(), 1);
  EXPECT_EQ(Read(a).customer.first_name, kErasedText);
  EXPECT_EQ(Read(b).customer.first_name, kErasedText);
}

TEST_F(SealedStoreTest, RetentionErasesInactiveCustomersAndDropsOldRawBodies) {
  const OrderId old_order =
      Ingest(CustomerOrder("4001", "old@example.com", "Olga", "9 Old Rd"), "w30");
  clock_.Advance(int64_t{200} * 24 * 3600 * 1000000);  // 200 days later
  const Order recent = CustomerOrder("4002", "new@example.com", "Nina", "1 New Rd");
  const OrderId new_order = Ingest(recent, "w31");
  RetentionPolicy policy;
  policy.erase_inactive_customers_after = std::chrono::hours(24 * 180);
  policy.drop_raw_bodies_after = std::chrono::hours(24 * 90);
  auto report = RunRetention(*sealed_, policy, clock_.Now());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->customers_erased, 1);
  EXPECT_EQ(Read(old_order).customer.first_name, kErasedText);
  EXPECT_EQ(EncodeOrder(Read(new_order)), EncodeOrder(recent));
  EXPECT_EQ(
      QueryInt(dir_.path() + "/orderpilot.db", "SELECT COUNT(*) FROM webhooks WHERE body = ''"), 1);
  // A second pass finds nothing more to do.
  auto again = RunRetention(*sealed_, policy, clock_.Now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->customers_erased, 0);
  EXPECT_EQ(again->raw_bodies_dropped, 0);
}

}  // namespace
}  // namespace orderpilot::privacy
