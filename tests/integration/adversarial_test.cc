// Hostile clients against the real binary: oversized and malformed HTTP, slow clients, hostile
// JSON (deep, invalid UTF-8, huge numbers, duplicate keys), SQL metacharacters in every string,
// replayed and re-signed webhooks, wrong content types. Each gets a clear 4xx with the JSON error
// body (or the documented duplicate answer), the server keeps serving, and nothing partial
// reaches the database (read here through a read-only SQLite connection).
// Cases already covered by bad_input_test.cc (plain 413, truncated JSON, 70-deep arrays, invalid
// UTF-8 in a name) are not repeated.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// The read timeout the server runs with here: slow clients must be cut after it.
constexpr int kReadTimeoutSeconds = 2;

// JSON string literal of `s` (quotes included); bytes ≥ 0x80 are passed through.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// A Shopify order whose every string field holds `text`; its id is `id`.
std::string ShopifyOrderWithStrings(const std::string& id, const std::string& text) {
  const std::string t = Quote(text);
  return R"({"id": )" + Quote(id) + R"(, "name": )" + t + R"(, "currency": "USD", "email": )" + t +
         R"(, "phone": )" + t + R"(, "note": )" + t + R"(, "tags": )" + t + R"(, "source_name": )" +
         t + R"(, "gateway": )" + t + R"(, "cancel_reason": )" + t + R"(, "fulfillment_status": )" +
         t + R"(, "financial_status": )" + t +
         R"(, "created_at": "2026-11-20T10:00:00Z",
  "customer": {"id": )" +
         t + R"(, "email": )" + t + R"(, "phone": )" + t + R"(, "first_name": )" + t +
         R"(, "last_name": )" + t + R"(, "tags": )" + t + R"(},
  "client_details": {"browser_ip": )" +
         t + R"(, "user_agent": )" + t + R"(, "accept_language": )" + t + R"(, "session_hash": )" +
         t + R"(},
  "payment_details": {"avs_result_code": )" +
         t + R"(, "cvv_result_code": )" + t + R"(, "credit_card_company": )" + t + R"(},
  "line_items": [{"id": )" +
         t + R"(, "sku": )" + t + R"(, "title": )" + t + R"(, "variant_title": )" + t +
         R"(, "vendor": )" + t + R"(, "product_id": )" + t + R"(, "variant_id": )" + t +
         R"(, "quantity": 1, "price": "10.00", "requires_shipping": true,
                  "properties": [{"name": )" +
         t + R"(, "value": )" + t + R"(}]}],
  "shipping_lines": [{"code": )" +
         t + R"(, "title": )" + t + R"(, "source": )" + t + R"(, "price": "5.00"}],
  "discount_codes": [{"code": )" +
         t + R"(, "amount": "0.00", "type": )" + t + R"(}],
  "note_attributes": [{"name": )" +
         t + R"(, "value": )" + t + R"(}],
  "shipping_address": {"first_name": )" +
         t + R"(, "last_name": )" + t + R"(, "address1": )" + t + R"(, "address2": )" + t +
         R"(, "city": )" + t + R"(, "province": )" + t + R"(, "zip": )" + t + R"(, "company": )" +
         t + R"(, "phone": )" + t + R"(, "country_code": "US"},
  "billing_address": {"first_name": )" +
         t + R"(, "last_name": )" + t + R"(, "address1": )" + t + R"(, "city": )" + t +
         R"(, "zip": )" + t + R"(, "country_code": "US"}})";
}

// A valid canonical order for POST /v1/orders whose every string field holds `text`.
std::string CanonicalOrderWithStrings(const std::string& id, const std::string& text) {
  const std::string t = Quote(text);
  return R"({"channel_order_id": )" + Quote(id) + R"(, "number": )" + t +
         R"(, "currency": "USD", "email": )" + t + R"(, "phone": )" + t + R"(, "note": )" + t +
         R"(, "cancel_reason": )" + t + R"(, "fulfillment_status": )" + t + R"(, "source_name": )" +
         t + R"(, "tags": [)" + t + R"(],
  "attributes": [{"name": )" +
         t + R"(, "value": )" + t + R"(}],
  "customer": {"id": )" +
         t + R"(, "email": )" + t + R"(, "first_name": )" + t + R"(, "last_name": )" + t +
         R"(},
  "line_items": [{"id": )" +
         t + R"(, "sku": )" + t + R"(, "title": )" + t + R"(, "variant_title": )" + t +
         R"(, "vendor": )" + t + R"(, "quantity": 1, "unit_price": "10.00",
                  "requires_shipping": false}],
  "shipping_lines": [{"code": )" +
         t + R"(, "title": )" + t + R"(, "price": "0.00"}]})";
}

// A small valid Shopify order; tests change one thing at a time with Replace.
const std::string kOrder = R"({"id": 7001, "name": "#7001", "currency": "USD",
  "email": "grace@example.com", "created_at": "2026-11-20T10:00:00Z", "financial_status": "paid",
  "line_items": [{"id": 1, "sku": "MUG", "title": "Mug", "quantity": 2, "price": "10.00",
                  "grams": 300, "requires_shipping": true}],
  "shipping_lines": [{"code": "std", "title": "Standard", "price": "5.00"}],
  "shipping_address": {"first_name": "Grace", "last_name": "Hopper", "address1": "1 Navy Way",
                       "city": "Arlington", "country_code": "US", "zip": "22201"},
  "note": "leave at the door"})";

const std::string kCanonical = R"({"channel_order_id": "api-7002", "currency": "USD",
  "email": "grace@example.com",
  "line_items": [{"sku": "MUG", "title": "Mug", "quantity": 1, "unit_price": "10.00",
                  "requires_shipping": false}]})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// A raw TCP connection, for what a well-behaved client never sends. Reads give up after
// `read_limit` so that a server that never answers fails the test instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port, seconds read_limit = seconds(15))
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    EXPECT_TRUE(connected_);
    timeval tv{static_cast<time_t>(read_limit.count()), 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False once the server has closed or reset the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Reads until the server closes the connection (or the read limit passes: timed_out()).
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    timed_out_ = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    return out;
  }
  bool timed_out() const { return timed_out_; }

 private:
  int fd_;
  bool connected_ = false;
  bool timed_out_ = false;
};

// Status code and body of a raw HTTP/1.1 response ("HTTP/1.1 431 ...\r\n...\r\n\r\n{...}").
struct RawResponse {
  int status = 0;
  std::string body;
};

RawResponse ParseRaw(const std::string& raw) {
  RawResponse r;
  if (raw.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(raw.c_str() + 9);
  size_t end = raw.find("\r\n\r\n");
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  return r;
}

// Row counts of the tables a request could write, read through a read-only connection.
std::map<std::string, int64_t> TableCounts(const std::string& data_dir) {
  std::map<std::string, int64_t> counts;
  sqlite3* db = nullptr;
  const std::string path = data_dir + "/orderpilot.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << " read-only";
    sqlite3_close(db);
    return counts;
  }
  sqlite3_busy_timeout(db, 5000);
  for (const char* table : {"webhooks", "orders", "order_snapshots", "events", "parked_events",
                            "privacy_requests", "stock_adjustments"}) {
    sqlite3_stmt* st = nullptr;
    const std::string sql = std::string("SELECT count(*) FROM ") + table;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      counts[table] = sqlite3_column_int64(st, 0);
    } else {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return counts;
}

class AdversarialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = dir_.path() + "/adversarial.yaml";
    std::ofstream(config) << "limits:\n  read_timeout_seconds: " << kReadTimeoutSeconds << "\n";
    server_ =
        std::make_unique<ServerProcess>(dir_.path(), std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server_->Start());
    before_ = TableCounts(dir_.path());
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      ExpectHealthy();
      EXPECT_EQ(server_->Stop(), 0) << server_->Log();
    }
  }

  api::HttpClient Client() { return api::HttpClient("127.0.0.1", server_->port()); }

  // The server still answers promptly.
  void ExpectHealthy() {
    auto c = Client();
    auto start = Clock::now();
    auto r = c.Send("GET", "/healthz", "");
    ASSERT_TRUE(r.ok()) << r.status().ToString() << "\nlog:\n" << server_->Log();
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(Clock::now() - start, seconds(2));
  }

  // Nothing written since SetUp (or the last Remember()).
  void ExpectNothingWritten() { EXPECT_EQ(TableCounts(dir_.path()), before_); }
  void Remember() { before_ = TableCounts(dir_.path()); }

  Result<api::HttpResponse> PostWebhook(const std::string& body, const std::string& webhook_id,
                                        Headers extra = {},
                                        const std::string& topic = "orders/create") {
    Headers h = ShopifyHeaders(body, topic, webhook_id);
    for (auto& [name, value] : extra) {
      bool replaced = false;
      for (auto& existing : h)
        if (existing.first == name) existing.second = value, replaced = true;
      if (!replaced) h.emplace_back(name, value);
    }
    return Client().Send("POST", "/webhooks/shopify", body, h);
  }

  // A 4xx with the JSON error body: code matching the status, a message, a field when given.
  void ExpectJsonError(const Result<api::HttpResponse>& r, int status, const std::string& code,
                       const std::string& what, const std::string& field = "") {
    ASSERT_TRUE(r.ok()) << what << ": " << r.status().ToString();
    EXPECT_EQ(r->status, status) << what << ": " << r->body;
    EXPECT_EQ(r->content_type, "application/json") << what;
    JsonView j(r->body);
    ASSERT_TRUE(j.ok()) << what << ": not JSON: " << r->body;
    EXPECT_EQ(j.Str("/error/code"), code) << what << ": " << r->body;
    EXPECT_FALSE(j.Str("/error/message").empty()) << what;
    if (!field.empty()) {
      EXPECT_EQ(j.Str("/error/field"), field) << what << ": " << r->body;
    }
  }

  // The error of a rejected order body: 400 invalid_argument or 422 unprocessable with a field.
  void ExpectRejectedBody(const Result<api::HttpResponse>& r, const std::string& what) {
    ASSERT_TRUE(r.ok()) << what << ": " << r.status().ToString();
    ASSERT_TRUE(r->status == 400 || r->status == 422)
        << what << ": " << r->status << " " << r->body;
    JsonView j(r->body);
    ASSERT_TRUE(j.ok()) << what << ": not JSON: " << r->body;
    EXPECT_EQ(j.Str("/error/code"), r->status == 400 ? "invalid_argument" : "unprocessable")
        << what << ": " << r->body;
    EXPECT_FALSE(j.Str("/error/message").empty()) << what;
    if (r->status == 422) {
      EXPECT_FALSE(j.Str("/error/field").empty()) << what << ": " << r->body;
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, int64_t> before_;
  int n_ = 0;
};

// --- Oversized requests ---------------------------------------------------------------------

TEST_F(AdversarialTest, OversizedHeadersAre431WithTheJsonError) {
  ExpectJsonError(Client().Send("GET", "/healthz", "", {{"X-Big", std::string(20000, 'h')}}), 431,
                  "headers_too_large", "one 20 KB header");
  Headers many;
  for (int i = 0; i < 1000; ++i) many.emplace_back("X-H" + std::to_string(i), "0123456789abcdef");
  ExpectJsonError(Client().Send("GET", "/healthz", "", many), 431, "headers_too_large",
                  "1000 headers");
  ExpectJsonError(
      Client().Send("GET", "/v1/orders?pad=" + std::string(20000, 'q'), "", ApiHeaders()), 431,
      "headers_too_large", "a 20 KB request target");
  // A signed webhook whose headers are too large is refused before its body is read.
  std::string body = kOrder;
  ExpectJsonError(PostWebhook(body, "wh-big-headers", {{"X-Pad", std::string(20000, 'p')}}), 431,
                  "headers_too_large", "webhook with huge headers");
  ExpectHealthy();
  ExpectNothingWritten();
}

TEST_F(AdversarialTest, ChunkedBodyOverTheLimitIs413) {
  // No Content-Length to refuse up front: the limit must hold while the chunks arrive.
  RawConnection raw(server_->port());
  std::string head =
      "POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "X-Shopify-Topic: orders/create\r\nX-Shopify-Shop-Domain: it-shop.myshopify.com\r\n"
      "X-Shopify-Hmac-Sha256: AAAA\r\nTransfer-Encoding: chunked\r\n\r\n";
  raw.Send(head);
  const std::string chunk(512 * 1024, 'x');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (int i = 0; i < 3; ++i) {
    if (!raw.Send(size_line + chunk + "\r\n")) break;  // the server may close early
  }
  raw.Send("0\r\n\r\n");
  RawResponse r = ParseRaw(raw.ReadAll());
  EXPECT_EQ(r.status, 413) << r.body;
  JsonView j(r.body);
  EXPECT_EQ(j.Str("/error/code"), "payload_too_large") << r.body;
  ExpectHealthy();
  ExpectNothingWritten();
}

TEST_F(AdversarialTest, AbsurdContentLengthsAreRefused) {
  for (const char* length : {"99999999999999999999999", "18446744073709551615", "-1", "12abc"}) {
    RawConnection raw(server_->port());
    raw.Send(std::string("POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
             kApiKey + "\r\nContent-Type: application/json\r\nContent-Length: " + length +
             "\r\n\r\n{}");
    RawResponse r = ParseRaw(raw.ReadAll());
    EXPECT_TRUE(r.status == 400 || r.status == 413) << length << ": " << r.status << " " << r.body;
    EXPECT_TRUE(JsonView(r.body).ok()) << length << ": " << r.body;
    EXPECT_FALSE(raw.timed_out()) << length << ": the server neither answered nor closed";
  }
  ExpectHealthy();
  ExpectNothingWritten();
}

TEST_F(AdversarialTest, AmbiguousFramingIs400) {
  // Request smuggling shapes: both framings, or two lengths that disagree.
  const std::string order = kCanonical;
  for (const std::string& framing :
       {"Content-Length: " + std::to_string(order.size()) + "\r\nTransfer-Encoding: chunked\r\n",
        "Content-Length: " + std::to_string(order.size()) + "\r\nContent-Length: 3\r\n",
        std::string("Transfer-Encoding: gzip, chunked\r\n")}) {
    RawConnection raw(server_->port());
    raw.Send(std::string("POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
             kApiKey + "\r\nContent-Type: application/json\r\n" + framing + "\r\n" + order);
    RawResponse r = ParseRaw(raw.ReadAll());
    EXPECT_EQ(r.status, 400) << framing << r.body;
    EXPECT_EQ(JsonView(r.body).Str("/error/code"), "invalid_argument") << framing << r.body;
  }
  ExpectHealthy();
  ExpectNothingWritten();
}

// --- Slow clients -----------------------------------------------------------------------------

TEST_F(AdversarialTest, SlowClientsDoNotStarveOthersAndAreCutAfterTheTimeout) {
  constexpr int kSlow = 8;
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port()));
    slow.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  }
  // A slow body too: its headers are complete, its body never is.
  RawConnection slow_body(server_->port());
  slow_body.Send(std::string("POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
                 kApiKey + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
  // An idle connection that never sends a byte.
  RawConnection idle(server_->port());

  const auto start = Clock::now();
  std::atomic<bool> stop{false};
  std::thread dribbler([&] {  // one header byte per connection per second
    while (!stop && Clock::now() - start < seconds(kReadTimeoutSeconds + 4)) {
      for (auto& c : slow) c->Send("a");
      slow_body.Send(" ");
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(milliseconds(100));
    }
  });

  // Meanwhile everyone else is served at once: health checks, an API read, a webhook.
  std::this_thread::sleep_for(milliseconds(300));
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    auto r = Client().Send("GET", "/healthz", "");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(Clock::now() - t0, milliseconds(1000)) << "a slow client delayed a health check";
  }
  auto t0 = Clock::now();
  auto hook = PostWebhook(kOrder, "wh-while-slow");
  ASSERT_TRUE(hook.ok());
  EXPECT_EQ(hook->status, 200) << hook->body;
  EXPECT_LT(Clock::now() - t0, milliseconds(2000)) << "a slow client delayed a webhook";

  // The slow ones are answered 408 and closed once the read timeout has passed.
  for (int i = 0; i < kSlow; ++i) {
    RawResponse r = ParseRaw(slow[i]->ReadAll());
    EXPECT_FALSE(slow[i]->timed_out()) << "slow client " << i << " was never closed";
    EXPECT_EQ(r.status, 408) << r.body;
    EXPECT_EQ(JsonView(r.body).Str("/error/code"), "request_timeout") << r.body;
  }
  RawResponse body_r = ParseRaw(slow_body.ReadAll());
  EXPECT_EQ(body_r.status, 408) << body_r.body;
  EXPECT_EQ(idle.ReadAll(), "");  // closed without a word: it never started a request
  EXPECT_FALSE(idle.timed_out()) << "the idle connection was never closed";
  const auto elapsed = Clock::now() - start;
  stop = true;
  dribbler.join();
  EXPECT_GE(elapsed, seconds(kReadTimeoutSeconds) - milliseconds(400));
  EXPECT_LT(elapsed, seconds(kReadTimeoutSeconds + 3)) << "slow clients were kept too long";
  ExpectHealthy();
}

// --- Hostile JSON -----------------------------------------------------------------------------

TEST_F(AdversarialTest, VeryDeepJsonIs400EverywhereWithoutHarm) {
  const size_t kDepth = 200000;  // far past any recursion a stack could take
  const std::string arrays = std::string(kDepth, '[') + std::string(kDepth, ']');
  std::string objects;
  for (size_t i = 0; i < kDepth / 8; ++i) objects += "{\"a\":";
  objects += "1" + std::string(kDepth / 8, '}');
  const std::string unclosed = std::string(kDepth, '[');
  int i = 0;
  for (const std::string& deep : {arrays, objects, unclosed}) {
    ++i;
    const std::string in_note = Replace(kOrder, "\"leave at the door\"", deep);
    ExpectJsonError(PostWebhook(in_note, "wh-deep-note-" + std::to_string(i)), 400,
                    "invalid_argument", "deep webhook note #" + std::to_string(i));
    ExpectJsonError(PostWebhook(deep, "wh-deep-" + std::to_string(i)), 400, "invalid_argument",
                    "deep webhook body #" + std::to_string(i));
    ExpectJsonError(Client().Send("POST", "/v1/orders", deep, ApiHeaders()), 400,
                    "invalid_argument", "deep API body #" + std::to_string(i));
    ExpectJsonError(Client().Send("POST", "/v1/orders",
                                  Replace(kCanonical, "\"grace@example.com\"", deep), ApiHeaders()),
                    400, "invalid_argument", "deep API email #" + std::to_string(i));
  }
  ExpectHealthy();
  ExpectNothingWritten();
}

TEST_F(AdversarialTest, InvalidUtf8IsRefusedAndNeverEchoedAsInvalidJson) {
  for (const std::string& bad : {std::string("\xff\xfe"), std::string("\xc0\xaf"),  // overlong '/'
                                 std::string("\xed\xa0\x80"),                       // a surrogate
                                 std::string("\xf4\x90\x80\x80"),  // beyond U+10FFFF
                                 std::string("caf\xc3")}) {        // truncated sequence
    ExpectJsonError(
        PostWebhook(Replace(kOrder, "leave at the door", bad), "wh-utf8-" + std::to_string(++n_)),
        400, "invalid_argument", "webhook note");
    ExpectJsonError(Client().Send("POST", "/v1/orders",
                                  Replace(kCanonical, "grace@example.com", bad), ApiHeaders()),
                    400, "invalid_argument", "API email");
  }
  // Invalid UTF-8 in the URL: the error message must not carry it into the JSON body.
  for (const char* target : {"/v1/orders?state=%FF%FE", "/v1/orders/%C3", "/v1/orders?limit=%80",
                             "/v1/orders?cursor=%ED%A0%80", "/v1/nowhere/%FF"}) {
    auto r = Client().Send("GET", target, "", ApiHeaders());
    ASSERT_TRUE(r.ok()) << target;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << target << ": " << r->body;
    EXPECT_TRUE(JsonView(r->body).ok()) << target << ": the error is not valid JSON: " << r->body;
  }
  ExpectHealthy();
  ExpectNothingWritten();
}

TEST_F(AdversarialTest, EscapedLoneSurrogatesAreRefused) {
  // "\ud800" is valid JSON syntax but no Unicode text: storing it would make every later read of
  // the order invalid UTF-8.
  for (const char* bad : {"\\ud800", "\\udc00x", "\\ud800\\u0041"}) {
    ExpectJsonError(
        PostWebhook(Replace(kOrder, "leave at the door", bad), std::string("wh-surrogate-") + bad),
        400, "invalid_argument", std::string("webhook ") + bad);
    ExpectJsonError(Client().Send("POST", "/v1/orders",
                                  Replace(kCanonical, "grace@example.com", bad), ApiHeaders()),
                    400, "invalid_argument", std::string("API ") + bad);
  }
  ExpectNothingWritten();
}

TEST_F(AdversarialTest, HugeNumbersAreRefusedWithTheField) {
  const std::vector<std::pair<std::string, std::string>> webhook_cases = {
      {"\"quantity\": 2", "\"quantity\": 1e400"},
      {"\"quantity\": 2", "\"quantity\": 18446744073709551616"},
      {"\"quantity\": 2", "\"quantity\": 9223372036854775808"},
      {"\"quantity\": 2", "\"quantity\": 2.5"},
      {"\"price\": \"10.00\"", "\"price\": \"99999999999999999999999.99\""},
      {"\"price\": \"10.00\"", "\"price\": \"1e999\""},
      {"\"price\": \"10.00\"", "\"price\": 1e400"},
      {"\"id\": 7001", "\"id\": 1e30"},
      {"\"id\": 7001", "\"id\": -123456789012345678901234567890"},
      {"\"grams\": 300", "\"grams\": -1e308"},
      {"\"price\": \"5.00\"", "\"price\": \"92233720368547758.08\""},
  };
  for (const auto& [from, to] : webhook_cases)
    ExpectRejectedBody(PostWebhook(Replace(kOrder, from, to), "wh-huge-" + std::to_string(++n_)),
                       "webhook " + to);
  const std::vector<std::pair<std::string, std::string>> api_cases = {
      {"\"quantity\": 1", "\"quantity\": 1e400"},
      {"\"quantity\": 1", "\"quantity\": 18446744073709551616"},
      {"\"quantity\": 1", "\"quantity\": 9223372036854775807"},  // × 10.00 overflows the totals
      {"\"unit_price\": \"10.00\"", "\"unit_price\": \"92233720368547758.08\""},
      {"\"channel_order_id\": \"api-7002\"", "\"channel_order_id\": 1e30"},
  };
  for (const auto& [from, to] : api_cases) {
    // Each under its own channel_order_id, so an accepted one could not hide the next as a
    // duplicate.
    std::string body = Replace(kCanonical, from, to);
    if (body.find("\"api-7002\"") != std::string::npos)
      body = Replace(body, "\"api-7002\"", "\"api-huge-" + std::to_string(++n_) + "\"");
    ExpectRejectedBody(Client().Send("POST", "/v1/orders", body, ApiHeaders()), "API " + to);
  }
  ExpectHealthy();
  ExpectNothingWritten();
}

// DISABLED until core/json_dom.cc (ParseObject, under every inbound decoder) refuses a key given
// twice in one object: today the first one silently wins. Enable it with that fix.
TEST_F(AdversarialTest, DuplicateKeysAreRefused) {
  // Two parsers reading the same bytes could disagree on which value counts (the card scanner
  // redacts both; a reader may take the first or the last): a document with a key twice is
  // refused, not guessed at.
  ExpectJsonError(PostWebhook(Replace(kOrder, "\"currency\": \"USD\"",
                                      "\"currency\": \"USD\", \"currency\": \"JPY\""),
                              "wh-dup-currency"),
                  400, "invalid_argument", "webhook currency twice");
  ExpectJsonError(
      PostWebhook(Replace(kOrder, "\"quantity\": 2", "\"quantity\": 2, \"quantity\": 0"),
                  "wh-dup-quantity"),
      400, "invalid_argument", "webhook quantity twice");
  ExpectJsonError(Client().Send("POST", "/v1/orders",
                                Replace(kCanonical, "\"channel_order_id\": \"api-7002\"",
                                        "\"channel_order_id\": \"a\", \"channel_order_id\": \"b\""),
                                ApiHeaders()),
                  400, "invalid_argument", "API channel_order_id twice");
  ExpectHealthy();
  ExpectNothingWritten();
}

TEST_F(AdversarialTest, NegativePricesOnTheApiAreRefusedWithTheField) {
  ExpectJsonError(
      Client().Send("POST", "/v1/orders",
                    Replace(kCanonical, "\"unit_price\": \"10.00\"", "\"unit_price\": \"-10.00\""),
                    ApiHeaders()),
      422, "unprocessable", "negative unit price", "line_items[0].unit_price");
  ExpectHealthy();
  ExpectNothingWritten();
}

// --- SQL metacharacters -----------------------------------------------------------------------

TEST_F(AdversarialTest, SqlMetacharactersInEveryStringFieldAreStoredLiterally) {
  const std::vector<std::string> payloads = {"'; DROP TABLE orders; --", "\" OR 1=1",
                                             "x' OR '1'='1", "%'; DELETE FROM events; --"};
  int i = 0;
  for (const std::string& text : payloads) {
    ++i;
    // As a Shopify webhook: the order id, the delivery id and every string field.
    const std::string id = text + " #" + std::to_string(i);
    auto hook = PostWebhook(ShopifyOrderWithStrings(id, text), id);
    ASSERT_TRUE(hook.ok());
    ASSERT_EQ(hook->status, 200) << text << ": " << hook->body;
    JsonView accepted(hook->body);
    const int64_t order_id = accepted.Int("/order_id");
    ASSERT_GT(order_id, 0) << hook->body;
    auto got = Client().Send("GET", "/v1/orders/" + std::to_string(order_id), "", ApiHeaders());
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->status, 200) << got->body;
    JsonView o(got->body);
    ASSERT_TRUE(o.ok()) << got->body;
    EXPECT_EQ(o.Str("/order/channel_order_id"), id);
    for (const char* pointer :
         {"/order/number", "/order/email", "/order/phone", "/order/note", "/order/customer/email",
          "/order/customer/first_name", "/order/line_items/0/sku", "/order/line_items/0/title",
          "/order/line_items/0/vendor", "/order/shipping_lines/0/title",
          "/order/shipping_address/address1", "/order/shipping_address/city",
          "/order/shipping_address/zip", "/order/billing_address/last_name",
          "/order/attributes/0/value", "/order/client/user_agent"})
      EXPECT_EQ(o.Str(pointer), text) << pointer;
    // The replay answers as a duplicate: the id matched exactly, quotes and all.
    auto replay = PostWebhook(ShopifyOrderWithStrings(id, text), id);
    ASSERT_TRUE(replay.ok());
    EXPECT_NE(replay->body.find("\"duplicate\":true"), std::string::npos) << replay->body;

    // As an API order.
    auto api =
        Client().Send("POST", "/v1/orders", CanonicalOrderWithStrings(id, text), ApiHeaders());
    ASSERT_TRUE(api.ok());
    ASSERT_EQ(api->status, 201) << text << ": " << api->body;
    auto api_order = Client().Send("GET", std::string(api->Header("location")), "", ApiHeaders());
    ASSERT_TRUE(api_order.ok());
    JsonView a(api_order->body);
    for (const char* pointer : {"/order/channel_order_id", "/order/number", "/order/email",
                                "/order/note", "/order/tags/0", "/order/line_items/0/sku",
                                "/order/customer/last_name", "/order/shipping_lines/0/code"}) {
      EXPECT_EQ(a.Str(pointer), std::string(pointer) == "/order/channel_order_id" ? id : text)
          << pointer;
    }
  }
  // And in every query parameter and path segment: refused, never interpreted.
  for (const char* target :
       {"/v1/orders?state=%27%3B%20DROP%20TABLE%20orders%3B%20--", "/v1/orders?cursor=1%20OR%201=1",
        "/v1/orders?limit=1;DELETE%20FROM%20orders", "/v1/orders/1%20OR%201=1",
        "/v1/orders/1'--"}) {
    auto r = Client().Send("GET", target, "", ApiHeaders());
    ASSERT_TRUE(r.ok()) << target;
    EXPECT_EQ(r->status, 400) << target << ": " << r->body;
    EXPECT_EQ(JsonView(r->body).Str("/error/code"), "invalid_argument") << target;
  }
  // Every table is still there, holding exactly what was sent: 2 orders per payload.
  auto counts = TableCounts(dir_.path());
  EXPECT_EQ(counts["orders"], 2 * static_cast<int64_t>(payloads.size()));
  EXPECT_EQ(counts["webhooks"], static_cast<int64_t>(payloads.size()));
  auto list = Client().Send("GET", "/v1/orders?limit=100", "", ApiHeaders());
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(JsonView(list->body).Size("/items"), 2 * payloads.size()) << list->body;
}

// --- Replays ----------------------------------------------------------------------------------

TEST_F(AdversarialTest, ReplayedAndResignedWebhooksChangeNothing) {
  auto first = PostWebhook(kOrder, "wh-replay");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->status, 200) << first->body;
  ASSERT_NE(first->body.find("\"duplicate\":false"), std::string::npos) << first->body;
  const int64_t order_id = JsonView(first->body).Int("/order_id");
  auto order_before =
      Client().Send("GET", "/v1/orders/" + std::to_string(order_id), "", ApiHeaders());
  ASSERT_TRUE(order_before.ok());
  Remember();

  // The same delivery again, and again later as orders/updated with the same id.
  for (const char* topic : {"orders/create", "orders/updated"}) {
    auto again = PostWebhook(kOrder, "wh-replay", {}, topic);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 200) << again->body;
    EXPECT_NE(again->body.find("\"duplicate\":true"), std::string::npos) << again->body;
  }
  // Re-signed with the right secret, but a changed body under the replayed id: a duplicate, and
  // the change is not applied.
  const std::string changed = Replace(Replace(kOrder, "grace@example.com", "mallory@example.com"),
                                      "\"quantity\": 2", "\"quantity\": 200");
  for (const char* topic : {"orders/create", "orders/updated"}) {
    auto resigned = PostWebhook(changed, "wh-replay", {}, topic);
    ASSERT_TRUE(resigned.ok());
    EXPECT_EQ(resigned->status, 200) << resigned->body;
    EXPECT_NE(resigned->body.find("\"duplicate\":true"), std::string::npos) << resigned->body;
  }
  // A replayed event id under a fresh delivery id is a duplicate too.
  auto first_event = PostWebhook(kOrder, "wh-event-1", {{"X-Shopify-Event-Id", "ev-9"}});
  ASSERT_TRUE(first_event.ok());
  Remember();
  auto event_replay = PostWebhook(changed, "wh-event-2", {{"X-Shopify-Event-Id", "ev-9"}});
  ASSERT_TRUE(event_replay.ok());
  EXPECT_NE(event_replay->body.find("\"duplicate\":true"), std::string::npos) << event_replay->body;
  // A replay whose signature does not match the changed body is refused outright.
  Headers forged = ShopifyHeaders(kOrder, "orders/create", "wh-replay");
  auto unsigned_replay = Client().Send("POST", "/webhooks/shopify", changed, forged);
  ExpectJsonError(unsigned_replay, 401, "unauthenticated", "forged replay");
  ExpectNothingWritten();

  auto order_after =
      Client().Send("GET", "/v1/orders/" + std::to_string(order_id), "", ApiHeaders());
  ASSERT_TRUE(order_after.ok());
  JsonView after(order_after->body);
  EXPECT_EQ(after.Str("/order/email"), "grace@example.com");
  EXPECT_EQ(after.Int("/order/line_items/0/quantity"), 2);
  EXPECT_EQ(order_after->body.find("mallory"), std::string::npos);
}

// --- Content types ----------------------------------------------------------------------------

TEST_F(AdversarialTest, BodiesThatAreNotJsonByContentTypeAre415) {
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/xml", "application/json; charset=latin1", "application/jsonp", "text/json"}) {
    ExpectJsonError(PostWebhook(kOrder, std::string("wh-type-") + type, {{"Content-Type", type}}),
                    415, "unsupported_media_type", std::string("webhook as ") + type);
    Headers api = ApiHeaders();
    api[0].second = type;
    ExpectJsonError(Client().Send("POST", "/v1/orders", kCanonical, api), 415,
                    "unsupported_media_type", std::string("API order as ") + type);
  }
  ExpectHealthy();
  ExpectNothingWritten();
  // JSON spelled in any of its legitimate ways is accepted.
  int i = 0;
  for (const char* type : {"application/json; charset=utf-8", "Application/JSON",
                           "application/json;charset=\"UTF-8\"", "application/vnd.api+json"}) {
    auto r = PostWebhook(Replace(kOrder, "\"id\": 7001", "\"id\": " + std::to_string(8000 + ++i)),
                         std::string("wh-ok-type-") + type, {{"Content-Type", type}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << type << ": " << r->body;
  }
}

}  // namespace
}  // namespace orderpilot::testing
