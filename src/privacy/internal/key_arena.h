// privacy/internal/key_arena.h — memory for unwrapped keys: 32-byte slots carved from
// sodium_malloc'ed slabs (guard pages, mlock'ed where the limit allows), zeroed when released.
//
// Why slabs: sodium_malloc maps 3 extra pages per allocation and each allocation becomes several
// kernel mappings, so a cache of 100k keys allocated one by one would exhaust vm.max_map_count
// (65530 by default). A slab holds kSlotsPerSlab keys in one allocation.
//
// Invariants: a slot is zeroed (sodium_memzero) before it returns to the free list; slabs are
// freed (sodium_free zeroes them again) only when the arena is destroyed, which happens after the
// last handle to any of its slots: every handle holds the arena.
//
// Thread-safety: thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"

namespace orderpilot::privacy::internal {

inline constexpr size_t kArenaKeyBytes = 32;
using KeyBytes = std::array<unsigned char, kArenaKeyBytes>;

// sodium_init() once per process; Internal when libsodium cannot start.
Status EnsureSodium();

class KeyArena : public std::enable_shared_from_this<KeyArena> {
 public:
  static constexpr size_t kSlotsPerSlab = 128;  // 4 KiB: one page

  static std::shared_ptr<KeyArena> Create() { return std::shared_ptr<KeyArena>(new KeyArena()); }
  KeyArena(const KeyArena&) = delete;
  KeyArena& operator=(const KeyArena&) = delete;
  ~KeyArena();

  // A slot holding a copy of `material`; the slot is zeroed and freed with the last handle.
  // Internal when sodium_malloc fails.
  Result<std::shared_ptr<const KeyBytes>> Hold(const unsigned char* material);

 private:
  KeyArena() = default;
  void Release(KeyBytes* slot);

  std::mutex mu_;
  std::vector<void*> slabs_;     // GUARDED_BY(mu_)
  std::vector<KeyBytes*> free_;  // GUARDED_BY(mu_)
};

}  // namespace orderpilot::privacy::internal
