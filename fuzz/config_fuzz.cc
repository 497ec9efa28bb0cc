// fuzz/config_fuzz.cc — the configuration loader (app/config.h) on arbitrary YAML text, both
// from a string (ParseConfig) and through a temporary file (LoadConfigFile).
//
// Inputs naming a "file:" secret are skipped: the loader would read whatever path the fuzzer
// spells (/dev/zero never ends), which is the operator's choice, not hostile input.
// Checks besides "no crash": a refusal is InvalidArgument with "<file>:<line>:<col>: " in front,
// and an accepted Config keeps the invariants app/config.h promises.
#include <cstdint>
#include <string>
#include <string_view>

#include "app/config.h"
#include "fuzz_support.h"

namespace {

using orderpilot::fuzz::Check;

void CheckResult(const orderpilot::Result<orderpilot::app::Config>& config,
                 std::string_view file_name) {
  using orderpilot::StatusCode;
  if (!config.ok()) {
    // InternalError is how ParseConfig reports a std::exception from yaml-cpp: allowed, but it
    // still names the file.
    Check(config.status().code() == StatusCode::kInvalidArgument ||
              config.status().code() == StatusCode::kInternal,
          "a refused configuration is neither InvalidArgument nor Internal");
    Check(config.status().message().starts_with(std::string(file_name) + ":"),
          "a refusal does not name the file");
    return;
  }
  Check(config->ListenHostPort().ok(), "an accepted configuration has a bad listen address");
  for (const auto& shop : config->shops)
    Check(!shop.domain.empty() && !shop.webhook_secret.empty(), "a shop without domain/secret");
  for (const auto& key : config->api_keys) Check(key.key.size() >= 16, "an API key under 16");
  Check(config->pipeline.workers >= 1 && config->pipeline.workers <= 64, "workers out of range");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orderpilot;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find("file:") != std::string_view::npos) return 0;
  app::FakeEnvironment env({{"OP_FUZZ_SECRET", "a-secret-from-the-environment"}, {"EMPTY", ""}});

  CheckResult(app::ParseConfig(text, "fuzz.yaml", env), "fuzz.yaml");

  static fuzz::TempFile file(".yaml");  // one per process, rewritten for each input
  CheckResult(app::LoadConfigFile(file.Write(data, size), env), file.path());
  return 0;
}
