#include "store/audit_chain.h"

#include <openssl/evp.h>

#include <filesystem>
#include <memory>

#include "store/internal/sqlite_util.h"

namespace orderpilot::store {
namespace {

// SHA-256 through OpenSSL, which uses the CPU's SHA extensions where there are some (about 5×
// libsodium's portable code on a 3 KB payload): the writer hashes every event it appends.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void AddInt(int64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) {
      b[i] = static_cast<unsigned char>(static_cast<uint64_t>(v) >> (8 * i));
    }
    EVP_DigestUpdate(ctx_.get(), b, sizeof b);
  }
  void AddText(std::string_view s) {
    AddInt(static_cast<int64_t>(s.size()));
    EVP_DigestUpdate(ctx_.get(), s.data(), s.size());
  }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &n);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * n);
    for (unsigned int i = 0; i < n; ++i) {
      hex.push_back(kHex[digest[i] >> 4]);
      hex.push_back(kHex[digest[i] & 15]);
    }
    return hex;
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

}  // namespace

std::string EventChainHash(std::string_view previous_hash, int64_t seq, std::string_view stream,
                           int64_t version, std::string_view type, std::string_view payload,
                           std::string_view actor, int64_t at) {
  Sha256 h;
  h.AddText("orderpilot.event.v1");
  h.AddText(previous_hash);
  h.AddInt(seq);
  h.AddText(stream);
  h.AddInt(version);
  h.AddText(type);
  h.AddText(payload);
  h.AddText(actor);
  h.AddInt(at);
  return h.HexDigest();
}

Result<ChainReport> VerifyEventChain(const std::string& db_path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) {
    return NotFoundError("no database at " + db_path);
  }
  OP_ASSIGN_OR_RETURN(std::unique_ptr<internal::Connection> conn,
                      internal::Connection::Open(db_path, /*create=*/false, 5000));
  auto stmt = conn->Prepare(
      "SELECT seq, stream, version, type, payload, actor, at, hash FROM events ORDER BY seq");
  if (!stmt.ok()) {
    return FailedPreconditionError(db_path +
                                   " has no readable event log: " + stmt.status().message());
  }
  ChainReport report;
  std::string previous_hash;  // of the event before, "" when it had none
  bool chained = false;       // a hashed event has been seen
  int64_t previous_seq = 0;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    ++report.events;
    const int64_t seq = stmt->Int(0);
    report.last_seq = seq;
    const bool has_hash = !stmt->IsNull(7);
    auto broken = [&](std::string why) {
      report.broken_at = seq;
      report.problem = std::move(why);
    };
    if (!has_hash) {
      if (chained) {
        broken("its hash is missing");
        break;
      }
      ++report.unchained;
      previous_hash.clear();
      previous_seq = seq;
      continue;
    }
    if (chained && seq != previous_seq + 1) {
      broken("events " + std::to_string(previous_seq + 1) + ".." + std::to_string(seq - 1) +
             " before it are missing");
      break;
    }
    const std::string stored(stmt->TextView(7));
    const std::string expected =
        EventChainHash(previous_hash, seq, stmt->TextView(1), stmt->Int(2), stmt->TextView(3),
                       stmt->TextView(4), stmt->TextView(5), stmt->Int(6));
    if (stored != expected) {
      broken(
          "its hash does not match its contents or the event before it (edited, inserted or "
          "reordered)");
      break;
    }
    chained = true;
    previous_hash = stored;
    previous_seq = seq;
  }
  return report;
}

}  // namespace orderpilot::store
