#include "privacy/keyring.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "privacy/internal/key_arena.h"
#include "privacy/internal/key_db.h"

namespace orderpilot::privacy {
namespace {

using internal::KeyBytes;
using internal::KeyDb;
using internal::Statement;
using internal::WriteTransaction;

static_assert(kKeyBytes == internal::kArenaKeyBytes);
static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kPoolBatch = 256;         // keys created per keys.db transaction (one fsync)
constexpr size_t kCacheCapacity = 100000;  // unwrapped data keys kept in memory
// How soon a key shredded by another process stops opening in this one.
constexpr std::chrono::seconds kShredCheckInterval{2};
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kWrappedBytes = kNonceBytes + kKeyBytes + kTagBytes;  // nonce ‖ ciphertext ‖ tag
constexpr size_t kIdBytes = 8;                                         // 16 hex characters
constexpr std::string_view kIndexKeyName = "index_key";
constexpr std::string_view kMasterIdLabel = "orderpilot master key id";

using Wrapped = std::array<unsigned char, kWrappedBytes>;

bool IsHexDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The value of a well-formed key id (16 lowercase hex characters), the cache's map key.
std::optional<uint64_t> ParseKeyId(std::string_view id) {
  if (id.size() != 2 * kIdBytes) return std::nullopt;
  uint64_t v = 0;
  for (const char c : id) {
    if (!IsHexDigit(c)) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return v;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

// Random bytes for a batch of new data keys — per key an id, the key and the nonce of its
// wrapping — from one draw of the system's generator, expanded with ChaCha20
// (randombytes_buf_deterministic): one getrandom call per batch instead of three per key.
class KeyBatchRandomness {
 public:
  static constexpr size_t kPerKey = kIdBytes + kKeyBytes + kNonceBytes;
  explicit KeyBatchRandomness(size_t keys) : bytes_(keys * kPerKey) {
    unsigned char seed[randombytes_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    randombytes_buf_deterministic(bytes_.data(), bytes_.size(), seed);
    sodium_memzero(seed, sizeof seed);
  }
  KeyBatchRandomness(const KeyBatchRandomness&) = delete;
  KeyBatchRandomness& operator=(const KeyBatchRandomness&) = delete;
  ~KeyBatchRandomness() { sodium_memzero(bytes_.data(), bytes_.size()); }

  const unsigned char* Id(size_t i) const { return bytes_.data() + i * kPerKey; }
  const unsigned char* Key(size_t i) const { return Id(i) + kIdBytes; }
  const unsigned char* Nonce(size_t i) const { return Key(i) + kKeyBytes; }

 private:
  std::vector<unsigned char> bytes_;
};

// Keyed BLAKE2b of a fixed label: names a master key without revealing it.
std::string MasterKeyId(const unsigned char* key) {
  unsigned char id[kIdBytes];
  crypto_generichash(id, sizeof id, reinterpret_cast<const unsigned char*>(kMasterIdLabel.data()),
                     kMasterIdLabel.size(), key, kKeyBytes);
  return Hex(id, sizeof id);
}

// Associated data of a wrapped key: binds the ciphertext to its row and its master key.
std::string DataKeyAd(std::string_view key_id, std::string_view master_id) {
  std::string ad = "orderpilot data key|";
  ad.append(key_id);
  ad.push_back('|');
  ad.append(master_id);
  return ad;
}

std::string IndexKeyAd(std::string_view master_id) {
  std::string ad = "orderpilot index key|";
  ad.append(master_id);
  return ad;
}

// Wraps `key` under `master` with the given nonce (kNonceBytes, never used twice).
Wrapped WrapWithNonce(const unsigned char* key, std::string_view ad, const unsigned char* master,
                      const unsigned char* nonce) {
  Wrapped w;
  std::memcpy(w.data(), nonce, kNonceBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(w.data() + kNonceBytes, nullptr, key, kKeyBytes,
                                             reinterpret_cast<const unsigned char*>(ad.data()),
                                             ad.size(), nullptr, w.data(), master);
  return w;
}

Wrapped Wrap(const unsigned char* key, std::string_view ad, const unsigned char* master) {
  unsigned char nonce[kNonceBytes];
  randombytes_buf(nonce, sizeof nonce);
  return WrapWithNonce(key, ad, master, nonce);
}

// Unwraps into `out` (kKeyBytes). False when the row is not a key wrapped under `master` with
// this associated data.
bool Unwrap(std::span<const unsigned char> wrapped, std::string_view ad,
            const unsigned char* master, unsigned char* out) {
  if (wrapped.size() != kWrappedBytes) return false;
  unsigned long long len = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(
             out, &len, nullptr, wrapped.data() + kNonceBytes, kKeyBytes + kTagBytes,
             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), wrapped.data(),
             master) == 0 &&
         len == kKeyBytes;
}

// Zeroes a stack buffer of key material on scope exit.
class ScrubOnExit {
 public:
  ScrubOnExit(void* p, size_t n) : p_(p), n_(n) {}
  ScrubOnExit(const ScrubOnExit&) = delete;
  ScrubOnExit& operator=(const ScrubOnExit&) = delete;
  ~ScrubOnExit() { sodium_memzero(p_, n_); }

 private:
  void* p_;
  size_t n_;
};

// Creates the file with mode 0600 (or tightens an existing one) before SQLite opens it; SQLite
// gives its -wal and -shm files the database file's mode.
Status PrepareKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return InternalError("keys.db: cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = InternalError("keys.db: cannot stat " + path + ": " + std::strerror(errno));
  } else if ((st.st_mode & 0777) != 0600 && ::fchmod(fd, 0600) != 0) {
    status = InternalError("keys.db: cannot make " + path + " private: " + std::strerror(errno));
  }
  ::close(fd);
  return status;
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS data_keys(key_id TEXT PRIMARY KEY, master_id TEXT NOT NULL,
                                     wrapped BLOB NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS shredded(key_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, master_id TEXT NOT NULL,
                                wrapped BLOB NOT NULL);
)sql";

class SqliteKeyring final : public Keyring {
 public:
  SqliteKeyring(const Clock& clock, std::unique_ptr<KeyDb> db,
                std::shared_ptr<internal::KeyArena> arena)
      : clock_(clock), db_(std::move(db)), arena_(std::move(arena)) {}
  ~SqliteKeyring() override {
    if (secrets_ != nullptr) sodium_free(secrets_);
  }

  // Takes the master keys into locked memory (zeroing the caller's copies), prepares the
  // statements and loads or creates the index key.
  Status Init(std::vector<MasterKey>& masters);

  Result<DataKey> NewDataKey() override;
  Result<std::optional<DataKey>> Find(std::string_view key_id) override;
  Status Shred(const std::vector<std::string>& key_ids) override;
  Result<bool> IsShredded(std::string_view key_id) override;
  Result<RotationReport> Rotate(int batch) override;
  Result<std::vector<std::pair<std::string, int64_t>>> KeysPerMaster() override;
  std::string BlindIndex(std::string_view kind, std::string_view value) const override;
  uint64_t BlindIndex64(std::string_view kind, std::string_view value) const override;

 private:
  // secrets_ layout: the index key, then the master keys in the order given.
  const unsigned char* IndexKey() const { return secrets_; }
  const unsigned char* Master(size_t i) const { return secrets_ + kKeyBytes * (1 + i); }
  // The position of `master_id` among the given master keys.
  std::optional<size_t> MasterIndex(std::string_view master_id) const;

  Status LoadOrCreateIndexKey();  // REQUIRES: db_mu_ held
  // Makes kPoolBatch durable keys (one keys.db transaction). REQUIRES: pool_mu_ not held.
  Result<std::vector<DataKey>> MakePoolBatch();
  std::optional<DataKey> CacheGet(uint64_t id, std::string_view key_id);
  // Evicts keys shredded by other processes since the last check, when one is due.
  Status SyncTombstones();
  void CachePut(uint64_t id, std::shared_ptr<const KeyBytes> key);
  // Re-wraps up to `batch` data keys wrapped under master `from`; how many changed.
  Result<int64_t> RotateBatch(size_t from, int batch, int64_t* selected);
  Status RotateIndexKey();
  // Data keys per master key id. REQUIRES: db_mu_ held.
  Result<std::map<std::string, int64_t, std::less<>>> DataKeyCounts();

  const Clock& clock_;
  std::vector<std::string> master_ids_;  // immutable after Init; [0] is the primary
  unsigned char* secrets_ = nullptr;     // sodium_malloc'ed; immutable after Init

  // Lock order: pool_mu_, then db_mu_, then cache_mu_ (a refill runs without pool_mu_).
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::deque<DataKey> pool_;  // GUARDED_BY(pool_mu_): durable keys not yet handed out
  bool refilling_ = false;    // GUARDED_BY(pool_mu_): a thread is making the next batch

  mutable std::mutex db_mu_;
  std::unique_ptr<KeyDb> db_;  // GUARDED_BY(db_mu_), as are the statements
  Statement insert_key_, find_key_, delete_key_, insert_tombstone_, find_tombstone_;
  Statement select_for_rotation_, rewrap_key_, count_per_master_, index_master_;
  Statement new_tombstones_;
  // Shreds by other processes (a CLI erasure beside the server): Find re-reads the tombstones
  // at most every kShredCheckInterval and evicts what they name from the cache.
  int64_t last_tombstone_ = 0;                       // GUARDED_BY(db_mu_): highest rowid seen
  std::atomic<int64_t> next_tombstone_check_us_{0};  // steady clock

  std::shared_ptr<internal::KeyArena> arena_;
  std::mutex cache_mu_;
  std::unordered_map<uint64_t, std::shared_ptr<const KeyBytes>> cache_;  // GUARDED_BY(cache_mu_)
  std::deque<uint64_t> cache_order_;  // GUARDED_BY(cache_mu_): insertion order, for eviction
};

std::optional<size_t> SqliteKeyring::MasterIndex(std::string_view master_id) const {
  for (size_t i = 0; i < master_ids_.size(); ++i) {
    if (master_ids_[i] == master_id) return i;
  }
  return std::nullopt;
}

Status SqliteKeyring::Init(std::vector<MasterKey>& masters) {
  secrets_ = static_cast<unsigned char*>(sodium_malloc(kKeyBytes * (1 + masters.size())));
  if (secrets_ == nullptr) return InternalError("sodium_malloc failed for the master keys");
  sodium_memzero(secrets_, kKeyBytes);
  for (size_t i = 0; i < masters.size(); ++i) {
    std::memcpy(secrets_ + kKeyBytes * (1 + i), masters[i].key.data(), kKeyBytes);
    sodium_memzero(masters[i].key.data(), kKeyBytes);
    master_ids_.push_back(masters[i].id);
  }
  sodium_mprotect_readonly(secrets_);  // written once more below, for the index key

  std::lock_guard lock(db_mu_);
  OP_RETURN_IF_ERROR(db_->Exec("PRAGMA journal_mode=WAL"));
  OP_RETURN_IF_ERROR(db_->Exec("PRAGMA synchronous=FULL"));
  OP_RETURN_IF_ERROR(db_->Exec("PRAGMA secure_delete=ON"));
  {
    WriteTransaction txn(*db_);
    OP_RETURN_IF_ERROR(txn.Begin());
    OP_RETURN_IF_ERROR(db_->Exec(kSchema));
    OP_RETURN_IF_ERROR(txn.Commit());
  }
  sqlite3* db = db_->db();
  OP_RETURN_IF_ERROR(insert_key_.Prepare(
      db, "INSERT INTO data_keys(key_id, master_id, wrapped, created_at) VALUES(?, ?, ?, ?)"));
  OP_RETURN_IF_ERROR(
      find_key_.Prepare(db, "SELECT master_id, wrapped FROM data_keys WHERE key_id = ?"));
  OP_RETURN_IF_ERROR(delete_key_.Prepare(db, "DELETE FROM data_keys WHERE key_id = ?"));
  OP_RETURN_IF_ERROR(
      insert_tombstone_.Prepare(db, "INSERT OR IGNORE INTO shredded(key_id, at) VALUES(?, ?)"));
  OP_RETURN_IF_ERROR(find_tombstone_.Prepare(db, "SELECT 1 FROM shredded WHERE key_id = ?"));
  OP_RETURN_IF_ERROR(new_tombstones_.Prepare(
      db, "SELECT rowid, key_id FROM shredded WHERE rowid > ? ORDER BY rowid"));
  OP_RETURN_IF_ERROR(select_for_rotation_.Prepare(
      db, "SELECT key_id, wrapped FROM data_keys WHERE master_id = ? LIMIT ?"));
  OP_RETURN_IF_ERROR(rewrap_key_.Prepare(
      db, "UPDATE data_keys SET master_id = ?, wrapped = ? WHERE key_id = ? AND master_id = ?"));
  OP_RETURN_IF_ERROR(count_per_master_.Prepare(
      db, "SELECT master_id, COUNT(*) FROM data_keys GROUP BY master_id"));
  OP_RETURN_IF_ERROR(
      index_master_.Prepare(db, "SELECT master_id, wrapped FROM meta WHERE name = ?"));
  return LoadOrCreateIndexKey();
}

Status SqliteKeyring::LoadOrCreateIndexKey() {
  WriteTransaction txn(*db_);  // also serialises two processes creating a fresh file at once
  OP_RETURN_IF_ERROR(txn.Begin());
  std::string stored_master;
  std::vector<unsigned char> wrapped;
  {
    auto q = index_master_.Start();
    q.Bind(1, kIndexKeyName);
    OP_ASSIGN_OR_RETURN(const bool found, q.Step());
    if (found) {
      stored_master = q.Text(0);
      const auto blob = q.Blob(1);
      wrapped.assign(blob.begin(), blob.end());
    }
  }
  unsigned char index_key[kKeyBytes];
  ScrubOnExit scrub(index_key, sizeof index_key);
  if (!stored_master.empty()) {
    const std::optional<size_t> m = MasterIndex(stored_master);
    if (!m) {
      return FailedPreconditionError(
          "keys.db is wrapped under master key " + stored_master +
          ", which is not among the master keys given (wrong master key?)");
    }
    if (!Unwrap(wrapped, IndexKeyAd(stored_master), Master(*m), index_key)) {
      return InternalError("keys.db: the index key does not unwrap under master key " +
                           stored_master + " (corrupted row)");
    }
  } else {
    // No index key: a fresh file, unless data keys exist (then one of them must be ours).
    OP_ASSIGN_OR_RETURN(const auto counts, DataKeyCounts());
    int64_t total = 0;
    int64_t ours = 0;
    for (const auto& [master_id, n] : counts) {
      total += n;
      if (MasterIndex(master_id)) ours += n;
    }
    if (total > 0 && ours == 0) {
      return FailedPreconditionError(
          "keys.db holds data keys, none under the master keys given (wrong master key?)");
    }
    randombytes_buf(index_key, sizeof index_key);
    const Wrapped w = Wrap(index_key, IndexKeyAd(master_ids_[0]), Master(0));
    Statement insert;
    OP_RETURN_IF_ERROR(
        insert.Prepare(db_->db(), "INSERT INTO meta(name, master_id, wrapped) VALUES(?, ?, ?)"));
    auto q = insert.Start();
    q.Bind(1, kIndexKeyName).Bind(2, master_ids_[0]).BindBlob(3, w);
    OP_RETURN_IF_ERROR(q.Run());
  }
  OP_RETURN_IF_ERROR(txn.Commit());
  sodium_mprotect_readwrite(secrets_);
  std::memcpy(secrets_, index_key, kKeyBytes);
  sodium_mprotect_readonly(secrets_);
  return Status::Ok();
}

Result<std::vector<DataKey>> SqliteKeyring::MakePoolBatch() {
  std::vector<DataKey> fresh;
  fresh.reserve(kPoolBatch);
  const KeyBatchRandomness random(kPoolBatch);
  const int64_t now = clock_.Now().micros;
  std::lock_guard lock(db_mu_);
  WriteTransaction txn(*db_);
  OP_RETURN_IF_ERROR(txn.Begin());
  for (size_t i = 0; i < kPoolBatch; ++i) {
    std::string id = Hex(random.Id(i), kIdBytes);
    const unsigned char* material = random.Key(i);
    const Wrapped w =
        WrapWithNonce(material, DataKeyAd(id, master_ids_[0]), Master(0), random.Nonce(i));
    auto q = insert_key_.Start();
    q.Bind(1, id).Bind(2, master_ids_[0]).BindBlob(3, w).Bind(4, now);
    OP_RETURN_IF_ERROR(q.Run());
    OP_ASSIGN_OR_RETURN(std::shared_ptr<const KeyBytes> held, arena_->Hold(material));
    fresh.push_back(DataKey{std::move(id), std::move(held)});
  }
  OP_RETURN_IF_ERROR(txn.Commit());  // synchronous=FULL: fsynced before the keys are handed out
  return fresh;
}

// The pool is refilled when half of it is left, by the thread that finds it so, outside pool_mu_:
// the others keep taking the remaining keys meanwhile instead of all waiting for keys.db's fsync
// (they wait only when the pool runs dry during a refill).
Result<DataKey> SqliteKeyring::NewDataKey() {
  std::unique_lock lock(pool_mu_);
  while (true) {
    if (pool_.size() <= kPoolBatch / 2 && !refilling_) {
      refilling_ = true;
      lock.unlock();
      Result<std::vector<DataKey>> fresh = MakePoolBatch();
      lock.lock();
      refilling_ = false;
      pool_cv_.notify_all();
      if (!fresh.ok() && pool_.empty()) return fresh.status();
      if (fresh.ok()) {
        for (DataKey& k : *fresh) pool_.push_back(std::move(k));
      }
    }
    if (!pool_.empty()) break;
    pool_cv_.wait(lock, [this] { return !refilling_ || !pool_.empty(); });
  }
  DataKey key = std::move(pool_.front());
  pool_.pop_front();
  lock.unlock();
  CachePut(*ParseKeyId(key.id), key.key);
  return key;
}

std::optional<DataKey> SqliteKeyring::CacheGet(uint64_t id, std::string_view key_id) {
  std::lock_guard lock(cache_mu_);
  const auto it = cache_.find(id);
  if (it == cache_.end()) return std::nullopt;
  return DataKey{std::string(key_id), it->second};
}

void SqliteKeyring::CachePut(uint64_t id, std::shared_ptr<const KeyBytes> key) {
  std::lock_guard lock(cache_mu_);
  while (cache_.size() >= kCacheCapacity && !cache_order_.empty()) {
    cache_.erase(cache_order_.front());  // a no-op for ids shredded since
    cache_order_.pop_front();
  }
  if (cache_.emplace(id, std::move(key)).second) cache_order_.push_back(id);
}

Status SqliteKeyring::SyncTombstones() {
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  if (now < next_tombstone_check_us_.load(std::memory_order_relaxed)) return Status::Ok();
  std::lock_guard lock(db_mu_);
  if (now < next_tombstone_check_us_.load(std::memory_order_relaxed)) return Status::Ok();
  next_tombstone_check_us_.store(
      now + std::chrono::duration_cast<std::chrono::microseconds>(kShredCheckInterval).count(),
      std::memory_order_relaxed);
  auto q = new_tombstones_.Start();
  q.Bind(1, last_tombstone_);
  std::vector<uint64_t> gone;
  while (true) {
    OP_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    last_tombstone_ = q.Int(0);
    if (std::optional<uint64_t> id = ParseKeyId(q.Text(1))) gone.push_back(*id);
  }
  if (!gone.empty()) {
    std::lock_guard cache_lock(cache_mu_);
    for (uint64_t id : gone) cache_.erase(id);
  }
  return Status::Ok();
}

Result<std::optional<DataKey>> SqliteKeyring::Find(std::string_view key_id) {
  const std::optional<uint64_t> id = ParseKeyId(key_id);
  if (!id) return std::optional<DataKey>();
  OP_RETURN_IF_ERROR(SyncTombstones());
  if (std::optional<DataKey> hit = CacheGet(*id, key_id)) return hit;
  // Reading and caching under db_mu_: a Shred (which evicts under db_mu_ after its commit)
  // cannot slip between the read and the insertion and leave a shredded key cached.
  std::lock_guard lock(db_mu_);
  if (std::optional<DataKey> hit = CacheGet(*id, key_id)) return hit;
  auto q = find_key_.Start();
  q.Bind(1, key_id);
  OP_ASSIGN_OR_RETURN(const bool found, q.Step());
  if (!found) return std::optional<DataKey>();
  const std::string master_id(q.Text(0));
  const std::optional<size_t> m = MasterIndex(master_id);
  if (!m) {
    return InternalError("data key " + std::string(key_id) + " is wrapped under master key " +
                         master_id + ", which was not given");
  }
  unsigned char material[kKeyBytes];
  ScrubOnExit scrub(material, sizeof material);
  if (!Unwrap(q.Blob(1), DataKeyAd(key_id, master_id), Master(*m), material)) {
    return InternalError("data key " + std::string(key_id) + " does not unwrap (corrupted row)");
  }
  OP_ASSIGN_OR_RETURN(std::shared_ptr<const KeyBytes> held, arena_->Hold(material));
  CachePut(*id, held);
  return std::optional<DataKey>(DataKey{std::string(key_id), std::move(held)});
}

Status SqliteKeyring::Shred(const std::vector<std::string>& key_ids) {
  for (const std::string& id : key_ids) {
    if (!ParseKeyId(id)) return InvalidArgumentError("not a data key id (16 lowercase hex)");
  }
  if (key_ids.empty()) return Status::Ok();
  const int64_t now = clock_.Now().micros;
  std::lock_guard lock(db_mu_);
  {
    WriteTransaction txn(*db_);
    OP_RETURN_IF_ERROR(txn.Begin());
    for (const std::string& id : key_ids) {
      {
        auto q = delete_key_.Start();
        q.Bind(1, id);
        OP_RETURN_IF_ERROR(q.Run());
      }
      auto q = insert_tombstone_.Start();
      q.Bind(1, id).Bind(2, now);
      OP_RETURN_IF_ERROR(q.Run());
    }
    OP_RETURN_IF_ERROR(txn.Commit());
  }
  {
    std::lock_guard cache_lock(cache_mu_);
    for (const std::string& id : key_ids) cache_.erase(*ParseKeyId(id));
  }
  // secure_delete zeroed the row in the page; the checkpoint moves that page into the file and
  // truncates the WAL, which still held the pages written when the key was created.
  const Status checkpoint = db_->CheckpointTruncate();
  if (!checkpoint.ok()) {
    return UnavailableError(
        "keys shredded, but the WAL could not be truncated while another connection reads "
        "keys.db; call Shred again: " +
        checkpoint.message());
  }
  return Status::Ok();
}

Result<bool> SqliteKeyring::IsShredded(std::string_view key_id) {
  std::lock_guard lock(db_mu_);
  auto q = find_tombstone_.Start();
  q.Bind(1, key_id);
  return q.Step();
}

Status SqliteKeyring::RotateIndexKey() {
  std::lock_guard lock(db_mu_);
  WriteTransaction txn(*db_);
  OP_RETURN_IF_ERROR(txn.Begin());
  std::string from;
  {
    auto q = index_master_.Start();
    q.Bind(1, kIndexKeyName);
    OP_ASSIGN_OR_RETURN(const bool found, q.Step());
    if (!found) return InternalError("keys.db: the index key is gone");
    from = q.Text(0);
  }
  if (from == master_ids_[0] || !MasterIndex(from)) return Status::Ok();
  // The index key never changes: this process already holds it, so it is wrapped afresh.
  const Wrapped w = Wrap(IndexKey(), IndexKeyAd(master_ids_[0]), Master(0));
  Statement update;
  OP_RETURN_IF_ERROR(update.Prepare(
      db_->db(), "UPDATE meta SET master_id = ?, wrapped = ? WHERE name = ? AND master_id = ?"));
  auto q = update.Start();
  q.Bind(1, master_ids_[0]).BindBlob(2, w).Bind(3, kIndexKeyName).Bind(4, from);
  OP_RETURN_IF_ERROR(q.Run());
  return txn.Commit();
}

Result<int64_t> SqliteKeyring::RotateBatch(size_t from, int batch, int64_t* selected) {
  std::lock_guard lock(db_mu_);
  WriteTransaction txn(*db_);
  OP_RETURN_IF_ERROR(txn.Begin());
  std::vector<std::pair<std::string, Wrapped>> rewrapped;
  {
    unsigned char material[kKeyBytes];
    ScrubOnExit scrub(material, sizeof material);
    auto q = select_for_rotation_.Start();
    q.Bind(1, master_ids_[from]).Bind(2, batch);
    while (true) {
      OP_ASSIGN_OR_RETURN(const bool row, q.Step());
      if (!row) break;
      std::string id(q.Text(0));
      if (!Unwrap(q.Blob(1), DataKeyAd(id, master_ids_[from]), Master(from), material)) {
        return InternalError("data key " + id + " does not unwrap under master key " +
                             master_ids_[from] + " (corrupted row); rotation stopped");
      }
      Wrapped w = Wrap(material, DataKeyAd(id, master_ids_[0]), Master(0));
      rewrapped.emplace_back(std::move(id), w);
    }
  }
  *selected = static_cast<int64_t>(rewrapped.size());
  int64_t changed = 0;
  for (const auto& [id, w] : rewrapped) {
    auto q = rewrap_key_.Start();
    q.Bind(1, master_ids_[0]).BindBlob(2, w).Bind(3, id).Bind(4, master_ids_[from]);
    OP_RETURN_IF_ERROR(q.Run());
    changed += q.Changes();
  }
  OP_RETURN_IF_ERROR(txn.Commit());
  return changed;
}

Result<RotationReport> SqliteKeyring::Rotate(int batch) {
  if (batch <= 0) return InvalidArgumentError("rotation batch must be positive");
  RotationReport report;
  {
    std::lock_guard lock(db_mu_);
    OP_ASSIGN_OR_RETURN(const auto before, DataKeyCounts());
    for (const auto& [master_id, count] : before) {
      if (master_id == master_ids_[0]) {
        report.already = count;
      } else if (!MasterIndex(master_id)) {
        report.unknown_master += count;
      }
    }
  }
  OP_RETURN_IF_ERROR(RotateIndexKey());
  for (size_t from = 1; from < master_ids_.size(); ++from) {
    if (master_ids_[from] == master_ids_[0]) continue;
    while (true) {
      int64_t selected = 0;
      OP_ASSIGN_OR_RETURN(const int64_t changed, RotateBatch(from, batch, &selected));
      report.rewrapped += changed;
      if (selected < batch) break;
    }
  }
  return report;
}

Result<std::map<std::string, int64_t, std::less<>>> SqliteKeyring::DataKeyCounts() {
  std::map<std::string, int64_t, std::less<>> counts;
  auto q = count_per_master_.Start();
  while (true) {
    OP_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    counts[std::string(q.Text(0))] += q.Int(1);
  }
  return counts;
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteKeyring::KeysPerMaster() {
  std::map<std::string, int64_t, std::less<>> counts;
  {
    std::lock_guard lock(db_mu_);
    OP_ASSIGN_OR_RETURN(counts, DataKeyCounts());
    auto q = index_master_.Start();
    q.Bind(1, kIndexKeyName);
    OP_ASSIGN_OR_RETURN(const bool found, q.Step());
    if (found) ++counts[std::string(q.Text(0))];
  }
  std::vector<std::pair<std::string, int64_t>> out;
  for (const std::string& id : master_ids_) {
    if (std::any_of(out.begin(), out.end(), [&](const auto& p) { return p.first == id; })) {
      continue;
    }
    const auto it = counts.find(id);
    out.emplace_back(id, it == counts.end() ? 0 : it->second);
    if (it != counts.end()) counts.erase(it);
  }
  for (auto& [id, n] : counts) out.emplace_back(id, n);
  return out;
}

// Keyed BLAKE2b with an `n`-byte output of "<kind>\x1f<value>" under `key`.
void KeyedIndex(const unsigned char* key, std::string_view kind, std::string_view value,
                unsigned char* out, size_t n) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key, kKeyBytes, n);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kind.data()),
                            kind.size());
  const unsigned char sep = 0x1f;
  crypto_generichash_update(&state, &sep, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()),
                            value.size());
  crypto_generichash_final(&state, out, n);
  sodium_memzero(&state, sizeof state);
}

std::string SqliteKeyring::BlindIndex(std::string_view kind, std::string_view value) const {
  unsigned char out[16];
  KeyedIndex(IndexKey(), kind, value, out, sizeof out);
  return Hex(out, sizeof out);
}

uint64_t SqliteKeyring::BlindIndex64(std::string_view kind, std::string_view value) const {
  unsigned char out[8];
  KeyedIndex(IndexKey(), kind, value, out, sizeof out);
  uint64_t v = 0;
  for (size_t i = sizeof out; i-- > 0;) v = (v << 8) | out[i];  // little-endian
  return v;
}

}  // namespace

Result<MasterKey> ParseMasterKey(std::string_view text) {
  OP_RETURN_IF_ERROR(internal::EnsureSodium());
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return InvalidArgumentError("master key is empty");
  text = text.substr(first, text.find_last_not_of(kSpace) - first + 1);
  if (text.size() != 2 * kKeyBytes) {
    return InvalidArgumentError("master key must be 64 hex characters, not " +
                                std::to_string(text.size()));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!IsHexDigit(c) && !(c >= 'A' && c <= 'F')) {
      return InvalidArgumentError("master key has a character that is not a hex digit at " +
                                  std::to_string(i));
    }
  }
  MasterKey m;
  size_t len = 0;
  if (sodium_hex2bin(m.key.data(), m.key.size(), text.data(), text.size(), nullptr, &len,
                     nullptr) != 0 ||
      len != kKeyBytes) {
    return InvalidArgumentError("master key is not 64 hex characters");
  }
  m.id = MasterKeyId(m.key.data());
  return m;
}

std::string GenerateMasterKeyText() {
  static_cast<void>(internal::EnsureSodium());
  unsigned char key[kKeyBytes];
  randombytes_buf(key, sizeof key);
  std::string text = Hex(key, sizeof key);
  sodium_memzero(key, sizeof key);
  text.push_back('\n');
  return text;
}

Keyring::~Keyring() = default;

Result<std::unique_ptr<Keyring>> Keyring::Open(const std::string& path,
                                               std::vector<MasterKey> masters, const Clock& clock) {
  OP_RETURN_IF_ERROR(internal::EnsureSodium());
  if (masters.empty()) return InvalidArgumentError("no master key given");
  for (const MasterKey& m : masters) {
    if (m.id != MasterKeyId(m.key.data())) {
      return InvalidArgumentError("master key id does not match its key (use ParseMasterKey)");
    }
  }
  OP_RETURN_IF_ERROR(PrepareKeyFile(path));
  OP_ASSIGN_OR_RETURN(std::unique_ptr<KeyDb> db, KeyDb::Open(path, kBusyTimeoutMs));
  auto keyring =
      std::make_unique<SqliteKeyring>(clock, std::move(db), internal::KeyArena::Create());
  const Status s = keyring->Init(masters);
  for (MasterKey& m : masters) sodium_memzero(m.key.data(), m.key.size());
  if (!s.ok()) return s;
  return std::unique_ptr<Keyring>(std::move(keyring));
}

}  // namespace orderpilot::privacy
