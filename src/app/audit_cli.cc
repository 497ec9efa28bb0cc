#include "app/audit_cli.h"

#include <cinttypes>
#include <filesystem>

#include "store/audit_chain.h"

namespace orderpilot::app {

int AuditVerifyCommand(const Config& config, std::FILE* out, std::FILE* err) {
  const std::string path = (std::filesystem::path(config.data_dir) / "orderpilot.db").string();
  auto report = store::VerifyEventChain(path);
  if (!report.ok()) {
    std::fprintf(err, "orderpilot: %s\n", report.status().message().c_str());
    return 2;
  }
  if (report->broken_at) {
    std::fprintf(err, "orderpilot: audit chain broken at event %" PRId64 ": %s\n",
                 *report->broken_at, report->problem.c_str());
    return 1;
  }
  std::fprintf(out, "audit chain intact: %" PRId64 " events, last seq %" PRId64, report->events,
               report->last_seq);
  if (report->unchained > 0) {
    std::fprintf(out, " (the first %" PRId64 " predate the chain and are not covered)",
                 report->unchained);
  }
  std::fprintf(out, "\n");
  return 0;
}

}  // namespace orderpilot::app
