// privacy/redaction.h — replacing personal data by placeholders before text leaves the machine,
// and putting it back when the answer comes home.
//
// A Redactor is built from the personal values we know (an order's names, emails, phones,
// addresses, postcode, city, company, IP, plus any extra values). Redact(text) replaces:
//  1. card numbers and security codes (privacy/card_scan.h FindCards)        → [CARD_n], [CVV_n]
//  2. e-mail addresses, known or not (case-insensitive)                      → [EMAIL_n]
//  3. the known values (names, addresses, postcode, city, company, IP, extras), case-insensitive
//     (ASCII and Latin-1 letters), any run of white space matching any other, whole words only
//     → [CUSTOMER_NAME], [CUSTOMER_FIRST_NAME], [CUSTOMER_LAST_NAME], [NAME_n], [FIRST_NAME_n],
//       [LAST_NAME_n], [ADDRESS_n], [POSTCODE_n], [CITY_n], [COMPANY_n], [IP_n], [VALUE_n]
//  4. IP addresses (IPv4 dotted quads, IPv6)                                 → [IP_n]
//  5. phone numbers: a known phone is matched by its digits whatever the formatting ("+33 6 12 34
//     56 78" = "06.12.34.56.78": the last 9 digits decide); an unknown run of 9–15 digits (8–15
//     after '+') grouped by spaces, dashes, dots, slashes or parentheses is a phone too, unless
//     it starts like a date                                                  → [PHONE_n]
//  6. street addresses: a house number next to a street phrase — "12 Rue de Rivoli", "1600
//     Amphitheatre Pkwy", "221B Baker Street", "Hauptstraße 5", "Via Roma 10" (the street words
//     are in redaction.cc, kStreetWords and kStreetSuffixes)                 → [ADDRESS_n]
//
// Invariants:
//  - Placeholders are stable within one Redactor: the same value (after case folding; for phones
//    the same digits) always gets the same placeholder, across calls.
//  - Refill(Redact(t)) == t for text without card data, except that a phone or value written in
//    several spellings comes back in the spelling seen first (a known value: the order's).
//  - The Redactor never keeps a full card number: a card's placeholder refills to the card_scan
//    marker ("[card visa 411111…1111 removed]"), a security code's to "[cvv removed]".
//  - Values shorter than 2 bytes are ignored (an initial would match everywhere).
// Detection errs on the safe side: over-redaction costs the model some context (the answer is
// refilled anyway); under-redaction leaks. Heuristics for unknown phones and streets can miss
// unusual spellings: known values are matched exactly and should be given whenever known.
//
// Thread-safety: Redact and AddKnown change the Redactor; use one per request or lock around it.
// Const methods may run concurrently with each other.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/order.h"

namespace orderpilot::privacy {

enum class ValueKind {
  kName,  // a person's full name or part of it
  kEmail,
  kPhone,
  kAddress,  // a street line ("12 Rue de Rivoli", "Apt 4")
  kPostcode,
  kCity,
  kCompany,
  kIp,
  kOther,  // anything else personal (a loyalty number, a social handle)
};

// A personal value known in advance. `label` names its placeholder ("CUSTOMER_NAME" gives
// "[CUSTOMER_NAME]"): upper-case ASCII letters, digits and '_' only. Default: "" — numbered by
// kind ("EMAIL" gives "[EMAIL_1]", "[EMAIL_2]" …; kOther gives "[VALUE_n]").
struct KnownValue {
  ValueKind kind = ValueKind::kOther;
  std::string value;
  std::string label = {};
};

// The personal values of an order: the customer's name (as [CUSTOMER_NAME], and each part as
// [CUSTOMER_FIRST_NAME] / [CUSTOMER_LAST_NAME]; taken from the billing, then the shipping
// address when the customer record has none), other people named on the addresses ([NAME_n]
// and parts), the order's and customer's emails and phones, both addresses' street lines,
// company, postcode and city, and the browser IP. Empty fields are skipped.
std::vector<KnownValue> KnownValuesOf(const Order& order);

// What FindLeaks reports: where a personal value still is. Never holds the value itself, so
// that it can be logged.
struct Leak {
  enum class Kind { kKnownValue, kCard };
  Kind kind = Kind::kKnownValue;
  size_t offset = 0;  // in the scanned text
  size_t length = 0;
  std::string placeholder;  // the known value's placeholder; "[CARD]" or "[CVV]" for kCard
};

class Redactor {
 public:
  Redactor() = default;
  // KnownValuesOf(order) followed by `extra`.
  explicit Redactor(const Order& order, const std::vector<KnownValue>& extra = {});

  // Adds a known value. A value already known (same fold, or same phone digits) keeps its
  // placeholder. Ignored when shorter than 2 bytes (for phones: fewer than 5 digits).
  void AddKnown(const KnownValue& value);

  // `text` with every personal value replaced by its placeholder (see the top of this file).
  // Values found that were not known get new placeholders and are remembered for Refill.
  std::string Redact(std::string_view text);

  // `text` with each placeholder this Redactor issued replaced by its value; anything else
  // (including placeholders it never issued, "[EMAIL_99]") is left as it is.
  std::string Refill(std::string_view text) const;

  // Where `text` still holds a known value (matched as Redact matches them, phones by digits) or
  // a card number / security code. Empty for any output of Redact: the defence-in-depth check
  // run on what is about to leave the machine.
  std::vector<Leak> FindLeaks(std::string_view text) const;

  // Placeholder ("[EMAIL_1]") → the value it stands for, for every placeholder issued so far.
  const std::map<std::string, std::string>& placeholders() const { return refill_; }

 private:
  struct Entry {
    ValueKind kind;
    std::string folded;       // case-folded value with white space runs collapsed to one ' '
    std::string placeholder;  // "[CUSTOMER_NAME]"
  };
  struct Phone {
    std::string key;  // the last 9 digits (all of them when fewer)
    std::string placeholder;
  };
  struct Span {
    size_t begin;
    size_t end;
    std::string placeholder;
  };

  // The placeholder for a value of `kind` under `key` (a fold or phone key), issuing
  // "[<prefix>_<n>]" (or "[<label>]") with `original` as its refill value when new.
  std::string PlaceholderFor(std::string_view prefix, const std::string& key,
                             std::string_view original, std::string_view label = {});
  std::string PhonePlaceholder(std::string_view digits, std::string_view original);
  // The known entries matched in `text` (non-overlapping, leftmost-longest), as spans.
  std::vector<Span> MatchKnown(std::string_view text) const;
  // The known phones in `text`, by digits.
  std::vector<Span> MatchKnownPhones(std::string_view text) const;

  std::vector<Entry> entries_;  // longest first
  std::vector<Phone> phones_;
  std::map<std::string, std::string> by_key_;  // "<prefix>\n<key>" → placeholder
  std::map<std::string, int> counters_;        // prefix → last number issued
  std::map<std::string, std::string> refill_;  // placeholder → value
};

}  // namespace orderpilot::privacy
