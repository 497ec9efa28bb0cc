// ingest/card_scrub.h — removes payment card numbers and card security codes from an incoming
// JSON body before anything of it is parsed into an order or stored (privacy/card_scan.h).
//
// Invariant: what callers store (raw body, canonical order, events) is built from
// ScrubbedBody::json, never from the body as received, so a card number a customer typed into
// a note, an address or a line item property never reaches the disk; only the marker with the
// card's brand, BIN and last 4 does. Identifiers and product codes are left intact
// (privacy::IsIdentifierKey).
//
// Thread-safety: a pure function; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orderpilot::ingest {

struct ScrubbedBody {
  std::string json;  // the body with every finding replaced; equal to the input when unchanged
  // JSON Pointers of the values something was removed from, each once, in document order:
  // {"/note", "/line_items/0/properties/1/value"}. Empty when the body was clean.
  std::vector<std::string> removed_from;
};

// InvalidArgument when `body` is not a JSON object (the message is the one the normalisers give:
// core/json_dom.h), or is one the scanner cannot read through (nesting deeper than 512).
Result<ScrubbedBody> ScrubCardData(std::string_view body);

}  // namespace orderpilot::ingest
