#include "privacy/internal/key_arena.h"

#include <sodium.h>

#include <cstring>

namespace orderpilot::privacy::internal {

Status EnsureSodium() {
  static const int rc = sodium_init();  // 0 first time, 1 when already initialised
  if (rc < 0) return InternalError("libsodium could not be initialised");
  return Status::Ok();
}

KeyArena::~KeyArena() {
  for (void* slab : slabs_) sodium_free(slab);
}

Result<std::shared_ptr<const KeyBytes>> KeyArena::Hold(const unsigned char* material) {
  KeyBytes* slot = nullptr;
  {
    std::lock_guard lock(mu_);
    if (free_.empty()) {
      void* slab = sodium_malloc(kSlotsPerSlab * sizeof(KeyBytes));
      if (slab == nullptr) return InternalError("sodium_malloc failed for the key cache");
      slabs_.push_back(slab);
      auto* slots = static_cast<KeyBytes*>(slab);
      free_.reserve(free_.size() + kSlotsPerSlab);
      for (size_t i = kSlotsPerSlab; i-- > 0;) free_.push_back(&slots[i]);
    }
    slot = free_.back();
    free_.pop_back();
  }
  std::memcpy(slot->data(), material, kArenaKeyBytes);
  return std::shared_ptr<const KeyBytes>(slot, [arena = shared_from_this()](const KeyBytes* k) {
    arena->Release(const_cast<KeyBytes*>(k));
  });
}

void KeyArena::Release(KeyBytes* slot) {
  sodium_memzero(slot->data(), slot->size());
  std::lock_guard lock(mu_);
  free_.push_back(slot);
}

}  // namespace orderpilot::privacy::internal
