// risk/email_check.h — cheap checks of an email address: a disposable-mail domain list and a
// score for how randomly generated the part before the '@' looks.
//
// Both are heuristics without network access (no MX lookups). The domain list is our own, a few
// hundred well-known throw-away mail services; it is never complete and new services appear all
// the time, so a miss means little while a hit is a strong signal.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orderpilot::risk {

struct EmailParts {
  std::string local;   // before the last '@', lower-cased
  std::string domain;  // after it, lower-cased, without a trailing '.'
};

// Splits a trimmed address at its last '@'; nullopt when either side is empty.
std::optional<EmailParts> SplitEmail(std::string_view email);

// Whether `domain` (case-insensitive) or one of its parent domains ("x.mailinator.com" →
// "mailinator.com") is on the disposable-mail list.
bool IsDisposableEmailDomain(std::string_view domain);

// How random `local_part` looks, 0 (a name-like "jane.smith") … 1 (a generated "xk7qz9v2pl").
//
// Recipe: the local part is lower-cased and cut at '+' (sub-addressing); '.', '_' and '-'
// separate tokens. Four evidences, each in 0..1:
//   digits      share of digits among letters and digits; a trailing run of at most 4 digits
//               (a year, a birthday) counts half; 0 at ≤ 10 %, 1 at ≥ 50 %.
//   alternation letter↔digit switches; 0 for one (a name and a year), 1 at five or more.
//   consonants  the longest run of consonants ('y' counts as a vowel): 0 up to 3, 1 at 5+;
//               or, for at least 5 letters, too few vowels (under 20 %, rising to 1 at 0 %).
//   bigrams     share of adjacent letter pairs never seen in a built-in corpus of ~700
//               given names, surnames (many languages) and words people use in addresses;
//               0 at ≤ 10 %, 1 at ≥ 50 %.
// They combine as a noisy OR: 1 − (1 − 0.6·bigrams)(1 − 0.5·consonants)(1 − 0.4·digits)
// (1 − 0.4·alternation). Parts shorter than 4 letters and digits score 0 (too short to judge).
double EmailRandomness(std::string_view local_part);

}  // namespace orderpilot::risk
