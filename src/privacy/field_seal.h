// privacy/field_seal.h — encrypting the personal values of JSON documents, and opening them
// again. Two formats, both XChaCha20-Poly1305 (libsodium IETF AEAD) under a customer's DataKey
// with a random 24-byte nonce; base64url is unpadded.
//
// Format v2, a sealed document (SealJson on a root object): ONE nonce and tag per document.
// Every value to hide is moved out of the document into one ciphertext, and its span replaced
// by the JSON string "$op2:<i>" (a string value) or "$op2:<i>n" (a number), i = 0, 1, 2, ... in
// document order. One member is inserted first in the root object:
//     {"$op2":"<key_id>:<base64url(nonce24 ‖ ciphertext ‖ tag16)>", ...the other members...}
// without whitespace (the input's leading whitespace, if any, stays before it). Moved: the
// personal values below (non-empty strings and numbers); every string whose raw text starts
// with "$op" and is not a well-formed v1 token (so no stored string reads as a placeholder);
// and, when nothing else is, the string value of an input's own first member "$op2" (so no
// document returned unchanged reads as an envelope). The plaintext is, per moved value in
// order, a LEB128 length and the value's raw JSON text (a string's contents between the quotes,
// escapes as they were; a number's token): opening puts the raw text back verbatim, so an
// opened document is byte-identical to the input. Associated data: "op2|" + key_id, then per
// placeholder '|' + placeholder + '|' + LEB128 length + the decoded key of its field (for an
// array element, the key holding the array): a placeholder moved to another field, two
// swapped, or one dropped fail authentication. Well-formed v1 tokens in the input are left as
// they are, and opened as v1. Sealing a sealed document again nests (its placeholders move
// into a new envelope, the old envelope member stays after it); OpenJson undoes one level.
//
// Format v1, a sealed value (documents whose root is not an object, SealText): a JSON string
// "$op1:<key_id>:<t>:<base64url nonce‖ciphertext‖tag>" where t is 's' (the plaintext is the
// string's unescaped UTF-8) or 'n' (a number; the plaintext is its number token), associated
// data "<key_id>|<t>|<field>", <field> being the value's own (decoded) key as above. Opened
// strings are re-escaped minimally. Documents stored before v2 hold these tokens and still open.
//
// In both formats a value moved to another customer's record still names its own key; refusing
// it there is the KeyLookup's business.
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
// erasure. Non-personal values are copied byte for byte (but for the "$op" strings v2 moves). An
// empty string is left as it is.
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

inline constexpr std::string_view kSealPrefix = "$op1:";  // a v1 token
// How a v2-sealed document starts (after any leading whitespace of the input).
inline constexpr std::string_view kSealedDocumentPrefix = "{\"$op2\":\"";
// In every sealed document: OpenJson returns a document without it unchanged, unparsed.
inline constexpr std::string_view kSealMarker = "$op";
// What an opened value reads when its key was shredded: strings become this text, numbers null.
inline constexpr std::string_view kErasedText = "[erased]";

// `field`: the value's key; `parent`: the key under which the enclosing object sits ("" at the
// top level; for an object inside an array, the array's key).
bool IsPersonalField(std::string_view field, std::string_view parent);

struct SealStats {
  int64_t sealed = 0;  // values encrypted by this call (v2: values moved into the envelope)
};

// `json` sealed under `key`: a root object in format v2, any other root in format v1 (every
// personal value its own token; well-formed tokens are left as they are, so sealing a v1
// document twice changes nothing). InvalidArgument for invalid JSON (offset in the message),
// nesting deeper than 512, or a `key` without key material. A document with nothing to seal is
// returned byte for byte.
Result<std::string> SealJson(std::string_view json, const DataKey& key, SealStats* stats = nullptr);

// Finds keys for OpenJson: nullopt when the key was shredded (its values read as erased).
using KeyLookup = std::function<Result<std::optional<DataKey>>(std::string_view key_id)>;

struct OpenStats {
  int64_t opened = 0;
  int64_t erased = 0;  // values whose key was shredded
};

// `json` with every sealed value decrypted (restored as the string or number it was), or, when
// its key is gone, replaced by kErasedText (strings) or null (numbers). Fast path: a document
// without kSealMarker is returned unchanged without parsing.
// v2 (the document starts, after whitespace, with kSealedDocumentPrefix; only that first member
// is the envelope): the placeholders get their raw text back and the envelope member is dropped
// (byte-identical to what was sealed); with the key shredded, placeholders read kErasedText or
// null. Internal "malformed sealed document envelope" when the envelope is not
// "<16 lower hex>:<base64url>"; Internal "sealed document failed authentication" when the
// ciphertext, a placeholder, its field or the order or number of placeholders was changed.
// Without the envelope, "$op2:<i>" strings are plain text.
// v1 tokens (alone or inside a v2 document): Internal ("sealed value at <JSON Pointer> failed
// authentication") when a value fails authentication (tampered, or moved to another field);
// only well-formed tokens are opened: a string that merely starts with kSealPrefix (text a
// customer typed) is left as it is.
// InvalidArgument for invalid JSON; errors of `lookup` are returned as they are. `lookup` is
// called once per distinct key id. OpenStats count values (placeholders and tokens).
Result<std::string> OpenJson(std::string_view json, const KeyLookup& lookup,
                             OpenStats* stats = nullptr);

// One value (a review comment, a CSV cell): sealed as a v1 string token, with `field` as
// its associated data; OpenText undoes it (kErasedText when the key is gone; non-tokens are
// returned unchanged). REQUIRES: `key` holds key material (aborts otherwise: returning the
// plaintext would store it in clear).
std::string SealText(std::string_view plaintext, std::string_view field, const DataKey& key);
Result<std::string> OpenText(std::string_view text, std::string_view field,
                             const KeyLookup& lookup);

// The key ids `json` depends on (distinct, in first-seen order): a v2 envelope's first, then
// those of v1 tokens. For invalid JSON, the ids found before the error.
std::vector<std::string> SealedKeyIds(std::string_view json);

// Normalised forms for blind indexes: lower-cased, trimmed email ("" when it has no '@');
// phone digits only, without a leading "00" or "+" ("" when fewer than 6 digits).
std::string NormaliseEmail(std::string_view email);
std::string NormalisePhone(std::string_view phone);

}  // namespace orderpilot::privacy
