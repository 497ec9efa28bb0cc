#include "review/stats_report.h"

#include <cstdio>

#include "core/json_writer.h"

namespace orderpilot::review {
namespace {

double Ratio(int64_t a, int64_t b) {
  return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

void WriteCounts(JsonWriter& w, const store::ReviewKindStats& s) {
  w.Field("human_decisions", s.human_decisions)
      .Field("approved_unchanged", s.approved_unchanged)
      .Field("approved_modified", s.approved_modified)
      .Field("rejected", s.rejected)
      .Field("approval_rate", Ratio(s.approved_unchanged, s.human_decisions))
      .Field("automatic", s.automatic)
      .Field("reversed", s.reversed)
      .Field("reversal_rate", Ratio(s.reversed, s.automatic))
      .Field("fallback", s.fallback)
      .Field("open", s.open)
      .Field("escalated", s.escalated);
}

std::string Row(const std::string& name, const store::ReviewKindStats& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-34s %7lld %7.1f%% %6lld %6lld %7lld %6lld %6lld %6lld\n",
                name.c_str(), static_cast<long long>(s.human_decisions),
                100 * Ratio(s.approved_unchanged, s.human_decisions),
                static_cast<long long>(s.approved_modified), static_cast<long long>(s.rejected),
                static_cast<long long>(s.automatic), static_cast<long long>(s.reversed),
                static_cast<long long>(s.open), static_cast<long long>(s.escalated));
  return buf;
}

}  // namespace

std::string StatsJson(const std::vector<store::ReviewKindStats>& stats,
                      const AutonomyPolicy& policy, Timestamp since, int64_t days) {
  JsonWriter w;
  w.BeginObject().Field("since", FormatTimestamp(since)).Field("days", days);
  w.Key("kinds").BeginArray();
  for (const AutonomySuggestion& s : policy.Suggest(stats)) {
    w.BeginObject().Field("kind", s.kind).Field("level", AutonomyName(s.level));
    WriteCounts(w, SumOfKind(stats, s.kind));
    w.Key("suggestion").BeginObject();
    if (s.suggested) {
      w.Field("level", AutonomyName(*s.suggested));
    } else {
      w.Key("level").Null();
    }
    w.Field("why", s.why).EndObject().EndObject();
  }
  w.EndArray().Key("rules").BeginArray();
  for (const store::ReviewKindStats& k : stats) {
    if (k.rule.empty()) continue;
    w.BeginObject().Field("kind", k.kind).Field("rule", k.rule);
    WriteCounts(w, k);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string StatsTable(const std::vector<store::ReviewKindStats>& stats,
                       const AutonomyPolicy& policy, Timestamp since, int64_t days) {
  std::string out =
      "decisions since " + FormatTimestamp(since) + " (" + std::to_string(days) + " days)\n";
  char header[256];
  std::snprintf(header, sizeof header, "%-34s %7s %8s %6s %6s %7s %6s %6s %6s\n", "kind / rule",
                "people", "approved", "modif", "reject", "auto", "revers", "open", "escal");
  out += header;
  std::vector<AutonomySuggestion> suggestions = policy.Suggest(stats);
  for (const AutonomySuggestion& s : suggestions) {
    out += Row(s.kind + " (" + std::string(AutonomyName(s.level)) + ")", SumOfKind(stats, s.kind));
    for (const store::ReviewKindStats& k : stats) {
      if (k.kind == s.kind && !k.rule.empty()) out += Row("  rule " + k.rule, k);
    }
  }
  if (suggestions.empty()) out += "(no decisions in this window)\n";
  out += "\n";
  for (const AutonomySuggestion& s : suggestions) {
    out += s.kind + ": " +
           (s.suggested ? "suggest " + std::string(AutonomyName(*s.suggested)) + " — " : "") +
           s.why + "\n";
  }
  out += "Levels change only when you edit review.kinds in the configuration.\n";
  return out;
}

}  // namespace orderpilot::review
