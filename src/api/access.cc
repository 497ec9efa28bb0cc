#include "api/access.h"

#include <sodium.h>

#include <cstdlib>

namespace orderpilot::api {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kPrefixBytes = 4;

void InitSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // no entropy source: nothing secure can be generated
}

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAnyone:
      return "anyone";
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

GeneratedApiKey GenerateApiKey() {
  InitSodium();
  unsigned char bytes[kKeyBytes];
  randombytes_buf(bytes, sizeof bytes);
  GeneratedApiKey g;
  g.prefix = Hex(bytes, kPrefixBytes);
  g.key = "op_" + g.prefix + "_" + Hex(bytes + kPrefixBytes, kKeyBytes - kPrefixBytes);
  sodium_memzero(bytes, sizeof bytes);
  g.hash = HashApiKey(g.key);
  return g;
}

std::string HashApiKey(std::string_view key) {
  InitSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return Hex(digest, sizeof digest);
}

std::optional<std::string_view> ApiKeyPrefix(std::string_view key) {
  constexpr size_t kPrefixDigits = 2 * kPrefixBytes;
  constexpr size_t kSecretDigits = 2 * (kKeyBytes - kPrefixBytes);
  if (key.size() != 3 + kPrefixDigits + 1 + kSecretDigits) return std::nullopt;
  if (!key.starts_with("op_") || key[3 + kPrefixDigits] != '_') return std::nullopt;
  std::string_view prefix = key.substr(3, kPrefixDigits);
  if (!IsLowerHex(prefix) || !IsLowerHex(key.substr(3 + kPrefixDigits + 1))) return std::nullopt;
  return prefix;
}

bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomHex(size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out = Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  sodium_memzero(raw.data(), raw.size());
  return out;
}

}  // namespace orderpilot::api
