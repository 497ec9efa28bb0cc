#include "app/webhook_sender.h"

#include <charconv>

#include "api/http_client.h"
#include "api/https_client.h"

namespace orderpilot::app {
namespace {

using notify::SendOutcome;
using notify::SendResult;

struct Url {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string target;
};

// http(s)://host[:port][/path]; false with a reason when it is not one.
bool ParseUrl(const std::string& url, Url* out, std::string* why) {
  std::string_view rest = url;
  if (rest.rfind("https://", 0) == 0) {
    out->tls = true;
    out->port = 443;
    rest.remove_prefix(8);
  } else if (rest.rfind("http://", 0) == 0) {
    out->port = 80;
    rest.remove_prefix(7);
  } else {
    *why = "not an http:// or https:// URL: " + url;
    return false;
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out->target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  out->host = std::string(authority);
  if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    out->host = std::string(authority.substr(0, colon));
    std::string_view p = authority.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), out->port);
    if (ec != std::errc() || end != p.data() + p.size() || out->port == 0) {
      *why = "bad port in " + url;
      return false;
    }
  }
  if (out->host.empty()) {
    *why = "no host in " + url;
    return false;
  }
  return true;
}

}  // namespace

notify::WebhookSender MakeHttpWebhookSender(WebhookSenderOptions options) {
  return [options](const std::string& url, const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
    Url u;
    std::string why;
    if (!ParseUrl(url, &u, &why)) return SendOutcome{SendResult::kRejected, why};
    Result<api::HttpResponse> resp = UnavailableError("not sent");
    if (u.tls) {
      api::HttpsOptions o;
      o.timeout = options.timeout;
      o.ca_file = options.ca_file;
      resp = api::HttpsRequest("POST", u.host, u.port, u.target, body, headers, o);
    } else {
      api::HttpClient client(u.host, u.port, options.timeout);
      resp = client.Send("POST", u.target, body, headers);
    }
    if (!resp.ok()) return SendOutcome{SendResult::kRetry, resp.status().message()};
    int status = resp->status;
    std::string detail = "HTTP " + std::to_string(status);
    if (status >= 200 && status < 300) return SendOutcome{SendResult::kDelivered, detail};
    if (status == 408 || status == 429 || status >= 500) {
      return SendOutcome{SendResult::kRetry, detail};
    }
    return SendOutcome{SendResult::kRejected, detail};
  };
}

}  // namespace orderpilot::app
