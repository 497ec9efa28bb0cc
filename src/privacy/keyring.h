// privacy/keyring.h — the keys that protect personal data at rest: master keys, per-customer
// data keys (the unit of crypto-shredding) and the blind-index key.
//
// Layout. Data keys live in their own SQLite file (`keys.db` in the data directory), never in the
// order database, so that a backup of the order database holds ciphertext and key ids only:
//   data_keys(key_id TEXT PRIMARY KEY, master_id TEXT, wrapped BLOB, created_at INTEGER)
//   shredded(key_id TEXT PRIMARY KEY, at INTEGER)          -- tombstones: erased for good
//   meta(name TEXT PRIMARY KEY, master_id TEXT, wrapped BLOB)  -- "index_key"
// A data key is 32 random bytes, wrapped (XChaCha20-Poly1305, associated data
// "orderpilot data key|<key_id>|<master_id>") under the primary master key; the index key
// likewise with "orderpilot index key|<master_id>". A stored `wrapped` is nonce ‖ ciphertext ‖
// tag (72 bytes). Key ids are 16 lowercase hex characters (8 random bytes).
//
// Invariants:
//  - A data key returned by NewDataKey() is durable in keys.db (committed, fsynced) before it is
//    returned, so data sealed under it can never outlive its key by a crash. Keys are created in
//    batches (one transaction per batch) and handed out from that pool.
//  - Shred() deletes the wrapped key with SQLite's secure_delete on and checkpoints the WAL, so its
//    bytes are overwritten in the file, records a tombstone, and evicts it from the cache: from
//    then on Find() returns nullopt for that id in this process, and within 2 seconds in any other
//    process using the same keys.db (Find re-reads the tombstones that often).
//  - The blind-index key never changes (rotation re-wraps it), so blind indexes stay comparable.
//  - Unwrapped keys are held in sodium_malloc'ed memory and zeroed when evicted or destroyed.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace orderpilot::privacy {

inline constexpr size_t kKeyBytes = 32;

// A master key: 32 bytes given as 64 hex characters (surrounding whitespace ignored, so a key
// file may end in a newline). `id` is 16 hex characters derived from the key (keyed BLAKE2b of a
// fixed label), which names it in keys.db without revealing it.
struct MasterKey {
  std::string id;
  std::array<unsigned char, kKeyBytes> key{};
};

// InvalidArgument (naming what is wrong, never echoing the text) unless `text` is 64 hex digits.
Result<MasterKey> ParseMasterKey(std::string_view text);
// 64 fresh random hex characters and a newline: what `orderpilot keys new-master` prints.
std::string GenerateMasterKeyText();

// An unwrapped data key. Copyable handle to key material owned by the Keyring's cache.
struct DataKey {
  std::string id;  // 16 hex characters
  std::shared_ptr<const std::array<unsigned char, kKeyBytes>> key;
};

struct RotationReport {
  int64_t rewrapped = 0;       // keys moved to the primary master key by this run
  int64_t already = 0;         // keys that were under the primary already
  int64_t unknown_master = 0;  // keys under a master key not given (left alone; see docs)
};

class Keyring {
 public:
  // Opens (creating when absent, mode 0600) the key file at `path`. `masters` must not be
  // empty; the first is the primary (wraps every new or rotated key), the others can only
  // unwrap. Creates the blind-index key on first open. FailedPrecondition when keys.db holds keys
  // but none can be unwrapped with `masters` (the wrong master key): refuse rather than fork —
  // in practice, when the index key is wrapped under a master key not given. InvalidArgument
  // for an empty list or a MasterKey whose id does not match its key. `clock` must outlive the
  // Keyring. The given key bytes are zeroed in `masters` once copied to locked memory.
  static Result<std::unique_ptr<Keyring>> Open(const std::string& path,
                                               std::vector<MasterKey> masters, const Clock& clock);
  virtual ~Keyring();

  // A fresh data key, durable before return.
  virtual Result<DataKey> NewDataKey() = 0;
  // The data key `key_id`: from the cache, else unwrapped from keys.db. nullopt when it was
  // shredded or never existed (or `key_id` is not a key id). Internal when keys.db cannot be
  // read or the key cannot be unwrapped (wrong master key, corrupted row); Unavailable when
  // keys.db stayed locked past the 5 s busy timeout.
  virtual Result<std::optional<DataKey>> Find(std::string_view key_id) = 0;
  // Destroys the keys for good (see invariants). Unknown ids are recorded as shredded too;
  // InvalidArgument (nothing shredded) when an id is not 16 lowercase hex characters.
  // Unavailable when another connection's read kept the WAL from being truncated: the keys are
  // deleted and tombstoned, but their old bytes may remain in keys.db-wal until Shred is called
  // again (it is idempotent).
  virtual Status Shred(const std::vector<std::string>& key_ids) = 0;
  // Whether `key_id` was shredded (reads the tombstones).
  virtual Result<bool> IsShredded(std::string_view key_id) = 0;
  // Re-wraps every key (and the index key) that is not under the primary master key, in
  // batches of `batch` keys per transaction, safe while a server uses the same keys.db (a row
  // is updated only while still under its old master key, so concurrent runs are harmless).
  // The report counts data keys; `already` and `unknown_master` are counted at the start. Run it
  // once every server runs with the new primary: one still on the old primary keeps creating
  // keys under it.
  virtual Result<RotationReport> Rotate(int batch = 500) = 0;
  // How many keys (data keys and the index key) each master key id wraps: an old master key may
  // be retired when it wraps none. Every given master key is listed, in the order given (0 when
  // it wraps none), then any other master key id found in keys.db.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> KeysPerMaster() = 0;
  // Keyed BLAKE2b (16-byte output, 32 hex characters) of "<kind>\x1f<value>" under the
  // blind-index key. The caller normalises `value` (privacy/field_seal.h NormaliseEmail, …).
  virtual std::string BlindIndex(std::string_view kind, std::string_view value) const = 0;
  // The 64-bit form, for in-memory keys (risk velocity counts): keyed BLAKE2b with an 8-byte
  // output of the same "<kind>\x1f<value>" under the same blind-index key, read little-endian.
  // BLAKE2b mixes the output length into its parameter block, so this is *not* a prefix of
  // BlindIndex(kind, value): the two forms never match each other. Allocation-free; equal inputs
  // give equal values for as long as keys.db exists (rotation only re-wraps the index key).
  virtual uint64_t BlindIndex64(std::string_view kind, std::string_view value) const = 0;
};

}  // namespace orderpilot::privacy
