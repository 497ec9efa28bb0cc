// app/keys_cli.h — `orderpilot keys create|revoke|list`: API keys with roles, stored as hashes in
// the data directory's database (store/access_keys.h, docs/access.md). A running server sees a
// created or revoked key within about a second, without a restart.
#pragma once

#include <cstdio>
#include <string>

#include "app/config.h"
#include "core/time.h"

namespace orderpilot::app {

// Creates a key named `name` with `role` (viewer, operator, admin) and prints it once on `out`
// (it cannot be shown again: only its SHA-256 is stored). 0 on success; 1 when the name is taken
// or the role unknown; 2 when the database cannot be opened.
int KeysCreateCommand(const Config& config, const std::string& name, const std::string& role,
                      const Clock& clock, std::FILE* out, std::FILE* err);
// Revokes the key named `name`. 0 on success; 1 when there is no such key or it is revoked.
int KeysRevokeCommand(const Config& config, const std::string& name, const Clock& clock,
                      std::FILE* out, std::FILE* err);
// Prints name, role, prefix, created, revoked and last use of every stored key (never a secret).
int KeysListCommand(const Config& config, const Clock& clock, std::FILE* out, std::FILE* err);

}  // namespace orderpilot::app
