// privacy/field_seal.h — encrypting the personal fields of JSON documents field by field, and
// opening them again.
//
// A sealed value is a JSON string "$op1:<key_id>:<t>:<base64url nonce‖ciphertext‖tag>" where t
// is 's' (the value was a string; the plaintext is its unescaped UTF-8) or 'n' (a number; the
// plaintext is its number token). The cipher is XChaCha20-Poly1305 (libsodium IETF AEAD) with a
// random 24-byte nonce and associated data "<key_id>|<t>|<field>", <field> being the value's own
// (decoded) key — for an element of an array, the key holding the array: a sealed email moved
// into another field, or a changed type letter, fails to open. A value moved to another
// customer's record still names its own key; refusing it there is the KeyLookup's business.
//
// Which values are personal (IsPersonalField): by the key of the value and, for "name", the key
// of the object holding it —
//  - always: email, contact_email, customer_email, phone, first_name, last_name, address1,
//    address2, street, company, city, zip, postcode, postal_code, latitude, longitude, browser_ip,
//    client_ip, ip, ip_address, note, comment, message, buyer_name, buyer_email, recipient_name;
//  - "name" only inside an object held under billing_address, shipping_address, customer,
//    default_address, addresses (array elements), destination, origin_address or buyer_info;
//  - the "value" of note_attributes elements (free text a customer typed), of attributes
//    elements (the canonical order's name for them) and of line item properties (an engraving).
// Keys are matched ASCII case-insensitively. Country, province codes, money, SKUs, quantities,
// dates, ids and the document's structure stay in clear, so orders keep their books after an
// erasure. Non-personal values are copied byte for byte. An empty string is left as it is.
//
// Thread-safety: pure functions; the KeyLookup must be thread-safe when shared.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "privacy/keyring.h"

namespace orderpilot::privacy {

inline constexpr std::string_view kSealPrefix = "$op1:";
// What an opened value reads when its key was shredded: strings become this text, numbers null.
inline constexpr std::string_view kErasedText = "[erased]";

// `field`: the value's key; `parent`: the key under which the enclosing object sits ("" at the
// top level; for an object inside an array, the array's key).
bool IsPersonalField(std::string_view field, std::string_view parent);

struct SealStats {
  int64_t sealed = 0;  // values encrypted by this call
};

// `json` with every personal value sealed under `key`. Values already sealed (well-formed
// tokens) are left as they are (sealing twice changes nothing). InvalidArgument for invalid JSON
// (offset in the message), nesting deeper than 512, or a `key` without key material. A document
// without personal values is returned byte for byte.
Result<std::string> SealJson(std::string_view json, const DataKey& key, SealStats* stats = nullptr);

// Finds keys for OpenJson: nullopt when the key was shredded (its values read as erased).
using KeyLookup = std::function<Result<std::optional<DataKey>>(std::string_view key_id)>;

struct OpenStats {
  int64_t opened = 0;
  int64_t erased = 0;  // values whose key was shredded
};

// `json` with every sealed value decrypted (restored as the string or number it was), or, when
// its key is gone, replaced by kErasedText (strings) or null (numbers). Fast path: a document
// without kSealPrefix is returned unchanged without parsing. Internal ("sealed value at <JSON
// Pointer> failed authentication") when a value fails authentication (tampered, or moved to
// another field); InvalidArgument for invalid JSON; errors of `lookup` are returned as they
// are. Only well-formed tokens are opened: a string that merely starts with kSealPrefix (text a
// customer typed) is left as it is. `lookup` is called once per distinct key id.
Result<std::string> OpenJson(std::string_view json, const KeyLookup& lookup,
                             OpenStats* stats = nullptr);

// One value (a review comment, a CSV cell): sealed as the string token above, with `field` as
// its associated data; OpenText undoes it (kErasedText when the key is gone; non-tokens are
// returned unchanged). REQUIRES: `key` holds key material (aborts otherwise: returning the
// plaintext would store it in clear).
std::string SealText(std::string_view plaintext, std::string_view field, const DataKey& key);
Result<std::string> OpenText(std::string_view text, std::string_view field,
                             const KeyLookup& lookup);

// The collected key ids of every sealed value in `json` (distinct, in first-seen order): which
// customers' keys a document depends on. For invalid JSON, the ids found before the error.
std::vector<std::string> SealedKeyIds(std::string_view json);

// Normalised forms for blind indexes: lower-cased, trimmed email ("" when it has no '@');
// phone digits only, without a leading "00" or "+" ("" when fewer than 6 digits).
std::string NormaliseEmail(std::string_view email);
std::string NormalisePhone(std::string_view phone);

}  // namespace orderpilot::privacy
