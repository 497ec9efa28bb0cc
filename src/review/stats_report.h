// review/stats_report.h — the earned-autonomy report: per decision kind (and per rule) what
// people and the engine decided in a window, and what that suggests for the autonomy level.
// One rendering for GET /v1/reviews/stats (JSON) and `orderpilot review stats` (JSON or table).
#pragma once

#include <string>
#include <vector>

#include "core/time.h"
#include "review/policy.h"
#include "store/store.h"

namespace orderpilot::review {

// {"since", "days", "kinds": [{kind, level, human_decisions, approved_unchanged,
// approved_modified, rejected, approval_rate, automatic, reversed, reversal_rate, fallback,
// open, escalated, suggestion: {level|null, why}}], "rules": [{kind, rule, …counts}]}
std::string StatsJson(const std::vector<store::ReviewKindStats>& stats,
                      const AutonomyPolicy& policy, Timestamp since, int64_t days);

// A fixed-width table for people, one row per kind, then one per rule, then the suggestions.
std::string StatsTable(const std::vector<store::ReviewKindStats>& stats,
                       const AutonomyPolicy& policy, Timestamp since, int64_t days);

}  // namespace orderpilot::review
