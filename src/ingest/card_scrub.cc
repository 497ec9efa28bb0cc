#include "ingest/card_scrub.h"

#include <algorithm>
#include <utility>

#include "core/json_dom.h"
#include "privacy/card_scan.h"

namespace orderpilot::ingest {

Result<ScrubbedBody> ScrubCardData(std::string_view body) {
  Result<privacy::JsonRedaction> redacted = privacy::RedactJson(body);
  if (!redacted.ok()) {
    // Prefer the parser's wording, which the rest of ingest uses for a bad body; fall back to
    // the scanner's when only the scanner refuses (then nothing unscanned is ever stored).
    Result<simdjson::dom::object> parsed = json_dom::ParseObject(body);
    if (!parsed.ok()) return parsed.status();
    return redacted.status();
  }
  ScrubbedBody out;
  out.json = std::move(redacted->json);
  for (privacy::JsonFinding& f : redacted->findings) {
    if (std::find(out.removed_from.begin(), out.removed_from.end(), f.path) ==
        out.removed_from.end()) {
      out.removed_from.push_back(std::move(f.path));
    }
  }
  return out;
}

}  // namespace orderpilot::ingest
