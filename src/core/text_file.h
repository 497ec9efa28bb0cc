// core/text_file.h — reading configuration-like files people name (config, rules, rate tables,
// catalogs, CSV imports) whole, with errors that name the file and say what it was for.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot {

// The whole file. `what` names it in errors ("rule file", "rate table"):
//   NotFound            "<what> not found: <path>"
//   FailedPrecondition  "<what> <path> is a directory", "cannot read <what> <path>: <reason>"
Result<std::string> ReadTextFile(const std::string& path, std::string_view what);

// Levenshtein distance between two names (bytes).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo (edit distance at
// most max(2, |name| / 3)); the first of equally close ones. For "did you mean …?" messages.
template <typename Range>
std::optional<std::string_view> ClosestName(std::string_view name, const Range& candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = (name.size() / 3 > 2 ? name.size() / 3 : 2) + 1;
  for (const auto& c : candidates) {
    const std::string_view candidate(c);
    const size_t d = EditDistance(name, candidate);
    if (d < best_distance) best = candidate, best_distance = d;
  }
  return best;
}

}  // namespace orderpilot
