// privacy/card_scan.h — finding and removing payment card numbers (PANs) and card security codes
// (CVV/CVC) in incoming text and in raw JSON documents, so that neither is ever stored.
//
// Every incoming text field, and every raw webhook body before it is stored, goes through here.
// A card is a run of 13–19 digits, optionally grouped by single spaces or single dashes, that is
// not glued to a letter or to further digits, passes the Luhn check and fits a brand's IIN range
// and length (kCardBrands in card_scan.cc). A security code is 3 or 4 digits just after a keyword
// ("cvv", "cvc2", "security code", …). The detector errs on the safe side: any Luhn-valid number
// that fits a brand is a card, whatever it was meant to be (1 in 10 random numbers passes Luhn,
// so a 13-digit id starting with 4, 5 or 6 is removed one time in ten).
//
// Invariants:
//  - A replacement marker ("[card visa 411111…1111 removed]", "[cvv removed]") keeps at most the
//    first 6 and last 4 digits, holds no JSON-special byte (no quote, backslash or control
//    character), and is itself never detected: redacting twice changes nothing.
//  - Offsets and lengths are in bytes of the scanned text. Non-ASCII bytes count as neither
//    letters nor digits.
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orderpilot::privacy {

struct CardFinding {
  enum class Kind { kCard, kCvv };

  Kind kind = Kind::kCard;
  size_t offset = 0;  // of the first digit in the scanned text
  size_t length = 0;  // bytes covered: a grouped PAN includes its separators; a CVV only digits
  std::string bin;    // the PAN's first 6 digits; empty for kCvv
  std::string last4;  // the PAN's last 4 digits; empty for kCvv
  std::string_view brand;  // "visa", "mastercard", "amex", "discover", "jcb", "diners",
                           // "unionpay", "maestro" (static storage); empty for kCvv
};

// All cards and security codes in `text`, by offset, never overlapping (a code inside a card is
// part of the card).
//
// Grouped runs: where a run of digit groups is longer than a card, the card is searched among
// its whole groups, leftmost start first, then the longest that is valid ("qty 2 4111 1111 1111
// 1111" finds the card after "2 "). Every group but a card's last has at least 3 digits, so lists
// of small numbers ("sizes 36 38 40 42 44 46 48") are not read as cards. A group is never
// split, so digits inside a longer unseparated run (a 22-digit tracking number) are never a
// card. A group glued to a letter ("SKU4111…", "…1111A") cannot be part of a card.
//
// Security codes: one of cvv, cvv2, cvc, cvc2, cid, csc, "security code", "card code"
// (case-insensitive; the space may also be '_' or '-'), not preceded by a letter (a digit may
// precede it: "cvc888cvc882" holds two codes), then at most 12 bytes of spaces, tabs, ':', '=',
// '#', '-', quotes, backslashes or the word "is", then exactly 3 or 4 digits not followed by
// another digit: "CVV: 123", "cvc2=1234", "security code is '456'".
std::vector<CardFinding> FindCards(std::string_view text);

// Whether FindCards(text) would find anything (cards or security codes). Allocates nothing: the
// cheap test to skip RedactCards on the common clean path.
bool HasCards(std::string_view text);

// `text` with every finding replaced by RedactionMarker(finding). When `findings` is non-null it
// receives FindCards(text) (offsets into `text`, not into the result).
std::string RedactCards(std::string_view text, std::vector<CardFinding>* findings = nullptr);

// "[card <brand> <bin>…<last4> removed]" (the ellipsis is U+2026 in UTF-8) or "[cvv removed]".
std::string RedactionMarker(const CardFinding& finding);

// The brand whose IIN range and length `digits` fits ("" when none). REQUIRES: only digits.
std::string_view CardBrand(std::string_view digits);

// Whether `digits` passes the Luhn (mod 10) check; false when empty. REQUIRES: only digits.
bool LuhnValid(std::string_view digits);

// Deepest nesting of arrays and objects RedactJson accepts.
inline constexpr size_t kMaxJsonDepth = 512;

struct JsonFinding {
  std::string path;  // JSON Pointer (RFC 6901) of the value: "/line_items/0/properties/1/value"
  CardFinding::Kind kind = CardFinding::Kind::kCard;
  std::string bin;  // as in CardFinding
  std::string last4;
  std::string_view brand;
};

struct JsonRedaction {
  std::string json;                   // equal to the input byte for byte when `findings` is empty
  std::vector<JsonFinding> findings;  // in document order
};

// Scrubs a JSON document (a raw webhook body) and validates it (RFC 8259 grammar; UTF-8 is not
// validated). The output is the input byte for byte except:
//  - inside string values (never keys) findings are replaced as by RedactCards. The literal's
//    bytes are scanned as they are: escape sequences separate words and digit groups ("\n4111…"
//    is found), but a digit written as an escape ("\u0034") is not recognised;
//  - a number token that is a plain integer of 13–19 digits and a card becomes the quoted marker;
//  - values of identifier keys (IsIdentifierKey: "id", "order_id", "sku", "barcode", …), and the
//    arrays under them, are never changed: a 13-digit Shopify id or an EAN barcode that happens
//    to pass Luhn and fit a brand stays intact. Card numbers come in through what people type
//    (notes, note attributes, line item properties, names, addresses), never through these;
//  - the value of a key that ends in a security-code keyword ("cvv", "card_cvc", "security_code")
//    is a security code when it is 3 or 4 digits, as a string (spaces around allowed) or an
//    integer token: {"cvv": "123"} → {"cvv": "[cvv removed]"}.
// Keys are never changed; they appear unescaped in paths, with '~' as "~0" and '/' as "~1".
// A cheap pre-scan (no 13-digit run, no keyword) skips the scanning, leaving a validating pass.
// Errors: InvalidArgument "invalid JSON at byte <offset>: <what>"; InvalidArgument "JSON nested
// deeper than 512 levels" (iterative: deep input never exhausts the call stack).
Result<JsonRedaction> RedactJson(std::string_view json);

// Whether RedactJson leaves the values of `key` alone: "id", "number", "order_number", "sku",
// "barcode", "gtin", "upc", "ean", "isbn", "mpn", "tracking_number(s)", and any key ending in
// "_id", "_ids" or "token" (ASCII case-insensitive; "admin_graphql_api_id", "checkout_token").
bool IsIdentifierKey(std::string_view key);

}  // namespace orderpilot::privacy
