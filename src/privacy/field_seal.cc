#include "privacy/field_seal.h"

#include <pthread.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
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

// Nonces of this thread, drawn from the system kPoolNonces at a time: XChaCha20's 192-bit
// nonces are safe to draw at random, and the pool saves a getrandom call per sealed document. A
// forked child drops the pool it inherited (pthread_atfork; only the forking thread lives on in
// the child), so that two processes never use the same nonces.
constexpr size_t kPoolNonces = 64;
struct NoncePool {
  std::array<unsigned char, kNonceBytes * kPoolNonces> bytes{};
  size_t used = kPoolNonces;
};
thread_local NoncePool t_nonces;

void DropNoncesInChild() { t_nonces.used = kPoolNonces; }

void TakeNonce(unsigned char* out) {
  static const int registered = pthread_atfork(nullptr, nullptr, &DropNoncesInChild);
  static_cast<void>(registered);
  NoncePool& pool = t_nonces;
  if (pool.used == kPoolNonces) {
    randombytes_buf(pool.bytes.data(), pool.bytes.size());
    pool.used = 0;
  }
  std::copy_n(pool.bytes.data() + kNonceBytes * pool.used++, kNonceBytes, out);
}

// Appends the token (without quotes) sealing `plaintext`.
void AppendToken(std::string_view plaintext, char type, std::string_view field, const DataKey& key,
                 std::string* ad, std::string* sealed, std::string* out) {
  BuildAd(key.id, type, field, ad);
  sealed->resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* s = reinterpret_cast<unsigned char*>(sealed->data());
  TakeNonce(s);
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

// The nearest enclosing object: its current key is the value's own.
const JsonFrame* NearestObject(const std::vector<JsonFrame>& stack) {
  for (size_t i = stack.size(); i-- > 0;) {
    if (stack[i].is_object) return &stack[i];
  }
  return nullptr;
}

size_t SkipJsonWhitespace(std::string_view in) {
  size_t i = 0;
  while (i < in.size() && (in[i] == ' ' || in[i] == '\n' || in[i] == '\r' || in[i] == '\t')) ++i;
  return i;
}

// The v1 replacement of an opened (or erased) token.
void AppendOpened(OpenResult r, char type, std::string_view plain, std::string* out) {
  if (r == OpenResult::kErased) {
    if (type == 'n') {
      out->append("null");
    } else {
      out->push_back('"');
      out->append(kErasedText);
      out->push_back('"');
    }
  } else if (type == 'n') {
    out->append(plain);
  } else {
    out->push_back('"');
    internal::AppendJsonEscaped(plain, out);
    out->push_back('"');
  }
}

// The keys met so far by one OpenJson call: a document depends on one or a few. The pointer
// returned is valid until the next call.
using KeyCache = std::vector<std::pair<std::string, std::optional<DataKey>>>;

Result<const std::optional<DataKey>*> FindKey(KeyCache& keys, std::string_view key_id,
                                              const KeyLookup& lookup) {
  auto it =
      std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.first == key_id; });
  if (it == keys.end()) {
    OP_ASSIGN_OR_RETURN(std::optional<DataKey> found, lookup(key_id));
    keys.emplace_back(std::string(key_id), std::move(found));
    it = keys.end() - 1;
  }
  return &it->second;
}

// --- format v2 (header): one envelope per document

constexpr std::string_view kPlaceholderPrefix = "$op2:";
constexpr std::string_view kEnvelopeKey = "$op2";
constexpr std::string_view kDocumentAdPrefix = "op2|";
constexpr std::string_view kDocumentAuthFailed = "sealed document failed authentication";
constexpr size_t kPlaceholderChars = kPlaceholderPrefix.size() + 20 + 1;  // "$op2:" 2^64-1 'n'
constexpr size_t kMaxVarintBytes = 10;

using PlaceholderText = std::array<char, kPlaceholderChars>;

// "$op2:<index>", with an 'n' for a number.
std::string_view FormatPlaceholder(size_t index, bool number, PlaceholderText* buf) {
  std::copy(kPlaceholderPrefix.begin(), kPlaceholderPrefix.end(), buf->begin());
  char* end =
      std::to_chars(buf->data() + kPlaceholderPrefix.size(), buf->data() + buf->size(), index).ptr;
  if (number) *end++ = 'n';
  return std::string_view(buf->data(), static_cast<size_t>(end - buf->data()));
}

// LEB128: seven bits a byte, low first, the high bit set on all bytes but the last.
size_t EncodeVarint(uint64_t n, char* buf) {
  size_t i = 0;
  while (n >= 0x80) {
    buf[i++] = static_cast<char>((n & 0x7F) | 0x80);
    n >>= 7;
  }
  buf[i++] = static_cast<char>(n);
  return i;
}

bool ReadVarint(std::string_view in, size_t* pos, uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *pos < in.size(); shift += 7) {
    const auto b = static_cast<unsigned char>(in[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *value = v;
      return true;
    }
  }
  return false;
}

// '|' placeholder '|' varint(field size) field: the length prefix keeps a field holding '|'
// unambiguous.
void AppendPlaceholderAd(std::string_view placeholder, std::string_view field, std::string* ad) {
  char len[kMaxVarintBytes];
  ad->push_back('|');
  ad->append(placeholder);
  ad->push_back('|');
  ad->append(len, EncodeVarint(field.size(), len));
  ad->append(field);
}

// Appends to a buffer of plaintext. Growing, it moves to a larger buffer and zeroes the old one
// before it is freed, so no copy of the plaintext is left behind.
void AppendSecret(std::string_view bytes, std::string* buf) {
  if (buf->size() + bytes.size() > buf->capacity()) {
    std::string bigger;
    bigger.reserve(std::max(buf->capacity() * 2, buf->size() + bytes.size()));
    bigger.append(*buf);
    if (!buf->empty()) sodium_memzero(buf->data(), buf->size());
    buf->swap(bigger);
  }
  buf->append(bytes);
}

void Wipe(std::string* buf) {
  if (!buf->empty()) sodium_memzero(buf->data(), buf->size());
}

// SealJson on a root object; `brace`: the offset of its '{'.
Result<std::string> SealDocument(std::string_view json, size_t brace, const DataKey& key,
                                 SealStats* stats) {
  // The rewritten members, after the root's '{'; the envelope goes in front once it is known.
  Rewrite rewrite(json.substr(brace + 1));
  const size_t base = brace + 1;
  // An input whose first member reads as an envelope ({"$op2":"...) but holds nothing else to
  // move has that value moved: returned unchanged, it would be taken for a sealed document.
  const size_t envelope_like = json.substr(brace).starts_with(kSealedDocumentPrefix)
                                   ? brace + kSealedDocumentPrefix.size() - 1
                                   : std::string_view::npos;
  JsonValue envelope_value;
  std::string field_scratch, parent_scratch, plain, ad;
  ad.append(kDocumentAdPrefix);
  ad.append(key.id);
  size_t count = 0;
  const auto move = [&](const JsonValue& v, std::string_view field) {
    PlaceholderText buf;
    const std::string_view placeholder = FormatPlaceholder(count, !v.is_string, &buf);
    std::string* out = rewrite.Replace(v.begin - base);
    out->push_back('"');
    out->append(placeholder);
    out->push_back('"');
    rewrite.Skip(v.end - base);
    AppendPlaceholderAd(placeholder, field, &ad);
    // The values still to come fit in what is left of the document, nearly always.
    if (count == 0) plain.reserve(json.size() - v.begin + kMaxVarintBytes);
    char len[kMaxVarintBytes];
    AppendSecret(std::string_view(len, EncodeVarint(v.text.size(), len)), &plain);
    AppendSecret(v.text, &plain);
    ++count;
  };
  std::vector<JsonFrame> stack;
  stack.reserve(16);
  const Status walked = internal::WalkJson(
      json, stack, [&](const JsonValue& v, const std::vector<JsonFrame>& st) -> Status {
        if (v.begin == envelope_like) envelope_value = v;
        if (v.is_string && v.text.starts_with(kSealMarker)) {
          // A v1 token is sealed already; any other "$op" text must not read as a placeholder.
          if (!ParseToken(v.text)) move(v, PlaceOf(st, &field_scratch, &parent_scratch).field);
          return Status::Ok();
        }
        // The nearest member key decides first, without decoding anything.
        const JsonFrame* nearest = NearestObject(st);
        if (nearest == nullptr || !MayBePersonalKey(nearest->key)) return Status::Ok();
        const Place place = PlaceOf(st, &field_scratch, &parent_scratch);
        if (!IsPersonalField(place.field, place.parent)) return Status::Ok();
        if (v.is_string && v.text.empty()) return Status::Ok();
        move(v, place.field);
        return Status::Ok();
      });
  if (walked.ok() && count == 0 && envelope_like != std::string_view::npos) {
    move(envelope_value, kEnvelopeKey);
  }
  if (!walked.ok() || count == 0) {
    Wipe(&plain);
    OP_RETURN_IF_ERROR(walked);
    return std::string(json);
  }
  std::string sealed(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* s = reinterpret_cast<unsigned char*>(sealed.data());
  TakeNonce(s);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      s + kNonceBytes, nullptr, reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, s, key.key->data());
  Wipe(&plain);
  const std::string members = std::move(rewrite).Take();
  const size_t encoded = sodium_base64_ENCODED_LEN(sealed.size(), kBase64);  // with the NUL
  std::string out;
  out.reserve(brace + kSealedDocumentPrefix.size() + kKeyIdChars + 1 + encoded + 1 +
              members.size());
  out.append(json.substr(0, brace));
  out.append(kSealedDocumentPrefix);
  out.append(key.id);
  out.push_back(':');
  const size_t at = out.size();
  out.resize(at + encoded);
  sodium_bin2base64(out.data() + at, encoded, s, sealed.size(), kBase64);
  out.resize(at + encoded - 1);
  out.append("\",");  // the root holds a member: the one a value was moved from
  out.append(members);
  if (stats != nullptr) stats->sealed += static_cast<int64_t>(count);
  return out;
}

// A value OpenDocument replaces: a placeholder ('s', 'n'; its raw text is in the plaintext) or
// a v1 token ('v'; its replacement is in the opened-token buffer).
struct Splice {
  size_t begin = 0;  // the value's span in the document
  size_t end = 0;
  char kind = 's';
  size_t from = 0;  // the replacement text's offset and size in its buffer
  size_t size = 0;
};

// OpenJson on a document starting (at `brace`) with kSealedDocumentPrefix.
Result<std::string> OpenDocument(std::string_view json, size_t brace, const KeyLookup& lookup,
                                 OpenStats* stats) {
  // The envelope: "<16 lower hex>:<base64url>", then ',' or the root's '}'.
  const size_t id_at = brace + kSealedDocumentPrefix.size();
  const std::string_view key_id = json.substr(id_at, kKeyIdChars);
  const size_t body_at = id_at + kKeyIdChars + 1;
  size_t body_end = body_at;
  bool well_formed = key_id.size() == kKeyIdChars &&
                     std::all_of(key_id.begin(), key_id.end(), IsLowerHex) &&
                     body_at <= json.size() && json[body_at - 1] == ':';
  if (well_formed) {
    while (body_end < json.size() && IsBase64Url(json[body_end])) ++body_end;
    well_formed = body_end + 1 < json.size() && json[body_end] == '"' &&
                  (json[body_end + 1] == ',' || json[body_end + 1] == '}');
  }
  if (!well_formed) return InternalError("malformed sealed document envelope");
  const std::string_view body = json.substr(body_at, body_end - body_at);
  const size_t member_end = body_end + (json[body_end + 1] == ',' ? 2 : 1);

  OP_RETURN_IF_ERROR(internal::EnsureSodium());
  KeyCache keys;
  OP_ASSIGN_OR_RETURN(const std::optional<DataKey>* found, FindKey(keys, key_id, lookup));
  const std::optional<DataKey> key = *found;
  if (key && (key->key == nullptr || key->id != key_id)) {
    return InternalError("the key lookup returned another key than " + std::string(key_id));
  }
  std::string ad;
  if (key) {
    ad.append(kDocumentAdPrefix);
    ad.append(key_id);
  }
  std::string field_scratch, parent_scratch, opened, token_plain, token_ad, token_sealed;
  std::vector<Splice> splices;
  splices.reserve(32);
  std::vector<JsonFrame> stack;
  stack.reserve(16);
  size_t count = 0;  // placeholders
  OpenStats counts;
  const Status walked = internal::WalkJson(
      json, stack, [&](const JsonValue& v, const std::vector<JsonFrame>& st) -> Status {
        if (!v.is_string || v.escaped || !v.text.starts_with(kSealMarker)) return Status::Ok();
        if (v.text.starts_with(kPlaceholderPrefix)) {
          std::string_view digits = v.text.substr(kPlaceholderPrefix.size());
          const bool number = !digits.empty() && digits.back() == 'n';
          if (number) digits.remove_suffix(1);
          if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
            return Status::Ok();  // text, not a placeholder
          }
          PlaceholderText buf;
          if (v.text != FormatPlaceholder(count, number, &buf)) {
            return InternalError(std::string(kDocumentAuthFailed));  // out of order
          }
          if (key) {
            const Place place = PlaceOf(st, &field_scratch, &parent_scratch);
            AppendPlaceholderAd(v.text, place.field, &ad);
          }
          splices.push_back(Splice{v.begin, v.end, number ? 'n' : 's', 0, 0});
          ++count;
          return Status::Ok();
        }
        const std::optional<Token> token = ParseToken(v.text);
        if (!token) return Status::Ok();
        OP_ASSIGN_OR_RETURN(const std::optional<DataKey>* token_key,
                            FindKey(keys, token->key_id, lookup));
        const Place place = PlaceOf(st, &field_scratch, &parent_scratch);
        OP_ASSIGN_OR_RETURN(const OpenResult r, OpenToken(*token, place.field, *token_key,
                                                          &token_ad, &token_sealed, &token_plain));
        if (r == OpenResult::kFailed) {
          return InternalError("sealed value at " + internal::JsonPointer(st) +
                               " failed authentication");
        }
        ++(r == OpenResult::kErased ? counts.erased : counts.opened);
        if (opened.capacity() < json.size()) opened.reserve(json.size());
        const size_t from = opened.size();
        AppendOpened(r, token->type, token_plain, &opened);
        splices.push_back(Splice{v.begin, v.end, 'v', from, opened.size() - from});
        return Status::Ok();
      });
  std::string plain;
  const auto wipe = [&] {
    Wipe(&plain);
    Wipe(&opened);
    Wipe(&token_plain);
  };
  if (!walked.ok()) {
    wipe();
    return walked;
  }
  if (key) {
    std::string sealed;
    bool ok = DecodeBase64Url(body, &sealed) && sealed.size() >= kNonceBytes + kTagBytes;
    if (ok) {
      const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
      plain.resize(sealed.size() - kNonceBytes - kTagBytes);
      unsigned long long plain_len = 0;
      ok = crypto_aead_xchacha20poly1305_ietf_decrypt(
               reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr, s + kNonceBytes,
               sealed.size() - kNonceBytes, reinterpret_cast<const unsigned char*>(ad.data()),
               ad.size(), s, key->key->data()) == 0;
    }
    // The plaintext holds one raw text per placeholder, in order, and nothing more.
    size_t pos = 0;
    for (Splice& splice : splices) {
      if (!ok) break;
      if (splice.kind == 'v') continue;
      uint64_t len = 0;
      ok = ReadVarint(plain, &pos, &len) && len <= plain.size() - pos;
      if (!ok) break;
      splice.from = pos;
      splice.size = static_cast<size_t>(len);
      pos += splice.size;
      ok = splice.kind != 'n' ||
           internal::IsJsonNumber(std::string_view(plain).substr(splice.from, splice.size));
    }
    if (!ok || pos != plain.size()) {
      wipe();
      return InternalError(std::string(kDocumentAuthFailed));
    }
  }
  Rewrite rewrite(json);
  rewrite.Replace(brace + 1);  // up to the root's '{'; the envelope member is dropped
  rewrite.Skip(member_end);
  for (const Splice& splice : splices) {
    std::string* out = rewrite.Replace(splice.begin);
    if (splice.kind == 'v') {
      out->append(opened, splice.from, splice.size);
    } else if (!key) {
      AppendOpened(OpenResult::kErased, splice.kind, {}, out);
    } else if (splice.kind == 'n') {
      out->append(plain, splice.from, splice.size);
    } else {
      out->push_back('"');
      out->append(plain, splice.from, splice.size);
      out->push_back('"');
    }
    rewrite.Skip(splice.end);
  }
  (key ? counts.opened : counts.erased) += static_cast<int64_t>(count);
  std::string out = std::move(rewrite).Take();
  wipe();
  if (stats != nullptr) {
    stats->opened += counts.opened;
    stats->erased += counts.erased;
  }
  return out;
}

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
  const size_t root = SkipJsonWhitespace(json);
  if (root < json.size() && json[root] == '{') return SealDocument(json, root, key, stats);
  // Format v1: each value its own token.
  Rewrite rewrite(json);
  std::string field_scratch, parent_scratch, plain, ad, sealed;
  std::vector<JsonFrame> stack;
  stack.reserve(16);
  int64_t count = 0;
  OP_RETURN_IF_ERROR(internal::WalkJson(
      json, stack, [&](const JsonValue& v, const std::vector<JsonFrame>& st) -> Status {
        // The nearest member key decides first, without decoding anything.
        const JsonFrame* nearest = NearestObject(st);
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
        AppendToken(plaintext, v.is_string ? 's' : 'n', place.field, key, &ad, &sealed, out);
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
  if (json.find(kSealMarker) == std::string_view::npos) return std::string(json);
  const size_t root = SkipJsonWhitespace(json);
  if (json.substr(root).starts_with(kSealedDocumentPrefix)) {
    return OpenDocument(json, root, lookup, stats);
  }
  OP_RETURN_IF_ERROR(internal::EnsureSodium());
  Rewrite rewrite(json);
  std::string field_scratch, parent_scratch, plain, ad, sealed;
  std::vector<JsonFrame> stack;
  stack.reserve(16);
  KeyCache keys;
  OpenStats counts;
  const Status walked = internal::WalkJson(
      json, stack, [&](const JsonValue& v, const std::vector<JsonFrame>& st) -> Status {
        if (!v.is_string || v.escaped) return Status::Ok();
        const std::optional<Token> token = ParseToken(v.text);
        if (!token) return Status::Ok();
        OP_ASSIGN_OR_RETURN(const std::optional<DataKey>* key,
                            FindKey(keys, token->key_id, lookup));
        const Place place = PlaceOf(st, &field_scratch, &parent_scratch);
        OP_ASSIGN_OR_RETURN(const OpenResult r,
                            OpenToken(*token, place.field, *key, &ad, &sealed, &plain));
        if (r == OpenResult::kFailed) {
          return InternalError("sealed value at " + internal::JsonPointer(st) +
                               " failed authentication");
        }
        ++(r == OpenResult::kErased ? counts.erased : counts.opened);
        AppendOpened(r, token->type, plain, rewrite.Replace(v.begin));
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
  std::string ad, sealed, out;
  AppendToken(plaintext, 's', field, key, &ad, &sealed, &out);
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
  if (json.find(kSealMarker) == std::string_view::npos) return ids;
  const size_t root = SkipJsonWhitespace(json);
  if (json.substr(root).starts_with(kSealedDocumentPrefix)) {
    const size_t id_at = root + kSealedDocumentPrefix.size();
    const std::string_view id = json.substr(id_at, kKeyIdChars);
    if (id.size() == kKeyIdChars && std::all_of(id.begin(), id.end(), IsLowerHex) &&
        id_at + kKeyIdChars < json.size() && json[id_at + kKeyIdChars] == ':') {
      ids.emplace_back(id);
    }
  }
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
