// fuzz/risk_csv_fuzz.cc — the risk module's CSV readers: the labelled training file
// (risk/training_data.h, read from a path, so through a temporary file) and the IP-to-country
// range table (risk/ip_country.h, a ".csv" path), then lookups of hostile address text, which
// live scoring does for every order's browser_ip.
//
// Checks besides "no crash": every labelled order has a 0/1 label; a lookup answers "" or two
// upper-case letters.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "risk/ip_country.h"
#include "risk/training_data.h"

namespace {

void CheckCountry(std::string_view code) {
  orderpilot::fuzz::Check(code.empty() || (code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' &&
                                           code[1] >= 'A' && code[1] <= 'Z'),
                          "a lookup answered something other than '' or a country code");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orderpilot;
  using fuzz::Check;
  static fuzz::TempFile labelled_file(".csv");
  fuzz::TempFile* labelled = &labelled_file;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const std::string& path = labelled->Write(data, size);
  if (auto orders = risk::ReadLabelledCsv(path, {}); orders.ok()) {
    for (const risk::LabelledOrder& o : *orders) Check(o.label == 0 || o.label == 1, "label");
    risk::SignalConfig config;
    (void)risk::BuildFeatureRows(*orders, config);
  }
  static const std::map<std::string, std::string> kMapping = {
      {"created_at", "purchase_time"}, {"customer_created_at", "signup_time"},
      {"total", "purchase_value"},     {"device", "device_id"},
      {"customer_id", "user_id"},      {"label", "class"},
      {"user_agent", "browser"}};
  (void)risk::ReadLabelledCsv(path, kMapping);
  (void)risk::ParseLabelledTime(text.substr(0, 64));

  // The input as a table, looked up with its own fields; and its fields looked up in a fixed one.
  static const risk::IpCountryTable* fixed = [] {
    static fuzz::TempFile file(".csv");
    const std::string ranges =
        "first,last,country\n1.0.0.0,1.0.0.255,AU\n16909056,16909311,US\n"
        "2001:db8::,2001:db8::ffff,DE\n::ffff:5.0.0.0,::ffff:5.0.0.9,FR\n";
    file.Write(reinterpret_cast<const uint8_t*>(ranges.data()), ranges.size());
    auto table = risk::IpCountryTable::Open(file.path());
    Check(table.ok(), "the fixed IP table does not load");
    return table->release();
  }();
  auto table = risk::IpCountryTable::Open(path);
  size_t start = 0;
  for (int fields = 0; fields < 32 && start <= text.size(); ++fields) {
    size_t end = text.find_first_of(",\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view field = text.substr(start, end - start);
    CheckCountry(fixed->Lookup(field));
    if (table.ok()) CheckCountry((*table)->Lookup(field));
    start = end + 1;
  }
  return 0;
}
