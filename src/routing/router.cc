#include "routing/router.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

// How Plan works
//
// 1. Stock. Each line's units come from the candidates' `available`. A line some candidate holds
//    in full is one "item", placed whole on one candidate. A line no candidate holds in full is
//    cut into the fewest pieces: candidates by stock, largest first (ties: site order), each
//    giving all it has until the quantity is covered; every piece is an item placed like a line,
//    on any candidate whose remaining stock of that line covers it. A line whose total stock is
//    short ends the plan early (no shipments, short_units filled).
// 2. Per candidate: its ship day (site's local date; today if a weekday before the cutoff, else
//    the next weekday), and its options: the services whose carrier has a rate row between the
//    site's origin zone and the destination's zone, each with its delivery day. A filter (the
//    promise, or "delivers by day D" in the fallback, and a forced service) keeps some options.
//    The cost of a parcel of (grams, volume) at a candidate is its handling cost plus the lowest
//    price among the kept options whose brackets take its billable weight (options a kept
//    service of the same carrier always beats are dropped first: RateRow::cheaper_services).
//    Candidates are taken in site order, so ties go to the earlier site.
// 3. Exact search (<= kExactMaxOrigins candidates and <= kExactMaxLines lines): depth-first
//    branch and bound over item → candidate, heaviest items first, candidates in order. The
//    partial cost (parcels so far + penalty × (parcels − 1)) never decreases as items are added,
//    because prices never decrease with weight (checked when tables load), handling and the
//    penalty are >= 0, and billable weight grows with the items. A node is cut when that cost, or
//    with one parcel open min(that parcel's cost with the whole order, cost + the cheapest new
//    parcel), reaches the best plan found; the first best is the best single-site plan (or the
//    greedy plan below when cheaper). Ties keep the earlier plan, so a split must be strictly
//    cheaper and equal plans prefer earlier candidates, then earlier services. A node budget is
//    only a safety valve (plan kept, exact = false, a note).
// 4. Heuristic (above the limits): the best single-site plan, or the greedy plan when it is
//    cheaper: items heaviest first, each placed where it adds least to the cost (a new parcel
//    costs its price, handling and the penalty), ties to the earlier candidate.
// 5. Promise: first only options meeting it. If no plan exists, the fallback tries "delivers by
//    day D" for each possible delivery day D in order, and keeps the first D with a plan: the
//    earliest delivery, then the cheapest; promise_met = false with a note.
// 6. Overrides: a forced site must hold every line in full, and a forced service must leave some
//    plan; otherwise they are ignored with a note.

namespace orderpilot::routing {
namespace {

constexpr int64_t kInfeasible = std::numeric_limits<int64_t>::max() / 4;
constexpr int64_t kNodeBudget = 2'000'000;
constexpr int64_t kMaxOrderUnits = 1'000'000'000'000;  // grams, cm³: far above any order

// Router's state after Create.
struct State {
  RateTables tables;
  std::vector<Site> sites;
  RouterOptions options;
  int carriers = 0;
  std::vector<int> origin_zone;  // [site × carriers + carrier] → that carrier's zone, or -1
};

int Weekday(int64_t day) {  // 0 = Sunday; 1970-01-01 was a Thursday
  return static_cast<int>(((day + 4) % 7 + 7) % 7);
}
bool IsWeekend(int64_t day) {
  int w = Weekday(day);
  return w == 0 || w == 6;
}
// REQUIRES: `day` is a weekday.
int64_t AddBusinessDays(int64_t day, int n) {
  const int monday_based = Weekday(day) - 1;  // 0..4
  day += static_cast<int64_t>(n / 5) * 7;
  const int rest = n % 5;
  return day + rest + (monday_based + rest >= 5 ? 2 : 0);
}

std::string FormatDay(int64_t day) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(day, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatMoney(int64_t minor, const Currency& c) {
  std::string amount = FormatMinorUnits(minor, c.exponent());
  if (c.code() == "USD") return "$" + amount;
  if (c.code() == "EUR") return "€" + amount;
  if (c.code() == "GBP") return "£" + amount;
  return amount + " " + std::string(c.code());
}

// "25 kg", "2.1 kg", "0.25 kg".
std::string FormatKg(int64_t grams) {
  std::string s = FormatMinorUnits(grams, 3);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + " kg";
}

// One service a candidate could use for this order's destination.
struct Option {
  const RateRow* row = nullptr;
  int64_t divisor = 0;
  int service = 0;
  int transit_days = 0;
  int64_t delivery_day = 0;
  bool meets_promise = false;  // the request's
};

// A line, or a piece of a line no candidate holds in full.
struct Item {
  int line = 0;
  int64_t units = 0;
  int64_t grams = 0;
  int64_t volume = 0;
};

// Which options a search may use.
struct Filter {
  bool promise = true;  // meets the request's promise; else delivers by `by_day`
  int64_t by_day = 0;
  int service = -1;         // only this service (index), or any
  int only_candidate = -1;  // only this candidate, or any
};

// The work of one Plan call (see "How Plan works" above). Lives for that call only.
class Planner {
 public:
  Planner(const State& st, const RouteRequest& req) : st_(st), req_(req) {}

  Result<RoutePlan> Run();

 private:
  Status Validate();
  void SetUpCandidates();
  void SetUpItems();

  bool MeetsPromise(int transit_days, int64_t delivery_day) const {
    if (req_.promise.deliver_by_day) return delivery_day <= *req_.promise.deliver_by_day;
    return transit_days <= SpeedDays();
  }
  int SpeedDays() const {
    switch (req_.promise.speed) {
      case Speed::kStandard:
        return st_.options.standard_days;
      case Speed::kExpress:
        return st_.options.express_days;
      case Speed::kOvernight:
        return st_.options.overnight_days;
    }
    return st_.options.standard_days;
  }
  bool Keeps(const Filter& f, const Option& o) const {
    if (f.service >= 0 && o.service != f.service) return false;
    return f.promise ? o.meets_promise : o.delivery_day <= f.by_day;
  }

  void ApplyFilter(const Filter& f);
  // Handling + the lowest kept price for a parcel at candidate k; kInfeasible if none takes it.
  // `option` receives the chosen option's index in eligible_ (first of equal prices).
  int64_t ParcelCost(int k, int64_t grams, int64_t volume, int* option = nullptr) const;
  int64_t SingleItemCost(int k, int item);

  // Searches a plan with the filter; true when one was found (best_assign_, best_cost_).
  bool Solve(const Filter& f);
  void Dfs(size_t depth, int64_t partial);
  bool Greedy(std::vector<int>* assign, int64_t* cost);
  void Place(int k, const Item& it, int64_t new_cost);
  void Unplace(int k, const Item& it, int64_t old_cost);

  struct Attempt {
    bool found = false;
    Filter filter;
  };
  Attempt TryPlan(int forced_candidate, int forced_service);

  RoutePlan ShortPlan();
  void BuildPlan(const Attempt& a, RoutePlan& plan);
  void AddAlternatives(const Filter& f, RoutePlan& plan);
  std::string WhyNot(int k, const Filter& f) const;
  std::string Lacks(int k) const;
  std::string SiteName(int site) const {
    const Site& s = st_.sites[site];
    return s.name.empty() ? s.code : s.name;
  }
  std::string Destination() const {
    return req_.destination_country + " " + req_.destination_postcode;
  }
  std::string Price(int64_t minor) const { return FormatMoney(minor, currency_); }
  std::string PromiseText() const;
  std::string ServiceName(int service) const { return st_.tables.services()[service].name; }
  // Candidates in site order, so that ties go to the earlier site.
  const Candidate& Cand(int k) const { return *cands_[k]; }

  const State& st_;
  const RouteRequest& req_;
  Currency currency_;
  int n_lines_ = 0;
  int n_cands_ = 0;
  int64_t penalty_ = 0;
  int64_t order_grams_ = 0;
  int64_t order_volume_ = 0;
  std::vector<int64_t> line_grams_;   // per line, whole quantity
  std::vector<int64_t> line_volume_;  // per line, whole quantity
  std::vector<int64_t> line_stock_;   // per line, Σ available
  std::vector<const Candidate*> cands_;

  // Per candidate.
  std::vector<int64_t> handling_;
  std::vector<int64_t> ship_day_;
  std::vector<char> has_all_;
  std::vector<Option> options_;  // grouped by candidate: [opt_begin_[k], opt_begin_[k + 1])
  std::vector<int> opt_begin_;
  std::vector<Option> eligible_;  // the filter's options, grouped likewise
  std::vector<int> el_begin_;
  std::vector<int64_t> open_lb_;       // handling + lowest kept first-bracket price, or kInfeasible
  std::vector<char> usable_;           // per service: scratch of ApplyFilter
  std::vector<int64_t> single_total_;  // whole order at the candidate, under the filter

  std::vector<Item> items_;            // heaviest first
  std::vector<int> item_cands_;        // per item, the candidates holding it, grouped:
  std::vector<int> item_cands_begin_;  // [item_cands_begin_[d], item_cands_begin_[d + 1])

  // Search state.
  Filter filter_;
  std::vector<int64_t> single_item_;  // [candidate × items], -1 = not computed yet
  std::vector<int64_t> grams_at_, volume_at_, cost_at_;
  std::vector<int> count_at_;
  std::vector<int64_t> remaining_;  // [candidate × lines]
  std::vector<int> assign_;
  int open_ = 0;
  int64_t nodes_ = 0;
  bool stopped_ = false;
  bool exact_ = true;
  int64_t best_cost_ = kInfeasible;
  std::vector<int> best_assign_;
  int64_t lowest_open_[2] = {kInfeasible, kInfeasible};  // two lowest open_lb_ (values)
  int lowest_open_cand_ = -1;
};

Status Planner::Validate() {
  const RouteRequest& r = req_;
  currency_ = st_.tables.currency();
  n_lines_ = static_cast<int>(r.lines.size());
  n_cands_ = static_cast<int>(r.candidates.size());
  if (n_lines_ == 0) return InvalidArgumentError("the order has no lines", "lines");
  if (!r.split_penalty.currency().valid()) {
    if (r.split_penalty.minor_units() != 0) {
      return InvalidArgumentError("split_penalty has no currency", "split_penalty");
    }
  } else if (!(r.split_penalty.currency() == currency_)) {
    return InvalidArgumentError("split_penalty is in " +
                                    std::string(r.split_penalty.currency().code()) +
                                    ", the rate tables in " + std::string(currency_.code()),
                                "split_penalty");
  }
  if (r.split_penalty.minor_units() < 0) {
    return InvalidArgumentError("split_penalty must not be negative", "split_penalty");
  }
  penalty_ = r.split_penalty.minor_units();
  line_grams_.resize(n_lines_);
  line_volume_.resize(n_lines_);
  for (int i = 0; i < n_lines_; ++i) {
    const RouteLine& l = r.lines[i];
    const std::string field = "lines[" + std::to_string(i) + "]";
    if (l.quantity <= 0) return InvalidArgumentError("quantity must be > 0", field + ".quantity");
    if (l.grams < 0) return InvalidArgumentError("grams must be >= 0", field + ".grams");
    if (l.volume_cm3 < 0) {
      return InvalidArgumentError("volume_cm3 must be >= 0", field + ".volume_cm3");
    }
    if (__builtin_mul_overflow(l.quantity, l.grams, &line_grams_[i]) ||
        __builtin_mul_overflow(l.quantity, l.volume_cm3, &line_volume_[i]) ||
        line_grams_[i] > kMaxOrderUnits || line_volume_[i] > kMaxOrderUnits) {
      return InvalidArgumentError("line weight or volume is too large", field);
    }
    order_grams_ += line_grams_[i];
    order_volume_ += line_volume_[i];
    if (order_grams_ > kMaxOrderUnits || order_volume_ > kMaxOrderUnits) {
      return InvalidArgumentError("order weight or volume is too large", "lines");
    }
  }
  std::vector<char> seen(st_.sites.size(), 0);
  line_stock_.assign(n_lines_, 0);
  for (int k = 0; k < n_cands_; ++k) {
    const Candidate& c = r.candidates[k];
    const std::string field = "candidates[" + std::to_string(k) + "]";
    if (c.site < 0 || static_cast<size_t>(c.site) >= st_.sites.size()) {
      return InvalidArgumentError("site index " + std::to_string(c.site) + " is out of range",
                                  field + ".site");
    }
    if (seen[c.site]) {
      return InvalidArgumentError("site " + st_.sites[c.site].code + " is listed twice",
                                  field + ".site");
    }
    seen[c.site] = 1;
    if (c.available.size() != r.lines.size()) {
      return InvalidArgumentError("available has " + std::to_string(c.available.size()) +
                                      " entries for " + std::to_string(n_lines_) + " lines",
                                  field + ".available");
    }
    for (int i = 0; i < n_lines_; ++i) {
      if (c.available[i] < 0) {
        return InvalidArgumentError("available units must be >= 0",
                                    field + ".available[" + std::to_string(i) + "]");
      }
      line_stock_[i] = std::min(line_stock_[i] + c.available[i], kMaxOrderUnits);
    }
  }
  cands_.resize(n_cands_);
  for (int k = 0; k < n_cands_; ++k) cands_[k] = &r.candidates[k];
  std::sort(cands_.begin(), cands_.end(),
            [](const Candidate* a, const Candidate* b) { return a->site < b->site; });
  return Status::Ok();
}

void Planner::SetUpCandidates() {
  const RateTables& t = st_.tables;
  std::vector<int> dest_zone(st_.carriers), price_zone(st_.carriers);
  for (int c = 0; c < st_.carriers; ++c) {
    dest_zone[c] = t.DestinationZone(c, req_.destination_country, req_.destination_postcode);
  }
  const int64_t now_seconds = req_.now.micros >= 0 ? req_.now.micros / 1'000'000
                                                   : -((-req_.now.micros + 999'999) / 1'000'000);
  handling_.resize(n_cands_);
  ship_day_.resize(n_cands_);
  has_all_.resize(n_cands_);
  opt_begin_.resize(n_cands_ + 1);
  options_.clear();
  for (int k = 0; k < n_cands_; ++k) {
    const Candidate& cand = Cand(k);
    const Site& site = st_.sites[cand.site];
    handling_[k] = site.handling_cost.minor_units();
    bool all = true;
    for (int i = 0; i < n_lines_; ++i) all = all && cand.available[i] >= req_.lines[i].quantity;
    has_all_[k] = all;
    const CivilTime local = ToCivil(now_seconds, site.zone);
    int64_t day = DaysFromCivil(local.year, local.month, local.day);
    if (IsWeekend(day) || local.hour * 60 + local.minute >= site.cutoff_minutes) {
      do ++day;
      while (IsWeekend(day));
    }
    ship_day_[k] = day;
    opt_begin_[k] = static_cast<int>(options_.size());
    for (int c = 0; c < st_.carriers; ++c) {
      price_zone[c] = t.PriceZone(c, st_.origin_zone[cand.site * st_.carriers + c], dest_zone[c]);
    }
    for (const Service& s : t.services()) {
      const RateRow* row = t.RowForPriceZone(s, price_zone[s.carrier_index]);
      if (row == nullptr) continue;
      const int64_t delivery = AddBusinessDays(day, row->transit_days);
      options_.push_back(Option{row, s.dim_divisor, s.index, row->transit_days, delivery,
                                MeetsPromise(row->transit_days, delivery)});
    }
  }
  opt_begin_[n_cands_] = static_cast<int>(options_.size());
}

void Planner::SetUpItems() {
  items_.clear();
  std::vector<int> order(n_cands_);
  for (int i = 0; i < n_lines_; ++i) {
    const RouteLine& l = req_.lines[i];
    bool whole = false;
    for (int k = 0; k < n_cands_ && !whole; ++k)
      whole = has_all_[k] || Cand(k).available[i] >= l.quantity;
    if (whole) {
      items_.push_back(Item{i, l.quantity, line_grams_[i], line_volume_[i]});
      continue;
    }
    // The fewest pieces: largest stock first.
    for (int k = 0; k < n_cands_; ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return Cand(a).available[i] > Cand(b).available[i]; });
    int64_t left = l.quantity;
    for (int k : order) {
      const int64_t take = std::min(left, Cand(k).available[i]);
      if (take <= 0) break;
      items_.push_back(Item{i, take, take * l.grams, take * l.volume_cm3});
      left -= take;
      if (left == 0) break;
    }
  }
  std::stable_sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) {
    if (a.grams != b.grams) return a.grams > b.grams;
    return a.volume > b.volume;
  });
  item_cands_.clear();
  item_cands_begin_.resize(items_.size() + 1);
  for (size_t d = 0; d < items_.size(); ++d) {
    item_cands_begin_[d] = static_cast<int>(item_cands_.size());
    for (int k = 0; k < n_cands_; ++k) {
      if (Cand(k).available[items_[d].line] >= items_[d].units) item_cands_.push_back(k);
    }
  }
  item_cands_begin_[items_.size()] = static_cast<int>(item_cands_.size());
}

void Planner::ApplyFilter(const Filter& f) {
  filter_ = f;
  eligible_.clear();
  el_begin_.resize(n_cands_ + 1);
  open_lb_.assign(n_cands_, kInfeasible);
  usable_.resize(st_.tables.services().size(), 0);
  for (int k = 0; k < n_cands_; ++k) {
    el_begin_[k] = static_cast<int>(eligible_.size());
    for (int o = opt_begin_[k]; o < opt_begin_[k + 1]; ++o) {
      if (Keeps(f, options_[o])) usable_[options_[o].service] = 1;
    }
    int64_t lowest = kInfeasible;
    for (int o = opt_begin_[k]; o < opt_begin_[k + 1]; ++o) {
      const Option& opt = options_[o];
      if (!usable_[opt.service]) continue;
      // A row some usable service always beats is never the cheapest: skip it.
      bool beaten = false;
      for (int s : opt.row->cheaper_services) beaten = beaten || usable_[s];
      if (beaten) continue;
      eligible_.push_back(opt);
      lowest = std::min(lowest, opt.row->price_minor.front());
    }
    for (int o = opt_begin_[k]; o < opt_begin_[k + 1]; ++o) usable_[options_[o].service] = 0;
    if (lowest < kInfeasible) open_lb_[k] = handling_[k] + lowest;
  }
  el_begin_[n_cands_] = static_cast<int>(eligible_.size());
}

int64_t Planner::ParcelCost(int k, int64_t grams, int64_t volume, int* option) const {
  int64_t best = kInfeasible;
  int64_t divisor = -1;
  int64_t billable = 0;
  for (int o = el_begin_[k]; o < el_begin_[k + 1]; ++o) {
    const Option& opt = eligible_[o];
    if (opt.divisor != divisor) {
      divisor = opt.divisor;
      billable = BillableGrams(grams, volume, divisor);
    }
    const std::vector<int64_t>& bounds = opt.row->max_grams;
    if (billable > bounds.back()) continue;
    const size_t b = std::lower_bound(bounds.begin(), bounds.end(), billable) - bounds.begin();
    const int64_t price = opt.row->price_minor[b];
    if (price < best) {
      best = price;
      if (option != nullptr) *option = o;
    }
  }
  return best == kInfeasible ? kInfeasible : best + handling_[k];
}

int64_t Planner::SingleItemCost(int k, int item) {
  int64_t& c = single_item_[static_cast<size_t>(k) * items_.size() + item];
  if (c < 0) c = ParcelCost(k, items_[item].grams, items_[item].volume);
  return c;
}

void Planner::Place(int k, const Item& it, int64_t new_cost) {
  if (count_at_[k]++ == 0) ++open_;
  grams_at_[k] += it.grams;
  volume_at_[k] += it.volume;
  cost_at_[k] = new_cost;
  remaining_[static_cast<size_t>(k) * n_lines_ + it.line] -= it.units;
}

void Planner::Unplace(int k, const Item& it, int64_t old_cost) {
  if (--count_at_[k] == 0) --open_;
  grams_at_[k] -= it.grams;
  volume_at_[k] -= it.volume;
  cost_at_[k] = old_cost;
  remaining_[static_cast<size_t>(k) * n_lines_ + it.line] += it.units;
}

void Planner::Dfs(size_t depth, int64_t partial) {
  if (++nodes_ > kNodeBudget) {
    stopped_ = true;
    return;
  }
  if (depth == items_.size()) {  // only reached below the best cost
    best_cost_ = partial;
    best_assign_ = assign_;
    return;
  }
  if (open_ == 1) {
    // Either every remaining item joins the one open parcel (that parcel then costs what the whole
    // order costs there), or some new parcel opens.
    const int only = assign_[0];  // the first item's parcel stays open below it
    const int64_t other = only == lowest_open_cand_ ? lowest_open_[1] : lowest_open_[0];
    const int64_t keep = has_all_[only] ? single_total_[only] : kInfeasible;
    const int64_t grow = other >= kInfeasible ? kInfeasible : partial + other + penalty_;
    if (std::min(keep, grow) >= best_cost_) return;
  }
  const Item& it = items_[depth];
  const int64_t new_parcel_extra = open_ > 0 ? penalty_ : 0;
  for (int c = item_cands_begin_[depth]; c < item_cands_begin_[depth + 1]; ++c) {
    const int k = item_cands_[c];
    if (remaining_[static_cast<size_t>(k) * n_lines_ + it.line] < it.units) continue;
    int64_t new_cost;
    int64_t child;
    if (count_at_[k] > 0) {
      new_cost = ParcelCost(k, grams_at_[k] + it.grams, volume_at_[k] + it.volume);
      if (new_cost >= kInfeasible) continue;
      child = partial - cost_at_[k] + new_cost;
    } else {
      if (open_lb_[k] >= kInfeasible || partial + open_lb_[k] + new_parcel_extra >= best_cost_) {
        continue;
      }
      new_cost = SingleItemCost(k, static_cast<int>(depth));
      if (new_cost >= kInfeasible) continue;
      child = partial + new_cost + new_parcel_extra;
    }
    if (child >= best_cost_) continue;
    const int64_t old_cost = cost_at_[k];
    Place(k, it, new_cost);
    assign_[depth] = k;
    Dfs(depth + 1, child);
    Unplace(k, it, old_cost);
    if (stopped_) return;
  }
}

bool Planner::Greedy(std::vector<int>* assign, int64_t* cost) {
  int64_t total = 0;
  std::vector<int> placed;
  placed.reserve(items_.size());
  bool ok = true;
  for (size_t d = 0; d < items_.size(); ++d) {
    const Item& it = items_[d];
    int best_k = -1;
    int64_t best_delta = kInfeasible, best_new = 0;
    for (int k = 0; k < n_cands_; ++k) {
      if (filter_.only_candidate >= 0 && k != filter_.only_candidate) continue;
      if (remaining_[static_cast<size_t>(k) * n_lines_ + it.line] < it.units) continue;
      int64_t new_cost, delta;
      if (count_at_[k] > 0) {
        new_cost = ParcelCost(k, grams_at_[k] + it.grams, volume_at_[k] + it.volume);
        if (new_cost >= kInfeasible) continue;
        delta = new_cost - cost_at_[k];
      } else {
        new_cost = SingleItemCost(k, static_cast<int>(d));
        if (new_cost >= kInfeasible) continue;
        delta = new_cost + (open_ > 0 ? penalty_ : 0);
      }
      if (delta < best_delta) best_k = k, best_delta = delta, best_new = new_cost;
    }
    if (best_k < 0) {
      ok = false;
      break;
    }
    (*assign)[d] = best_k;
    total += best_delta;
    Place(best_k, it, best_new);
    placed.push_back(best_k);
  }
  // Undo, leaving the search state empty.
  for (size_t d = placed.size(); d-- > 0;) {
    const int k = placed[d];
    const Item& it = items_[d];
    count_at_[k]--;
    grams_at_[k] -= it.grams;
    volume_at_[k] -= it.volume;
    remaining_[static_cast<size_t>(k) * n_lines_ + it.line] += it.units;
    if (count_at_[k] == 0) {
      --open_;
      cost_at_[k] = 0;
    }
  }
  *cost = total;
  return ok;
}

bool Planner::Solve(const Filter& f) {
  ApplyFilter(f);
  const size_t n_items = items_.size();
  single_item_.assign(static_cast<size_t>(n_cands_) * n_items, -1);
  grams_at_.assign(n_cands_, 0);
  volume_at_.assign(n_cands_, 0);
  cost_at_.assign(n_cands_, 0);
  count_at_.assign(n_cands_, 0);
  assign_.assign(n_items, -1);
  remaining_.resize(static_cast<size_t>(n_cands_) * n_lines_);
  for (int k = 0; k < n_cands_; ++k) {
    for (int i = 0; i < n_lines_; ++i) {
      remaining_[static_cast<size_t>(k) * n_lines_ + i] = Cand(k).available[i];
    }
  }
  open_ = 0;
  nodes_ = 0;
  stopped_ = false;
  best_cost_ = kInfeasible;
  best_assign_.assign(n_items, -1);

  // Best single-site plan.
  single_total_.assign(n_cands_, kInfeasible);
  for (int k = 0; k < n_cands_; ++k) {
    if (!has_all_[k]) continue;
    single_total_[k] = ParcelCost(k, order_grams_, order_volume_);
    if (f.only_candidate >= 0 && k != f.only_candidate) continue;
    if (single_total_[k] < best_cost_) {
      best_cost_ = single_total_[k];
      std::fill(best_assign_.begin(), best_assign_.end(), k);
    }
  }
  if (f.only_candidate >= 0) return best_cost_ < kInfeasible;  // whole order there, or nothing

  // Every item needs some candidate that can carry it alone.
  for (size_t d = 0; d < n_items; ++d) {
    bool any = false;
    for (int k = 0; k < n_cands_ && !any; ++k) {
      any = Cand(k).available[items_[d].line] >= items_[d].units &&
            SingleItemCost(k, static_cast<int>(d)) < kInfeasible;
    }
    if (!any) return false;
  }

  // The greedy plan: the heuristic's other choice, and the exact search's first bound when no
  // single site can ship everything.
  if (!exact_ || best_cost_ >= kInfeasible) {
    std::vector<int> greedy(n_items, -1);
    int64_t greedy_cost = 0;
    if (Greedy(&greedy, &greedy_cost) && greedy_cost < best_cost_) {
      best_cost_ = greedy_cost;
      best_assign_ = greedy;
    }
  }
  if (!exact_) return best_cost_ < kInfeasible;

  lowest_open_[0] = lowest_open_[1] = kInfeasible;
  lowest_open_cand_ = -1;
  for (int k = 0; k < n_cands_; ++k) {
    if (open_lb_[k] < lowest_open_[0]) {
      lowest_open_[1] = lowest_open_[0];
      lowest_open_[0] = open_lb_[k];
      lowest_open_cand_ = k;
    } else if (open_lb_[k] < lowest_open_[1]) {
      lowest_open_[1] = open_lb_[k];
    }
  }
  nodes_ = 0;
  stopped_ = false;
  Dfs(0, 0);
  return best_cost_ < kInfeasible;
}

Planner::Attempt Planner::TryPlan(int forced_candidate, int forced_service) {
  Filter f;
  f.promise = true;
  f.service = forced_service;
  f.only_candidate = forced_candidate;
  if (Solve(f)) return Attempt{true, f};
  // Fallback: the earliest delivery day with any plan, then the cheapest plan for it.
  std::vector<int64_t> days;
  for (int k = 0; k < n_cands_; ++k) {
    if (forced_candidate >= 0 && k != forced_candidate) continue;
    for (int o = opt_begin_[k]; o < opt_begin_[k + 1]; ++o) {
      if (forced_service >= 0 && options_[o].service != forced_service) continue;
      days.push_back(options_[o].delivery_day);
    }
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  f.promise = false;
  for (int64_t d : days) {
    f.by_day = d;
    if (Solve(f)) return Attempt{true, f};
  }
  return Attempt{false, f};
}

std::string Planner::Lacks(int k) const {
  std::string out;
  for (int i = 0; i < n_lines_; ++i) {
    const int64_t have = k >= 0 ? Cand(k).available[i] : 0;
    if (have >= req_.lines[i].quantity) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(req_.lines[i].quantity - have) + " × " + req_.lines[i].sku;
  }
  return "lacks " + out;
}

std::string Planner::PromiseText() const {
  if (req_.promise.deliver_by_day) return "arrives by " + FormatDay(*req_.promise.deliver_by_day);
  const int days = SpeedDays();
  return "arrives within " + std::to_string(days) + " business day" + (days == 1 ? "" : "s") +
         " (" + std::string(SpeedName(req_.promise.speed)) + ")";
}

// Why candidate k has no single-site plan under filter f.
std::string Planner::WhyNot(int k, const Filter& f) const {
  if (!has_all_[k]) return Lacks(k);
  if (opt_begin_[k] == opt_begin_[k + 1]) return "no service from there reaches " + Destination();
  bool any_service = false;
  bool any_in_time = false;
  for (int o = opt_begin_[k]; o < opt_begin_[k + 1]; ++o) {
    if (f.service >= 0 && options_[o].service != f.service) continue;
    any_service = true;
    Filter time_only = f;
    time_only.service = -1;
    if (Keeps(time_only, options_[o])) any_in_time = true;
  }
  if (!any_service) return ServiceName(f.service) + " does not ship from there to " + Destination();
  if (!any_in_time) {
    return f.promise ? "no service " + PromiseText()
                     : "no service arrives by " + FormatDay(f.by_day);
  }
  return "too heavy for every service (" + FormatKg(order_grams_) + ")";
}

RoutePlan Planner::ShortPlan() {
  RoutePlan plan;
  plan.total = Money::Zero(currency_);
  plan.promise_met = false;
  plan.short_units.assign(n_lines_, 0);
  std::string missing;
  for (int i = 0; i < n_lines_; ++i) {
    const int64_t s = std::max<int64_t>(0, req_.lines[i].quantity - line_stock_[i]);
    plan.short_units[i] = s;
    if (s == 0) continue;
    if (!missing.empty()) missing += ", ";
    missing += std::to_string(s) + " × " + req_.lines[i].sku;
  }
  for (int k = 0; k < n_cands_; ++k) {
    plan.alternatives.push_back(Alternative{SiteName(Cand(k).site), std::nullopt, Lacks(k)});
  }
  plan.notes.push_back("short: " + missing);
  plan.summary = "cannot ship yet: no location has enough stock (short " + missing + ")";
  return plan;
}

void Planner::AddAlternatives(const Filter& f, RoutePlan& plan) {
  for (int k = 0; k < n_cands_; ++k) {
    const int site = Cand(k).site;
    Alternative a;
    a.description = SiteName(site);
    if (single_total_[k] < kInfeasible) {
      int option = -1;
      ParcelCost(k, order_grams_, order_volume_, &option);
      a.description += " by " + ServiceName(eligible_[option].service);
      a.total = Money(single_total_[k], currency_);
    } else {
      a.why_not = WhyNot(k, f);
    }
    plan.alternatives.push_back(std::move(a));
  }
}

void Planner::BuildPlan(const Attempt& a, RoutePlan& plan) {
  plan.short_units.assign(n_lines_, 0);
  if (!a.found) {
    plan.total = Money::Zero(currency_);
    plan.promise_met = false;
    Filter any;
    any.promise = false;
    any.by_day = std::numeric_limits<int64_t>::max();
    ApplyFilter(any);
    single_total_.assign(n_cands_, kInfeasible);
    AddAlternatives(any, plan);
    plan.notes.push_back("no carrier service can carry this order to " + Destination());
    plan.summary = "cannot ship: no carrier service can carry this order to " + Destination() +
                   " from any location that holds its lines";
    return;
  }
  // The search state is the winning search's: it was the last one run.
  if (stopped_) {
    plan.notes.push_back("search stopped after " + std::to_string(kNodeBudget) +
                         " steps: the plan may not be the cheapest");
  }
  plan.exact = exact_ && !stopped_;

  // Group items into parcels, in candidate order.
  std::vector<int> parcel_of(n_cands_, -1);
  for (int k = 0; k < n_cands_; ++k) {
    bool used = false;
    for (int assigned : best_assign_) used = used || assigned == k;
    if (!used) continue;
    parcel_of[k] = static_cast<int>(plan.shipments.size());
    Shipment s;
    s.site = Cand(k).site;
    plan.shipments.push_back(std::move(s));
  }
  std::vector<int64_t> grams(n_cands_, 0), volume(n_cands_, 0);
  for (size_t d = 0; d < items_.size(); ++d) {
    const int k = best_assign_[d];
    Shipment& s = plan.shipments[parcel_of[k]];
    grams[k] += items_[d].grams;
    volume[k] += items_[d].volume;
    auto it = std::find_if(s.lines.begin(), s.lines.end(),
                           [&](const auto& p) { return p.first == items_[d].line; });
    if (it == s.lines.end()) {
      s.lines.emplace_back(items_[d].line, items_[d].units);
    } else {
      it->second += items_[d].units;
    }
  }
  int64_t total = 0;
  int64_t latest = 0;
  bool all_meet = true;
  for (int k = 0; k < n_cands_; ++k) {
    if (parcel_of[k] < 0) continue;
    Shipment& s = plan.shipments[parcel_of[k]];
    std::sort(s.lines.begin(), s.lines.end());
    int option = -1;
    const int64_t cost = ParcelCost(k, grams[k], volume[k], &option);
    const Option& o = eligible_[option];
    s.service = &st_.tables.services()[o.service];
    s.handling = Money(handling_[k], currency_);
    s.shipping = Money(cost - handling_[k], currency_);
    s.billable_grams = BillableGrams(grams[k], volume[k], o.divisor);
    s.ship_day = ship_day_[k];
    s.delivery_day = o.delivery_day;
    s.meets_promise = o.meets_promise;
    all_meet = all_meet && s.meets_promise;
    latest = std::max(latest, o.delivery_day);
    total += cost;
  }
  total += penalty_ * static_cast<int64_t>(plan.shipments.size() - 1);
  plan.total = Money(total, currency_);
  plan.promise_met = all_meet;
  if (!a.filter.promise) {
    plan.notes.push_back("promise missed: no plan " + PromiseText() + "; earliest delivery " +
                         FormatDay(latest));
  }

  AddAlternatives(a.filter, plan);
  if (plan.shipments.size() > 1) {
    Alternative split;
    split.description = "split";
    for (size_t p = 0; p < plan.shipments.size(); ++p) {
      split.description += (p == 0 ? " " : " + ") + SiteName(plan.shipments[p].site);
    }
    split.total = plan.total;
    plan.alternatives.push_back(std::move(split));
  }

  // The one-sentence summary.
  std::string& out = plan.summary;
  int runner_up = -1;
  const int chosen = plan.shipments.size() == 1 ? best_assign_.front() : -1;
  for (int k = 0; k < n_cands_; ++k) {
    if (k == chosen || single_total_[k] >= kInfeasible) continue;
    if (runner_up < 0 || single_total_[k] < single_total_[runner_up]) runner_up = k;
  }
  const bool forced = a.filter.only_candidate >= 0;
  if (chosen >= 0) {
    const Shipment& s = plan.shipments.front();
    out = "shipped from " + SiteName(s.site) + (forced ? " (route_to)" : "") + " by " +
          s.service->name + " for " + Price(total);
    if (runner_up >= 0) {
      out += "; " + SiteName(Cand(runner_up).site) + " was " + Price(single_total_[runner_up]);
    } else if (n_cands_ > 1) {
      out += "; no other location could ship it all";
    }
    if (n_cands_ > 1 && !forced) out += "; splitting saved nothing";
  } else {
    out = "split between ";
    for (size_t p = 0; p < plan.shipments.size(); ++p) {
      const Shipment& s = plan.shipments[p];
      if (p > 0) out += p + 1 == plan.shipments.size() ? " and " : ", ";
      out += SiteName(s.site) + " (" + s.service->name + ")";
    }
    out += " for " + Price(total);
    if (runner_up >= 0) {
      out += "; the best single location, " + SiteName(Cand(runner_up).site) + ", was " +
             Price(single_total_[runner_up]);
    } else {
      out += "; no single location could ship it all";
    }
  }
  if (!plan.promise_met) out += "; promise missed, earliest delivery " + FormatDay(latest);
}

Result<RoutePlan> Planner::Run() {
  OP_RETURN_IF_ERROR(Validate());
  for (int i = 0; i < n_lines_; ++i) {
    if (line_stock_[i] < req_.lines[i].quantity) return ShortPlan();
  }
  SetUpCandidates();
  SetUpItems();
  exact_ = n_cands_ <= kExactMaxOrigins && n_lines_ <= kExactMaxLines;

  RoutePlan plan;
  if (!exact_) {
    plan.notes.push_back("heuristic used: " + std::to_string(n_cands_) + " locations × " +
                         std::to_string(n_lines_) + " lines is above the exact limits (" +
                         std::to_string(kExactMaxOrigins) + " × " + std::to_string(kExactMaxLines) +
                         ")");
  }

  int forced_candidate = -1;
  int forced_service = -1;
  if (!req_.forced_site.empty()) {
    int site = -1;
    for (size_t s = 0; s < st_.sites.size(); ++s) {
      if (st_.sites[s].code == req_.forced_site) site = static_cast<int>(s);
    }
    int k = -1;
    for (int c = 0; c < n_cands_; ++c) {
      if (Cand(c).site == site) k = c;
    }
    if (site < 0) {
      plan.notes.push_back("route_to " + req_.forced_site + " ignored: no such location");
    } else if (k < 0 || !has_all_[k]) {
      plan.notes.push_back("route_to " + req_.forced_site + " ignored: " + Lacks(k));
    } else {
      forced_candidate = k;
    }
  }
  if (!req_.forced_service.empty()) {
    const Service* s = st_.tables.FindService(req_.forced_service);
    if (s == nullptr) {
      plan.notes.push_back("choose_service " + req_.forced_service + " ignored: no such service");
    } else {
      forced_service = s->index;
    }
  }

  Attempt a = TryPlan(forced_candidate, forced_service);
  if (!a.found && (forced_candidate >= 0 || forced_service >= 0)) {
    const std::string site_note =
        forced_candidate >= 0 ? "route_to " + req_.forced_site + " ignored: no service from " +
                                    SiteName(Cand(forced_candidate).site) +
                                    " can carry this order to " + Destination()
                              : "";
    const std::string service_note =
        forced_service >= 0 ? "choose_service " + req_.forced_service +
                                  " ignored: it cannot carry this order to " + Destination()
                            : "";
    if (forced_candidate >= 0 && forced_service >= 0) {
      a = TryPlan(forced_candidate, -1);
      if (a.found) {
        plan.notes.push_back(service_note + " from " + SiteName(Cand(forced_candidate).site));
        forced_service = -1;
      } else {
        a = TryPlan(-1, forced_service);
        if (a.found) {
          plan.notes.push_back("route_to " + req_.forced_site + " ignored: no service from " +
                               SiteName(Cand(forced_candidate).site) + " can carry it with " +
                               req_.forced_service);
          forced_candidate = -1;
        } else {
          plan.notes.push_back(site_note);
          plan.notes.push_back(service_note);
          forced_candidate = forced_service = -1;
          a = TryPlan(-1, -1);
        }
      }
    } else {
      plan.notes.push_back(forced_candidate >= 0 ? site_note : service_note);
      forced_candidate = forced_service = -1;
      a = TryPlan(-1, -1);
    }
  }
  if (a.found && forced_candidate >= 0)
    plan.notes.push_back("route_to " + req_.forced_site + " applied");
  if (a.found && forced_service >= 0) {
    plan.notes.push_back("choose_service " + req_.forced_service + " applied");
  }
  BuildPlan(a, plan);
  return plan;
}

}  // namespace

struct Router::Data {
  State state;
};

std::string_view SpeedName(Speed s) {
  switch (s) {
    case Speed::kStandard:
      return "standard";
    case Speed::kExpress:
      return "express";
    case Speed::kOvernight:
      return "overnight";
  }
  return "standard";
}

std::optional<Speed> ParseSpeed(std::string_view name) {
  for (Speed s : {Speed::kStandard, Speed::kExpress, Speed::kOvernight}) {
    if (SpeedName(s) == name) return s;
  }
  return std::nullopt;
}

Router::Router(std::unique_ptr<const Data> data) : data_(std::move(data)) {}
Router::~Router() = default;

Result<std::shared_ptr<const Router>> Router::Create(RateTables tables, std::vector<Site> sites,
                                                     RouterOptions options) {
  auto data = std::make_unique<Data>();
  State& st = data->state;
  st.tables = std::move(tables);
  st.options = options;
  if (options.standard_days < 0 || options.express_days < 0 || options.overnight_days < 0) {
    return InvalidArgumentError("speed days must be >= 0");
  }
  st.carriers = static_cast<int>(st.tables.carriers().size());
  const Currency& currency = st.tables.currency();
  for (size_t i = 0; i < sites.size(); ++i) {
    const Site& s = sites[i];
    const std::string field = "sites[" + std::to_string(i) + "]";
    if (s.code.empty()) return InvalidArgumentError("a site needs a code", field + ".code");
    for (size_t j = 0; j < i; ++j) {
      if (sites[j].code == s.code) {
        return InvalidArgumentError("duplicate site code '" + s.code + "'", field + ".code");
      }
    }
    const Money& h = s.handling_cost;
    if (h.currency().valid() ? !(h.currency() == currency) : h.minor_units() != 0) {
      return InvalidArgumentError(
          "site '" + s.code + "' handling cost is not in " + std::string(currency.code()),
          field + ".handling_cost");
    }
    if (h.minor_units() < 0) {
      return InvalidArgumentError("site '" + s.code + "' handling cost is negative",
                                  field + ".handling_cost");
    }
    if (s.cutoff_minutes < 0 || s.cutoff_minutes > 24 * 60) {
      return InvalidArgumentError("site '" + s.code + "' cutoff must be 0..1440 minutes",
                                  field + ".cutoff_minutes");
    }
    bool any = false;
    for (int c = 0; c < st.carriers; ++c) {
      const int zone = st.tables.OriginZone(c, s.country_code, s.postcode);
      st.origin_zone.push_back(zone);
      any = any || zone >= 0;
    }
    if (!any) {
      return InvalidArgumentError("site '" + s.code + "' (" + s.country_code + " " + s.postcode +
                                      ") is in no origin zone of any carrier",
                                  field + ".postcode");
    }
  }
  st.sites = std::move(sites);
  return std::shared_ptr<const Router>(new Router(std::move(data)));
}

Result<RoutePlan> Router::Plan(const RouteRequest& request) const {
  return Planner(data_->state, request).Run();
}

const std::vector<Site>& Router::sites() const { return data_->state.sites; }
const RateTables& Router::tables() const { return data_->state.tables; }

int Router::SiteIndex(std::string_view code) const {
  const auto& sites = data_->state.sites;
  for (size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].code == code) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace orderpilot::routing
