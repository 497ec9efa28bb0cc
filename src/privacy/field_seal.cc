#include "privacy/field_seal.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <utility>

#include "privacy/internal/json_walk.h"
#include "privacy/internal/key_arena.h"

namespace orderpilot::privacy {
namespace {

using internal::JsonFrame;
using internal::JsonValue;

constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kKeyIdChars = 16;
// "$op1:" + key id + ":" + t + ":"
constexpr size_t kTokenHeader = kSealPrefix.size() + kKeyIdChars + 3;
constexpr int kBase64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

constexpr std::string_view kAlwaysPersonal[] = {
    "email",       "contact_email", "customer_email", "phone",     "first_name", "last_name",
    "address1",    "address2",      "street",         "company",   "city",       "zip",
    "postcode",    "postal_code",   "latitude",       "longitude", "browser_ip", "client_ip",
    "ip",          "ip_address",    "note",           "comment",   "message",    "buyer_name",
    "buyer_email", "recipient_name"};
constexpr std::string_view kNameParents[] = {"billing_address", "shipping_address", "customer",
                                             "default_address", "addresses",        "destination",
                                             "origin_address",  "buyer_info"};

// ASCII case-insensitive equality with a lower-case name.
bool IsName(std::string_view key, std::string_view lower) {
  if (key.size() != lower.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// base64url digit values; 0xFF for bytes that are not base64url digits.
constexpr std::array<unsigned char, 256> kBase64Value = [] {
  std::array<unsigned char, 256> t{};
  t.fill(0xFF);
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<unsigned char>(i);
    t['a' + i] = static_cast<unsigned char>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<unsigned char>(52 + i);
  t['-'] = 62;
  t['_'] = 63;
  return t;
}();

bool IsBase64Url(char c) { return kBase64Value[static_cast<unsigned char>(c)] != 0xFF; }

// Decodes unpadded base64url (the ciphertext is public: no need for libsodium's constant-time
// decoder, which costs more than the cipher on short values). False on a stray character, a
// length of 1 mod 4 or non-zero trailing bits (a non-canonical encoding).
bool DecodeBase64Url(std::string_view text, std::string* out) {
  if (text.size() % 4 == 1) return false;
  out->resize(text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1));
  auto* o = reinterpret_cast<unsigned char*>(out->data());
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const unsigned char v = kBase64Value[static_cast<unsigned char>(c)];
    if (v == 0xFF) return false;
    acc = ((acc << 6) | v) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<unsigned char>(acc >> bits);
    }
  }
  return (acc & ((1u << bits) - 1)) == 0;
}

// A well-formed token, split; the cryptography is not checked here.
struct Token {
  std::string_view key_id;
  char type = 's';
  std::string_view body;  // base64url of nonce ‖ ciphertext ‖ tag
};

std::optional<Token> ParseToken(std::string_view text) {
  if (text.size() <= kTokenHeader || text.substr(0, kSealPrefix.size()) != kSealPrefix) {
    return std::nullopt;
  }
  const std::string_view id = text.substr(kSealPrefix.size(), kKeyIdChars);
  if (!std::all_of(id.begin(), id.end(), IsLowerHex)) return std::nullopt;
  const size_t t = kSealPrefix.size() + kKeyIdChars;
  if (text[t] != ':' || (text[t + 1] != 's' && text[t + 1] != 'n') || text[t + 2] != ':') {
    return std::nullopt;
  }
  const std::string_view body = text.substr(kTokenHeader);
  if (!std::all_of(body.begin(), body.end(), IsBase64Url)) return std::nullopt;
  return Token{id, text[t + 1], body};
}

// "<key_id>|<t>|<field>": a sealed value opens only with its key, as its type, in its field.
void BuildAd(std::string_view key_id, char type, std::string_view field, std::string* ad) {
  ad->assign(key_id);
  ad->push_back('|');
  ad->push_back(type);
  ad->push_back('|');
  ad->append(field);
}

// Random nonces drawn from the system a batch at a time, for one call (never kept across calls,
// so a fork cannot hand the same nonces to two processes).
class NonceSource {
 public:
  const unsigned char* Next() {
    if (used_ == kBatch) {
      randombytes_buf(buf_.data(), buf_.size());
      used_ = 0;
    }
    return buf_.data() + kNonceBytes * used_++;
  }

 private:
  static constexpr size_t kBatch = 16;
  std::array<unsigned char, kNonceBytes * kBatch> buf_{};
  size_t used_ = kBatch;
};

// Appends the token (without quotes) sealing `plaintext`.
void AppendToken(std::string_view plaintext, char type, std::string_view field, const DataKey& key,
                 NonceSource& nonces, std::string* ad, std::string* sealed, std::string* out) {
  BuildAd(key.id, type, field, ad);
  sealed->resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* s = reinterpret_cast<unsigned char*>(sealed->data());
  std::copy_n(nonces.Next(), kNonceBytes, s);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      s + kNonceBytes, nullptr, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(ad->data()), ad->size(), nullptr, s,
      key.key->data());
  out->append(kSealPrefix);
  out->append(key.id);
  out->push_back(':');
  out->push_back(type);
  out->push_back(':');
  const size_t at = out->size();
  const size_t encoded = sodium_base64_ENCODED_LEN(sealed->size(), kBase64);  // with the NUL
  out->resize(at + encoded);
  sodium_bin2base64(out->data() + at, encoded, s, sealed->size(), kBase64);
  out->resize(at + encoded - 1);
}

enum class OpenResult { kOpened, kErased, kFailed };

// Decrypts `token` sealed in `field` into `plain` with the key found by `lookup`.
Result<OpenResult> OpenToken(const Token& token, std::string_view field,
                             const std::optional<DataKey>& key, std::string* ad,
                             std::string* sealed, std::string* plain) {
  if (!key) return OpenResult::kErased;
  if (key->key == nullptr || key->id != token.key_id) {
    return InternalError("the key lookup returned another key than " + std::string(token.key_id));
  }
  if (!DecodeBase64Url(token.body, sealed) || sealed->size() < kNonceBytes + kTagBytes) {
    return OpenResult::kFailed;
  }
  const size_t len = sealed->size();
  BuildAd(token.key_id, token.type, field, ad);
  plain->resize(len - kNonceBytes - kTagBytes);
  const auto* s = reinterpret_cast<const unsigned char*>(sealed->data());
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain->data()), &plain_len, nullptr, s + kNonceBytes,
          len - kNonceBytes, reinterpret_cast<const unsigned char*>(ad->data()), ad->size(), s,
          key->key->data()) != 0) {
    return OpenResult::kFailed;
  }
  plain->resize(plain_len);
  if (token.type == 'n' && !internal::IsJsonNumber(*plain)) return OpenResult::kFailed;
  return OpenResult::kOpened;
}

// Where a value sits: its own key (for an array element, the key of the nearest member holding
// the array) and the key of the member holding the object (or array) it sits in. Keys with
// escapes are decoded into the scratch strings; plain keys are views into the document.
struct Place {
  std::string_view field;
  std::string_view parent;
};

Place PlaceOf(const std::vector<JsonFrame>& stack, std::string* field_scratch,
              std::string* parent_scratch) {
  Place p;
  size_t i = stack.size();
  const JsonFrame* field_frame = nullptr;
  while (i-- > 0) {
    if (stack[i].is_object) {
      field_frame = &stack[i];
      break;
    }
  }
  if (field_frame == nullptr) return p;
  const JsonFrame* parent_frame = nullptr;
  while (i-- > 0) {
    if (stack[i].is_object) {
      parent_frame = &stack[i];
      break;
    }
  }
  const auto key_of = [](const JsonFrame& f, std::string* scratch) -> std::string_view {
    if (!f.key_escaped) return f.key;
    internal::DecodeJsonString(f.key, scratch);
    return *scratch;
  };
  p.field = key_of(*field_frame, field_scratch);
  if (parent_frame != nullptr) p.parent = key_of(*parent_frame, parent_scratch);
  return p;
}

// A cheap pre-check on the raw key before the full IsPersonalField: the first letter of every
// personal key, lower-cased.
bool MayBePersonalKey(std::string_view raw) {
  if (raw.empty()) return false;
  char c = raw[0];
  if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  switch (c) {
    case 'a':
    case 'b':
    case 'c':
    case 'e':
    case 'f':
    case 'i':
    case 'l':
    case 'm':
    case 'n':
    case 'p':
    case 'r':
    case 's':
    case 'v':
    case 'z':
    case '\\':
      return true;
    default:
      return false;
  }
}

// The output under construction: the input copied up to `copied`, with replacements.
class Rewrite {
 public:
  explicit Rewrite(std::string_view in) : in_(in) {}
  std::string* Replace(size_t begin) {  // returns the buffer to append the replacement to
    if (!started_) {
      out_.reserve(in_.size() + in_.size() / 2 + 64);
      started_ = true;
    }
    out_.append(in_.substr(copied_, begin - copied_));
    return &out_;
  }
  void Skip(size_t end) { copied_ = end; }
  std::string Take() && {
    if (!started_) return std::string(in_);
    out_.append(in_.substr(copied_));
    return std::move(out_);
  }

 private:
  std::string_view in_;
  std::string out_;
  size_t copied_ = 0;
  bool started_ = false;
};

}  // namespace

bool IsPersonalField(std::string_view field, std::string_view parent) {
  for (const std::string_view name : kAlwaysPersonal) {
    if (IsName(field, name)) return true;
  }
  if (IsName(field, "name")) {
    for (const std::string_view p : kNameParents) {
      if (IsName(parent, p)) return true;
    }
    return false;
  }
  // Free text a customer typed: note attributes, and line item properties (an engraving, a gift
  // message).
  return IsName(field, "value") && (IsName(parent, "note_attributes") ||
                                    IsName(parent, "attributes") || IsName(parent, "properties"));
}

Result<std::string> SealJson(std::string_view json, const DataKey& key, SealStats* stats) {
  if (key.key == nullptr || key.id.size() != kKeyIdChars ||
      !std::all_of(key.id.begin(), key.id.end(), IsLowerHex)) {
    return InvalidArgumentError("SealJson needs a data key from the keyring");
  }
  OP_RETURN_IF_ERROR(internal::EnsureSodium());
  Rewrite rewrite(json);
  NonceSource nonces;
  std::string field_scratch, parent_scratch, plain, ad, sealed;
  std::vector<JsonFrame> stack;
  stack.reserve(16);
  int64_t count = 0;
  OP_RETURN_IF_ERROR(internal::WalkJson(
      json, stack, [&](const JsonValue& v, const std::vector<JsonFrame>& st) -> Status {
        // The nearest member key decides first, without decoding anything.
        const JsonFrame* nearest = nullptr;
        for (size_t i = st.size(); i-- > 0;) {
          if (st[i].is_object) {
            nearest = &st[i];
            break;
          }
        }
        if (nearest == nullptr || !MayBePersonalKey(nearest->key)) return Status::Ok();
        const Place place = PlaceOf(st, &field_scratch, &parent_scratch);
        if (!IsPersonalField(place.field, place.parent)) return Status::Ok();
        if (v.is_string && (v.text.empty() || ParseToken(v.text))) return Status::Ok();
        std::string_view plaintext = v.text;
        if (v.escaped) {
          internal::DecodeJsonString(v.text, &plain);
          plaintext = plain;
        }
        std::string* out = rewrite.Replace(v.begin);
        out->push_back('"');
        AppendToken(plaintext, v.is_string ? 's' : 'n', place.field, key, nonces, &ad, &sealed,
                    out);
        out->push_back('"');
        rewrite.Skip(v.end);
        ++count;
        return Status::Ok();
      }));
  if (!plain.empty()) sodium_memzero(plain.data(), plain.size());
  if (stats != nullptr) stats->sealed += count;
  return std::move(rewrite).Take();
}

Result<std::string> OpenJson(std::string_view json, const KeyLookup& lookup, OpenStats* stats) {
  if (json.find(kSealPrefix) == std::string_view::npos) return std::string(json);
  OP_RETURN_IF_ERROR(internal::EnsureSodium());
  Rewrite rewrite(json);
  std::string field_scratch, parent_scratch, plain, ad, sealed;
  std::vector<JsonFrame> stack;
  stack.reserve(16);
  // The keys met so far: a document depends on one or a few.
  std::vector<std::pair<std::string, std::optional<DataKey>>> keys;
  OpenStats counts;
  const Status walked = internal::WalkJson(
      json, stack, [&](const JsonValue& v, const std::vector<JsonFrame>& st) -> Status {
        if (!v.is_string || v.escaped) return Status::Ok();
        const std::optional<Token> token = ParseToken(v.text);
        if (!token) return Status::Ok();
        auto it = std::find_if(keys.begin(), keys.end(),
                               [&](const auto& k) { return k.first == token->key_id; });
        if (it == keys.end()) {
          OP_ASSIGN_OR_RETURN(std::optional<DataKey> found, lookup(token->key_id));
          keys.emplace_back(std::string(token->key_id), std::move(found));
          it = keys.end() - 1;
        }
        const Place place = PlaceOf(st, &field_scratch, &parent_scratch);
        OP_ASSIGN_OR_RETURN(const OpenResult r,
                            OpenToken(*token, place.field, it->second, &ad, &sealed, &plain));
        if (r == OpenResult::kFailed) {
          return InternalError("sealed value at " + internal::JsonPointer(st) +
                               " failed authentication");
        }
        std::string* out = rewrite.Replace(v.begin);
        if (r == OpenResult::kErased) {
          if (token->type == 'n') {
            out->append("null");
          } else {
            out->push_back('"');
            out->append(kErasedText);
            out->push_back('"');
          }
          ++counts.erased;
        } else if (token->type == 'n') {
          out->append(plain);
          ++counts.opened;
        } else {
          out->push_back('"');
          internal::AppendJsonEscaped(plain, out);
          out->push_back('"');
          ++counts.opened;
        }
        rewrite.Skip(v.end);
        return Status::Ok();
      });
  if (!plain.empty()) sodium_memzero(plain.data(), plain.size());
  OP_RETURN_IF_ERROR(walked);
  if (stats != nullptr) {
    stats->opened += counts.opened;
    stats->erased += counts.erased;
  }
  return std::move(rewrite).Take();
}

std::string SealText(std::string_view plaintext, std::string_view field, const DataKey& key) {
  // REQUIRES (header): a key from the keyring. Sealing with no key material cannot be reported
  // through this signature, and returning the plaintext would store it in clear.
  if (key.key == nullptr || key.id.size() != kKeyIdChars) std::abort();
  static_cast<void>(internal::EnsureSodium());
  NonceSource nonces;
  std::string ad, sealed, out;
  AppendToken(plaintext, 's', field, key, nonces, &ad, &sealed, &out);
  return out;
}

Result<std::string> OpenText(std::string_view text, std::string_view field,
                             const KeyLookup& lookup) {
  const std::optional<Token> token = ParseToken(text);
  if (!token) return std::string(text);
  OP_RETURN_IF_ERROR(internal::EnsureSodium());
  OP_ASSIGN_OR_RETURN(const std::optional<DataKey> key, lookup(token->key_id));
  std::string ad, sealed, plain;
  OP_ASSIGN_OR_RETURN(const OpenResult r, OpenToken(*token, field, key, &ad, &sealed, &plain));
  if (r == OpenResult::kFailed) return InternalError("sealed text failed authentication");
  if (r == OpenResult::kErased) return std::string(kErasedText);
  return plain;
}

std::vector<std::string> SealedKeyIds(std::string_view json) {
  std::vector<std::string> ids;
  if (json.find(kSealPrefix) == std::string_view::npos) return ids;
  std::vector<JsonFrame> stack;
  // Invalid JSON: the ids found before the error.
  static_cast<void>(internal::WalkJson(
      json, stack, [&](const JsonValue& v, const std::vector<JsonFrame>&) -> Status {
        if (!v.is_string || v.escaped) return Status::Ok();
        const std::optional<Token> token = ParseToken(v.text);
        if (token && std::find(ids.begin(), ids.end(), token->key_id) == ids.end()) {
          ids.emplace_back(token->key_id);
        }
        return Status::Ok();
      }));
  return ids;
}

std::string NormaliseEmail(std::string_view email) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t first = email.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return "";
  email = email.substr(first, email.find_last_not_of(kSpace) - first + 1);
  if (email.find('@') == std::string_view::npos) return "";
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string NormalisePhone(std::string_view phone) {
  std::string digits;
  for (const char c : phone) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.size() >= 2 && digits[0] == '0' && digits[1] == '0') digits.erase(0, 2);
  if (digits.size() < 6) return "";
  return digits;
}

}  // namespace orderpilot::privacy
