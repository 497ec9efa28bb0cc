// app/audit_cli.h — `orderpilot audit verify`: checks the event log's audit chain
// (store/audit_chain.h) in the data directory and names the first broken event.
#pragma once

#include <cstdio>

#include "app/config.h"

namespace orderpilot::app {

// Prints "audit chain intact: …" and returns 0, or "orderpilot: audit chain broken at event N:
// why" on `err` and returns 1; 2 when there is no database to check.
int AuditVerifyCommand(const Config& config, std::FILE* out, std::FILE* err);

}  // namespace orderpilot::app
