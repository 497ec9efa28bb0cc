#include "app/privacy_cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cinttypes>
#include <filesystem>

#include "app/server.h"
#include "core/json_writer.h"
#include "privacy/keyring.h"
#include "privacy/privacy_request.h"
#include "privacy/sealed_store.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {

namespace {

int Fail(std::FILE* err, const Status& s, int code = 2) {
  std::fprintf(err, "orderpilot: %s\n", s.message().c_str());
  return code;
}

Result<std::string> ShopOf(const Config& config, const CustomerSelector& who) {
  if (!who.shop.empty()) return who.shop;
  if (config.shops.size() == 1 && config.shops.front().domain != "*")
    return config.shops.front().domain;
  return InvalidArgumentError("--shop is needed: customers are kept per shop");
}

Status WriteExport(const std::string& path, std::string_view doc, std::FILE* out) {
  if (path.empty() || path == "-") {
    std::fwrite(doc.data(), 1, doc.size(), out);
    std::fputc('\n', out);
    return Status::Ok();
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return InvalidArgumentError("cannot write " + path);
  size_t done = 0;
  while (done < doc.size()) {
    const ssize_t n = ::write(fd, doc.data() + done, doc.size() - done);
    if (n <= 0) {
      ::close(fd);
      return InternalError("cannot write " + path);
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  return Status::Ok();
}

}  // namespace

int CustomerCommand(const Config& config, const std::string& action,
                    const CustomerSelector& selector, const std::string& out_file,
                    const std::string& request_id, std::FILE* out, std::FILE* err) {
  if (selector.email.empty() && selector.phone.empty() && selector.customer_id.empty() &&
      selector.ref.empty()) {
    return Fail(err, InvalidArgumentError("name the customer: --email, --phone, --customer-id or "
                                          "--ref"));
  }
  Result<std::string> shop = ShopOf(config, selector);
  if (!shop.ok() && selector.ref.empty()) return Fail(err, shop.status());
  SystemClock clock;
  Result<SealedData> data = OpenSealedData(config, clock, nullptr);
  if (!data.ok()) return Fail(err, data.status());
  privacy::SealedStore& store = *data->store;

  privacy::PersonRequest request;
  request.source = "cli";
  request.actor = "cli";
  request.request_id = request_id;
  if (!selector.ref.empty()) request.refs.push_back(selector.ref);
  if (shop.ok()) {
    request.who.shop = *shop;
    if (!selector.email.empty()) request.who.emails.push_back(selector.email);
    if (!selector.phone.empty()) request.who.phones.push_back(selector.phone);
    if (!selector.customer_id.empty())
      request.who.channel_customer_ids.push_back(selector.customer_id);
  }
  if (action == "export") {
    Result<privacy::PersonExport> exported = privacy::ExportForPerson(store, request, clock.Now());
    if (!exported.ok()) return Fail(err, exported.status(), 1);
    if (Status s = WriteExport(out_file, exported->document, out); !s.ok()) return Fail(err, s, 1);
    if (out_file != "-" && !out_file.empty())
      std::fprintf(out, "exported %zu customer(s) to %s\n", exported->customer_refs.size(),
                   out_file.c_str());
    return 0;
  }
  Result<privacy::ErasureReport> erased = privacy::EraseForPerson(store, request);
  if (!erased.ok()) return Fail(err, erased.status(), 1);
  std::fprintf(out,
               "erased %zu customer(s): %" PRId64 " key(s) shredded, %" PRId64
               " order(s) keep money, SKUs and dates only\n",
               erased->customer_refs.size(), erased->keys_shredded, erased->orders);
  return 0;
}

int PrivacyRequestsCommand(const Config& config, bool json, std::FILE* out, std::FILE* err) {
  SystemClock clock;
  Result<SealedData> data = OpenSealedData(config, clock, nullptr);
  if (!data.ok()) return Fail(err, data.status());
  const Timestamp now = clock.Now();
  JsonWriter w;
  w.BeginArray();
  int64_t after = 0;
  while (true) {
    auto page = data->store->ListPrivacyRequests("", after, 500);
    if (!page.ok()) return Fail(err, page.status(), 1);
    if (page->empty()) break;
    for (const store::PrivacyRequestRecord& r : *page) {
      after = r.id;
      const Timestamp due = privacy::RequestDeadline(r);
      const bool overdue = r.status == "pending" && due < now;
      if (json) {
        privacy::WritePrivacyRequestJson(w, r, now);
      } else {
        std::fprintf(
            out, "%" PRId64 "  %-24s %-32s %-8s received %s  due %s%s%s\n", r.id, r.topic.c_str(),
            r.shop.c_str(), r.status.c_str(), FormatTimestamp(r.received_at).c_str(),
            FormatTimestamp(due).c_str(), overdue ? "  OVERDUE" : "",
            r.finished_at ? ("  finished " + FormatTimestamp(*r.finished_at)).c_str() : "");
      }
    }
  }
  w.EndArray();
  if (json) std::fprintf(out, "%s\n", w.Take().c_str());
  return 0;
}

int KeysNewMasterCommand(std::FILE* out) {
  std::fputs(privacy::GenerateMasterKeyText().c_str(), out);
  return 0;
}

int KeysRotateCommand(const Config& config, std::FILE* out, std::FILE* err) {
  if (config.privacy.master_keys.size() < 2) {
    return Fail(err, InvalidArgumentError(
                         "rotation needs the new master key first and the old one after it: "
                         "privacy.master_key plus privacy.previous_master_keys in the config"));
  }
  std::vector<privacy::MasterKey> masters;
  for (const std::string& text : config.privacy.master_keys) {
    Result<privacy::MasterKey> k = privacy::ParseMasterKey(text);
    if (!k.ok()) return Fail(err, k.status());
    masters.push_back(*k);
  }
  const std::string primary = masters.front().id;
  SystemClock clock;
  const std::string key_file = config.privacy.key_file.empty()
                                   ? (std::filesystem::path(config.data_dir) / "keys.db").string()
                                   : config.privacy.key_file;
  auto keyring = privacy::Keyring::Open(key_file, std::move(masters), clock);
  if (!keyring.ok()) return Fail(err, keyring.status());
  auto report = (*keyring)->Rotate();
  if (!report.ok()) return Fail(err, report.status(), 1);
  std::fprintf(
      out, "rotated: %" PRId64 " data key(s) re-wrapped under master %s, %" PRId64 " already were",
      report->rewrapped, primary.c_str(), report->already);
  if (report->unknown_master > 0)
    std::fprintf(out, ", %" PRId64 " under a master key not given (left as they are)",
                 report->unknown_master);
  std::fprintf(out, "\n");
  auto per_master = (*keyring)->KeysPerMaster();
  if (!per_master.ok()) return Fail(err, per_master.status(), 1);
  for (const auto& [id, count] : *per_master) {
    std::fprintf(out, "  master %s wraps %" PRId64 " key(s)%s\n", id.c_str(), count,
                 id == primary ? " (current)"
                 : count == 0  ? " (can be retired)"
                               : "");
  }
  return 0;
}

}  // namespace orderpilot::app
