#include "app/webhook_sender.h"

#include <charconv>

#include "api/http_client.h"

namespace orderpilot::app {

notify::WebhookSender MakeHttpWebhookSender() {
  return [](const std::string& url, const std::string& body,
            const std::vector<std::pair<std::string, std::string>>& headers) {
    using notify::SendOutcome;
    using notify::SendResult;
    constexpr std::string_view kHttp = "http://";
    if (url.rfind("https://", 0) == 0) {
      return SendOutcome{SendResult::kRejected,
                         "https webhooks need TLS, which this build does not have yet"};
    }
    if (url.rfind(kHttp, 0) != 0) {
      return SendOutcome{SendResult::kRejected, "not an http:// URL: " + url};
    }
    std::string_view rest = std::string_view(url).substr(kHttp.size());
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    std::string host(authority);
    uint16_t port = 80;
    if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = std::string(authority.substr(0, colon));
      std::string_view p = authority.substr(colon + 1);
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
      if (ec != std::errc() || end != p.data() + p.size() || port == 0) {
        return SendOutcome{SendResult::kRejected, "bad port in " + url};
      }
    }
    if (host.empty()) return SendOutcome{SendResult::kRejected, "no host in " + url};
    api::HttpClient client(host, port, std::chrono::seconds(10));
    auto resp = client.Send("POST", target, body, headers);
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
