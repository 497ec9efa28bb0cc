// fuzz/card_scan_fuzz.cc — the card-number and security-code scanner (privacy/card_scan.h) on
// arbitrary text and JSON, and the webhook body scrubber built on it (ingest/card_scrub.h).
//
// Checks the invariants card_scan.h promises, besides "no crash":
//  - findings are in order, inside the text, never overlapping; a card's digits pass Luhn and
//    fit a brand; HasCards agrees with FindCards;
//  - redacting twice changes nothing, and a redacted text has no findings left;
//  - RedactJson: with no findings the output is the input byte for byte; its output is valid
//    JSON again with no findings; the scrubber's output equals RedactJson's.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "ingest/card_scrub.h"
#include "privacy/card_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orderpilot;
  using fuzz::Check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::vector<privacy::CardFinding> findings = privacy::FindCards(text);
  Check(privacy::HasCards(text) == !findings.empty(), "HasCards disagrees with FindCards");
  size_t end = 0;
  for (const privacy::CardFinding& f : findings) {
    Check(f.offset >= end && f.length > 0 && f.offset + f.length <= text.size(),
          "findings overlap or leave the text");
    end = f.offset + f.length;
    if (f.kind == privacy::CardFinding::Kind::kCard) {
      std::string digits;
      for (char c : text.substr(f.offset, f.length))
        if (c >= '0' && c <= '9') digits.push_back(c);
      Check(privacy::LuhnValid(digits), "a card that fails Luhn");
      Check(privacy::CardBrand(digits) == f.brand && !f.brand.empty(), "a card without a brand");
      Check(digits.starts_with(f.bin) && digits.ends_with(f.last4), "bin/last4 are not the PAN's");
    }
  }
  const std::string once = privacy::RedactCards(text);
  Check(privacy::RedactCards(once) == once, "redacting twice changes the text");
  Check(!privacy::HasCards(once), "a redacted text still has cards");

  auto json = privacy::RedactJson(text);
  if (json.ok()) {
    if (json->findings.empty()) Check(json->json == text, "a clean document was changed");
    auto again = privacy::RedactJson(json->json);
    Check(again.ok(), "a redacted document is no longer valid JSON");
    Check(again->findings.empty() && again->json == json->json, "redacting JSON twice changes it");
  }
  auto scrubbed = ingest::ScrubCardData(text);
  if (scrubbed.ok()) {
    Check(json.ok(), "the scrubber accepts what RedactJson refuses");
    Check(scrubbed->json == json->json, "the scrubber's output differs from RedactJson's");
  }
  return 0;
}
