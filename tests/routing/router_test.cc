#include "routing/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

namespace orderpilot::routing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string DataFile(const std::string& name) {
  return std::string(OP_TEST_DATA_DIR) + "/routing/" + name;
}

Currency Usd() { return *Currency::Parse("USD"); }
Money Usd(std::string_view amount) { return *Money::Parse(amount, Usd()); }
TimeZone Zone(std::string_view name) { return *TimeZone::Load(name); }
Timestamp At(std::string_view rfc3339) { return *ParseTimestamp(rfc3339); }
int64_t Day(int y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d); }

RateTables Tables() {
  auto t = RateTables::Load({DataFile("acme.yaml"), DataFile("zip.yaml")});
  EXPECT_TRUE(t.ok()) << t.status().message();
  return std::move(t).value();
}

// Reno (west), Newark (east), Dallas (south): see tests/data/routing/acme.yaml.
std::vector<Site> Sites() {
  return {
      Site{"reno", "Reno DC", "US", "89502", Usd("1.00"), 14 * 60, Zone("America/Los_Angeles")},
      Site{"newark", "Newark DC", "US", "07114", Usd("1.50"), 16 * 60, Zone("America/New_York")},
      Site{"dallas", "Dallas DC", "US", "75261", Usd("0.50"), 15 * 60, Zone("America/Chicago")},
  };
}

std::shared_ptr<const Router> MakeRouter(std::vector<Site> sites = Sites(),
                                         RouterOptions options = {}) {
  auto r = Router::Create(Tables(), std::move(sites), options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : nullptr;
}

constexpr int kReno = 0, kNewark = 1, kDallas = 2;

// Wednesday 2025-03-05, 10:00 in Reno, 13:00 in Newark: before every cutoff.
constexpr std::string_view kWednesdayMorning = "2025-03-05T18:00:00Z";

RouteRequest Request(std::vector<RouteLine> lines, std::vector<Candidate> candidates,
                     std::string postcode = "89501") {
  RouteRequest r;
  r.lines = std::move(lines);
  r.candidates = std::move(candidates);
  r.destination_country = "US";
  r.destination_postcode = std::move(postcode);
  r.now = At(kWednesdayMorning);
  r.split_penalty = Usd("0.00");
  return r;
}

RoutePlan MustPlan(const Router& router, const RouteRequest& req) {
  auto p = router.Plan(req);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(p).value() : RoutePlan();
}

// One 800 g mug, in stock at Reno and Newark.
RouteRequest MugOrder(std::string postcode = "89501") {
  return Request({{"MUG", 1, 800, 0}}, {{kReno, {5}}, {kNewark, {5}}}, std::move(postcode));
}

std::string ServiceOf(const Shipment& s) { return s.service ? s.service->code : "(none)"; }

// --- Carrier and service choice ---------------------------------------------------------------

TEST(RouterTest, ChoosesCheapestServiceAcrossCarriers) {
  auto router = MakeRouter();
  RoutePlan p = MustPlan(*router, MugOrder());
  ASSERT_EQ(p.shipments.size(), 1u);
  const Shipment& s = p.shipments[0];
  EXPECT_EQ(s.site, kReno);
  EXPECT_EQ(ServiceOf(s), "zip-saver");  // 4.50 beats Acme Ground's 5.00
  EXPECT_EQ(s.shipping, Usd("4.50"));
  EXPECT_EQ(s.handling, Usd("1.00"));
  EXPECT_EQ(p.total, Usd("5.50"));
  EXPECT_THAT(s.lines, ElementsAre(Pair(0, 1)));
  EXPECT_TRUE(p.promise_met);
  EXPECT_TRUE(s.meets_promise);
  EXPECT_TRUE(p.exact);
  EXPECT_THAT(p.short_units, ElementsAre(0));
}

TEST(RouterTest, OvernightPromisePicksTheFastService) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.promise.speed = Speed::kOvernight;
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(ServiceOf(p.shipments[0]), "acme-overnight");
  EXPECT_EQ(p.total, Usd("31.00"));
  EXPECT_EQ(p.shipments[0].delivery_day, Day(2025, 3, 6));
  EXPECT_TRUE(p.promise_met);
}

TEST(RouterTest, ExpressPromiseSkipsSlowGround) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"MUG", 1, 800, 0}}, {{kReno, {1}}}, "10001");
  EXPECT_EQ(ServiceOf(MustPlan(*router, req).shipments.at(0)), "acme-ground");  // 5 days
  req.promise.speed = Speed::kExpress;
  RoutePlan p = MustPlan(*router, req);
  EXPECT_EQ(ServiceOf(p.shipments.at(0)), "acme-express");
  EXPECT_EQ(p.total, Usd("23.00"));
}

TEST(RouterTest, DatePromiseFiltersByDeliveryDay) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"MUG", 1, 800, 0}}, {{kReno, {1}}}, "10001");
  req.promise.deliver_by_day = Day(2025, 3, 7);  // Friday: two business days after Wednesday
  RoutePlan p = MustPlan(*router, req);
  EXPECT_EQ(ServiceOf(p.shipments.at(0)), "acme-express");
  EXPECT_EQ(p.shipments[0].delivery_day, Day(2025, 3, 7));
  EXPECT_TRUE(p.promise_met);
}

TEST(RouterTest, DimensionalWeightCountsForBulkyParcels) {
  auto router = MakeRouter();
  // 300 g but 40 000 cm³: 8 kg billable at Acme (5000 cm³/kg); Zip has no divisor but takes 1 kg.
  RouteRequest req = Request({{"PILLOW", 1, 300, 40000}}, {{kReno, {1}}}, "10001");
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].billable_grams, 8000);
  EXPECT_EQ(p.shipments[0].shipping, Usd("27.00"));  // zone 3, 10 kg bracket
}

// --- Ship day ----------------------------------------------------------------------------------

int64_t ShipDay(std::string_view now, int site = kReno) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"MUG", 1, 800, 0}}, {{site, {1}}});
  req.now = At(now);
  RoutePlan p = MustPlan(*router, req);
  EXPECT_EQ(p.shipments.size(), 1u);
  return p.shipments.empty() ? -1 : p.shipments[0].ship_day;
}

TEST(RouterTest, ShipsTodayBeforeTheCutoff) {
  EXPECT_EQ(ShipDay("2025-03-05T21:59:00Z"), Day(2025, 3, 5));  // 13:59 in Reno
}

TEST(RouterTest, ShipsNextBusinessDayAfterTheCutoff) {
  EXPECT_EQ(ShipDay("2025-03-05T22:00:00Z"), Day(2025, 3, 6));  // 14:00 in Reno
}

TEST(RouterTest, CutoffUsesTheSitesTimeZone) {
  // 21:30Z is 13:30 in Reno (cutoff 14:00) but 15:30 in Dallas (cutoff 15:00).
  EXPECT_EQ(ShipDay("2025-03-05T21:30:00Z", kReno), Day(2025, 3, 5));
  EXPECT_EQ(ShipDay("2025-03-05T21:30:00Z", kDallas), Day(2025, 3, 6));
  // Newark's cutoff is 16:00 New York time.
  EXPECT_EQ(ShipDay("2025-03-05T20:59:00Z", kNewark), Day(2025, 3, 5));
  EXPECT_EQ(ShipDay("2025-03-05T21:00:00Z", kNewark), Day(2025, 3, 6));
}

TEST(RouterTest, WeekendShiftsShipDayToMonday) {
  EXPECT_EQ(ShipDay("2025-03-08T18:00:00Z"), Day(2025, 3, 10));  // Saturday
  EXPECT_EQ(ShipDay("2025-03-09T18:00:00Z"), Day(2025, 3, 10));  // Sunday
  EXPECT_EQ(ShipDay("2025-03-07T23:00:00Z"), Day(2025, 3, 10));  // Friday after the cutoff
}

TEST(RouterTest, TransitSkipsWeekends) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"MUG", 1, 800, 0}}, {{kReno, {1}}}, "10001");
  req.now = At("2025-03-07T18:00:00Z");  // Friday morning in Reno
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].ship_day, Day(2025, 3, 7));
  EXPECT_EQ(p.shipments[0].delivery_day, Day(2025, 3, 14));  // ground: 5 business days
}

// --- Splitting ---------------------------------------------------------------------------------

// Line 0: a 9 kg anvil; line 1: a 0.5 kg bell. Reno holds only the anvil, Newark both. To Nevada
// Newark alone costs 27.00 + 1.50 = 28.50; anvil from Reno (9.00 + 1.00) and bell from Newark
// (9.00 + 1.50) cost 20.50 plus the penalty.
RouteRequest AnvilAndBell(std::string_view penalty) {
  RouteRequest req =
      Request({{"ANVIL", 1, 9000, 0}, {"BELL", 1, 500, 0}}, {{kReno, {1, 0}}, {kNewark, {1, 1}}});
  req.split_penalty = Usd(penalty);
  return req;
}

TEST(RouterTest, PrefersOneSiteWhenSplittingIsNotCheaper) {
  auto router = MakeRouter();
  RoutePlan p = MustPlan(*router, AnvilAndBell("10.00"));
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].site, kNewark);
  EXPECT_EQ(p.total, Usd("28.50"));
}

TEST(RouterTest, PrefersOneSiteWhenSplittingCostsTheSame) {
  auto router = MakeRouter();
  RoutePlan p = MustPlan(*router, AnvilAndBell("8.00"));  // 20.50 + 8.00 = 28.50
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.total, Usd("28.50"));
}

TEST(RouterTest, SplitsWhenCheaperByMoreThanThePenalty) {
  auto router = MakeRouter();
  RoutePlan p = MustPlan(*router, AnvilAndBell("5.00"));
  ASSERT_EQ(p.shipments.size(), 2u);
  EXPECT_EQ(p.shipments[0].site, kReno);
  EXPECT_THAT(p.shipments[0].lines, ElementsAre(Pair(0, 1)));
  EXPECT_EQ(p.shipments[1].site, kNewark);
  EXPECT_THAT(p.shipments[1].lines, ElementsAre(Pair(1, 1)));
  EXPECT_EQ(p.total, Usd("25.50"));
  EXPECT_EQ(p.summary,
            "split between Reno DC (Acme Ground) and Newark DC (Acme Ground) for $25.50; the "
            "best single location, Newark DC, was $28.50");
  ASSERT_EQ(p.alternatives.size(), 3u);
  EXPECT_EQ(p.alternatives[2].description, "split Reno DC + Newark DC");
  EXPECT_EQ(p.alternatives[2].total, Usd("25.50"));
}

TEST(RouterTest, SplitsWhenNoSiteHoldsEveryLine) {
  auto router = MakeRouter();
  RouteRequest req =
      Request({{"ANVIL", 1, 9000, 0}, {"BELL", 1, 500, 0}}, {{kReno, {1, 0}}, {kNewark, {0, 1}}});
  req.split_penalty = Usd("100.00");
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 2u);
  EXPECT_EQ(p.total, Usd("120.50"));
  EXPECT_EQ(p.summary,
            "split between Reno DC (Acme Ground) and Newark DC (Acme Ground) for $120.50; no "
            "single location could ship it all");
  EXPECT_EQ(p.alternatives[0].why_not, "lacks 1 × BELL");
  EXPECT_EQ(p.alternatives[1].why_not, "lacks 1 × ANVIL");
  EXPECT_FALSE(p.alternatives[0].total.has_value());
}

TEST(RouterTest, SplitsALineNoSiteHoldsInFull) {
  auto router = MakeRouter();
  // Five 1 kg plates: 3 at Reno, 3 at Newark, 1 at Dallas. Fewest pieces, largest stock first:
  // 3 from Reno (3 kg by Zip: 6.50 + 1.00) and 2 from Newark (zone 3: 10.00 + 1.50).
  RouteRequest req =
      Request({{"PLATE", 5, 1000, 0}}, {{kReno, {3}}, {kNewark, {3}}, {kDallas, {1}}});
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 2u);
  EXPECT_EQ(p.shipments[0].site, kReno);
  EXPECT_THAT(p.shipments[0].lines, ElementsAre(Pair(0, 3)));
  EXPECT_EQ(ServiceOf(p.shipments[0]), "zip-saver");
  EXPECT_EQ(p.shipments[1].site, kNewark);
  EXPECT_THAT(p.shipments[1].lines, ElementsAre(Pair(0, 2)));
  EXPECT_EQ(p.total, Usd("19.00"));
}

TEST(RouterTest, ShortLineLeavesNoShipments) {
  auto router = MakeRouter();
  RouteRequest req =
      Request({{"MUG", 1, 800, 0}, {"PLATE", 5, 1000, 0}}, {{kReno, {1, 2}}, {kNewark, {0, 2}}});
  RoutePlan p = MustPlan(*router, req);
  EXPECT_THAT(p.shipments, IsEmpty());
  EXPECT_THAT(p.short_units, ElementsAre(0, 1));
  EXPECT_FALSE(p.promise_met);
  ASSERT_EQ(p.alternatives.size(), 2u);
  EXPECT_EQ(p.alternatives[0].description, "Reno DC");
  EXPECT_EQ(p.alternatives[0].why_not, "lacks 3 × PLATE");
  EXPECT_EQ(p.alternatives[1].why_not, "lacks 1 × MUG, 3 × PLATE");
  EXPECT_EQ(p.summary, "cannot ship yet: no location has enough stock (short 1 × PLATE)");
}

TEST(RouterTest, NoServiceToTheDestinationLeavesNoShipments) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.destination_country = "CA";
  req.destination_postcode = "K1A 0B1";
  RoutePlan p = MustPlan(*router, req);
  EXPECT_THAT(p.shipments, IsEmpty());
  EXPECT_THAT(p.short_units, ElementsAre(0));
  EXPECT_EQ(p.alternatives.at(0).why_not, "no service from there reaches CA K1A 0B1");
  EXPECT_THAT(p.summary, HasSubstr("cannot ship: no carrier service can carry this order"));
}

TEST(RouterTest, TooHeavyForEveryService) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"SAFE", 1, 25000, 0}}, {{kReno, {1}}});
  RoutePlan p = MustPlan(*router, req);
  EXPECT_THAT(p.shipments, IsEmpty());
  EXPECT_EQ(p.alternatives.at(0).why_not, "too heavy for every service (25 kg)");
}

// --- Overrides -------------------------------------------------------------------------------

TEST(RouterTest, ForcedSiteIsHonoured) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.forced_site = "newark";
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].site, kNewark);
  EXPECT_EQ(p.total, Usd("10.50"));
  EXPECT_THAT(p.notes, Contains("route_to newark applied"));
  EXPECT_EQ(p.summary,
            "shipped from Newark DC (route_to) by Acme Ground for $10.50; Reno DC was "
            "$5.50");
}

TEST(RouterTest, ForcedSiteLackingStockIsIgnored) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"MUG", 2, 800, 0}}, {{kReno, {2}}, {kNewark, {1}}});
  req.forced_site = "newark";
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].site, kReno);
  EXPECT_THAT(p.notes, Contains("route_to newark ignored: lacks 1 × MUG"));
}

TEST(RouterTest, UnknownForcedSiteIsIgnored) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.forced_site = "paris";
  RoutePlan p = MustPlan(*router, req);
  EXPECT_EQ(p.shipments.at(0).site, kReno);
  EXPECT_THAT(p.notes, Contains("route_to paris ignored: no such location"));
}

TEST(RouterTest, ForcedServiceIsHonoured) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.forced_service = "acme-express";
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(ServiceOf(p.shipments[0]), "acme-express");
  EXPECT_EQ(p.total, Usd("16.00"));
  EXPECT_THAT(p.notes, Contains("choose_service acme-express applied"));
}

TEST(RouterTest, ForcedServiceThatCannotCarryTheOrderIsIgnored) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"ANVIL", 1, 9000, 0}}, {{kReno, {1}}});
  req.forced_service = "zip-saver";  // takes 3 kg at most
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(ServiceOf(p.shipments[0]), "acme-ground");
  EXPECT_THAT(p.notes,
              Contains("choose_service zip-saver ignored: it cannot carry this order to US 89501"));
}

TEST(RouterTest, UnknownForcedServiceIsIgnored) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.forced_service = "pony-express";
  RoutePlan p = MustPlan(*router, req);
  EXPECT_EQ(ServiceOf(p.shipments.at(0)), "zip-saver");
  EXPECT_THAT(p.notes, Contains("choose_service pony-express ignored: no such service"));
}

TEST(RouterTest, ForcedSiteWinsOverAForcedServiceItCannotUse) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.forced_site = "newark";
  req.forced_service = "zip-saver";  // Nevada only
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].site, kNewark);
  EXPECT_EQ(ServiceOf(p.shipments[0]), "acme-ground");
  EXPECT_THAT(p.notes, Contains("choose_service zip-saver ignored: it cannot carry this order to "
                                "US 89501 from Newark DC"));
  EXPECT_THAT(p.notes, Contains("route_to newark applied"));
}

TEST(RouterTest, ForcedServiceIsKeptEvenIfItMissesThePromise) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.promise.speed = Speed::kOvernight;
  req.forced_service = "acme-ground";
  RoutePlan p = MustPlan(*router, req);
  EXPECT_EQ(ServiceOf(p.shipments.at(0)), "acme-ground");
  EXPECT_FALSE(p.promise_met);
}

// --- Promise -----------------------------------------------------------------------------------

TEST(RouterTest, ImpossiblePromiseFallsBackToEarliestDelivery) {
  auto router = MakeRouter();
  RouteRequest req = MugOrder();
  req.promise.deliver_by_day = Day(2025, 3, 5);  // today: nothing arrives today
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_FALSE(p.promise_met);
  EXPECT_FALSE(p.shipments[0].meets_promise);
  EXPECT_EQ(ServiceOf(p.shipments[0]), "acme-overnight");
  EXPECT_EQ(p.shipments[0].delivery_day, Day(2025, 3, 6));
  EXPECT_THAT(p.notes, Contains("promise missed: no plan arrives by 2025-03-05; earliest delivery "
                                "2025-03-06"));
  EXPECT_THAT(p.summary, HasSubstr("; promise missed, earliest delivery 2025-03-06"));
}

TEST(RouterTest, FallbackTakesTheCheapestOfTheEarliest) {
  auto router = MakeRouter(Sites(), RouterOptions{5, 2, 0});  // "overnight" = same day: impossible
  RouteRequest req = Request({{"MUG", 1, 800, 0}}, {{kReno, {1}}, {kNewark, {1}}}, "10001");
  req.promise.speed = Speed::kOvernight;
  RoutePlan p = MustPlan(*router, req);
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].site, kNewark);  // overnight zone 1: 30.00 + 1.50 beats Reno's 51.00
  EXPECT_EQ(p.total, Usd("31.50"));
  EXPECT_FALSE(p.promise_met);
}

// --- Summary and alternatives ------------------------------------------------------------------

TEST(RouterTest, SummaryNamesChoiceRunnerUpAndSplit) {
  auto router = MakeRouter();
  RoutePlan p = MustPlan(*router, MugOrder());
  EXPECT_EQ(p.summary,
            "shipped from Reno DC by Zip Saver for $5.50; Newark DC was $10.50; splitting saved "
            "nothing");
  ASSERT_EQ(p.alternatives.size(), 2u);
  EXPECT_EQ(p.alternatives[0].description, "Reno DC by Zip Saver");
  EXPECT_EQ(p.alternatives[0].total, Usd("5.50"));
  EXPECT_EQ(p.alternatives[1].description, "Newark DC by Acme Ground");
  EXPECT_EQ(p.alternatives[1].total, Usd("10.50"));
}

TEST(RouterTest, SummaryWithOneCandidate) {
  auto router = MakeRouter();
  RoutePlan p = MustPlan(*router, Request({{"MUG", 1, 800, 0}}, {{kDallas, {1}}}, "75201"));
  EXPECT_EQ(p.summary, "shipped from Dallas DC by Acme Ground for $5.50");
}

TEST(RouterTest, AlternativeExplainsMissedPromise) {
  auto router = MakeRouter();
  RouteRequest req = Request({{"MUG", 1, 800, 0}}, {{kReno, {1}}, {kNewark, {1}}}, "10001");
  req.forced_service = "acme-ground";
  req.promise.speed = Speed::kExpress;
  RoutePlan p = MustPlan(*router, req);
  EXPECT_EQ(p.shipments.at(0).site, kNewark);  // 2 days in zone 1
  EXPECT_TRUE(p.promise_met);
  EXPECT_EQ(p.alternatives.at(0).why_not, "no service arrives within 2 business days (express)");
}

TEST(RouterTest, TiesGoToTheEarlierSite) {
  std::vector<Site> sites;
  for (int i = 0; i < 3; ++i) {
    sites.push_back(Site{"s" + std::to_string(i), "Site " + std::to_string(i), "US", "89101",
                         Usd("1.00"), 24 * 60, TimeZone::Utc()});
  }
  auto router = MakeRouter(sites);
  RoutePlan p = MustPlan(*router, Request({{"MUG", 1, 800, 0}}, {{2, {1}}, {1, {1}}}));
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].site, 1);
  EXPECT_EQ(p.alternatives.at(0).description, "Site 1 by Zip Saver");
}

// --- Heuristic ---------------------------------------------------------------------------------

std::vector<Site> ManySites(int n) {
  std::vector<Site> sites;
  for (int i = 0; i < n; ++i) {
    // Alternating Nevada and New Jersey, handling growing with the index.
    sites.push_back(Site{"s" + std::to_string(i), "Site " + std::to_string(i), "US",
                         i % 2 == 0 ? "89101" : "07114", Usd("1." + std::to_string(10 + i)),
                         24 * 60, TimeZone::Utc()});
  }
  return sites;
}

TEST(RouterTest, HeuristicAboveTheCandidateLimit) {
  auto router = MakeRouter(ManySites(kExactMaxOrigins + 1));
  std::vector<Candidate> cands;
  for (int i = kExactMaxOrigins; i >= 0; --i) cands.push_back({i, {2, 1}});
  RoutePlan p = MustPlan(*router, Request({{"MUG", 2, 800, 0}, {"BELL", 1, 500, 0}}, cands));
  EXPECT_FALSE(p.exact);
  EXPECT_THAT(p.notes, Contains(HasSubstr("heuristic used: 11 locations × 2 lines")));
  ASSERT_EQ(p.shipments.size(), 1u);
  EXPECT_EQ(p.shipments[0].site, 0);  // Nevada with the lowest handling
  EXPECT_EQ(p.total, Usd("7.60"));    // 2.1 kg by Zip (6.50) + 1.10
}

TEST(RouterTest, HeuristicAboveTheLineLimitStillShipsEverything) {
  auto router = MakeRouter();
  std::vector<RouteLine> lines;
  std::vector<int64_t> reno, newark;
  for (int i = 0; i <= kExactMaxLines; ++i) {
    lines.push_back({"SKU" + std::to_string(i), 1, 100, 0});
    reno.push_back(i % 2);
    newark.push_back(1 - i % 2);
  }
  RoutePlan p = MustPlan(*router, Request(lines, {{kReno, reno}, {kNewark, newark}}));
  EXPECT_FALSE(p.exact);
  ASSERT_EQ(p.shipments.size(), 2u);
  size_t units = 0;
  for (const Shipment& s : p.shipments) units += s.lines.size();
  EXPECT_EQ(units, lines.size());
}

// --- Exact search against brute force -----------------------------------------------------------

constexpr int64_t kNone = std::numeric_limits<int64_t>::max();

// Cheapest cost of one parcel at `site` by any service, or kNone.
int64_t ParcelCost(const Router& r, const Site& site, const RouteRequest& req, int64_t grams,
                   int64_t volume) {
  int64_t best = kNone;
  for (const Service& s : r.tables().services()) {
    auto q = r.tables().QuoteFor(s, site.country_code, site.postcode, req.destination_country,
                                 req.destination_postcode, grams, volume);
    if (q) best = std::min(best, q->price.minor_units());
  }
  return best == kNone ? kNone : best + site.handling_cost.minor_units();
}

// Tries every assignment of whole lines to candidates holding them.
int64_t BruteForce(const Router& r, const RouteRequest& req) {
  const size_t n = req.lines.size();
  std::vector<size_t> pick(n, 0);
  int64_t best = kNone;
  while (true) {
    bool valid = true;
    std::vector<int64_t> grams(req.candidates.size(), 0), volume(req.candidates.size(), 0);
    std::vector<bool> used(req.candidates.size(), false);
    for (size_t i = 0; i < n && valid; ++i) {
      const Candidate& c = req.candidates[pick[i]];
      if (c.available[i] < req.lines[i].quantity) valid = false;
      grams[pick[i]] += req.lines[i].quantity * req.lines[i].grams;
      volume[pick[i]] += req.lines[i].quantity * req.lines[i].volume_cm3;
      used[pick[i]] = true;
    }
    if (valid) {
      int64_t total = 0;
      int parcels = 0;
      for (size_t k = 0; k < req.candidates.size() && total != kNone; ++k) {
        if (!used[k]) continue;
        int64_t c = ParcelCost(r, r.sites()[req.candidates[k].site], req, grams[k], volume[k]);
        total = c == kNone ? kNone : total + c;
        ++parcels;
      }
      if (total != kNone) {
        total += (parcels - 1) * req.split_penalty.minor_units();
        best = std::min(best, total);
      }
    }
    size_t i = 0;
    while (i < n && ++pick[i] == req.candidates.size()) pick[i++] = 0;
    if (i == n) break;
  }
  return best;
}

TEST(RouterTest, ExactSearchMatchesBruteForce) {
  std::vector<Site> sites = Sites();
  sites.push_back(
      Site{"vegas", "Vegas DC", "US", "89101", Usd("0.75"), 24 * 60, Zone("America/Los_Angeles")});
  auto router = MakeRouter(sites, RouterOptions{10, 10, 10});  // every service meets the promise
  std::mt19937 rng(20250305);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* postcodes[] = {"89501", "10001", "60601", "75201", "94105", "30301"};
  int split_plans = 0, unroutable = 0;
  for (int round = 0; round < 300; ++round) {
    RouteRequest req;
    req.destination_country = "US";
    req.destination_postcode = postcodes[uniform(0, 5)];
    req.now = At(kWednesdayMorning);
    req.split_penalty = Money(uniform(0, 500), Usd());
    const int n_lines = uniform(1, 5);
    for (int i = 0; i < n_lines; ++i) {
      req.lines.push_back({"L" + std::to_string(i), uniform(1, 3), uniform(100, 6000),
                           uniform(0, 2) == 0 ? uniform(0, 30000) : 0});
    }
    std::vector<int> order = {0, 1, 2, 3};
    std::shuffle(order.begin(), order.end(), rng);
    const int n_cands = uniform(1, 4);
    for (int k = 0; k < n_cands; ++k) {
      Candidate c{order[k], {}};
      for (const RouteLine& l : req.lines) {
        c.available.push_back(uniform(0, 9) < 6 ? l.quantity + uniform(0, 2)
                                                : uniform(0, static_cast<int>(l.quantity) - 1));
      }
      req.candidates.push_back(c);
    }
    for (int i = 0; i < n_lines; ++i) {
      bool whole = false;
      for (const Candidate& c : req.candidates)
        whole = whole || c.available[i] >= req.lines[i].quantity;
      if (!whole) req.candidates[uniform(0, n_cands - 1)].available[i] = req.lines[i].quantity;
    }

    RoutePlan p = MustPlan(*router, req);
    const int64_t expected = BruteForce(*router, req);
    if (expected == kNone) {
      EXPECT_THAT(p.shipments, IsEmpty()) << "round " << round;
      ++unroutable;
      continue;
    }
    ASSERT_FALSE(p.shipments.empty()) << "round " << round;
    EXPECT_EQ(p.total.minor_units(), expected) << "round " << round << ": " << p.summary;
    EXPECT_TRUE(p.exact);
    if (p.shipments.size() > 1) ++split_plans;
    // The plan ships every unit from stock, at the prices the tables quote.
    std::vector<int64_t> shipped(n_lines, 0);
    int64_t sum = 0;
    for (const Shipment& s : p.shipments) {
      const Candidate* c = nullptr;
      for (const Candidate& x : req.candidates) c = x.site == s.site ? &x : c;
      ASSERT_NE(c, nullptr);
      int64_t grams = 0, volume = 0;
      for (auto [line, units] : s.lines) {
        EXPECT_LE(units, c->available[line]);
        shipped[line] += units;
        grams += units * req.lines[line].grams;
        volume += units * req.lines[line].volume_cm3;
      }
      const Site& site = router->sites()[s.site];
      auto q = router->tables().QuoteFor(*s.service, site.country_code, site.postcode, "US",
                                         req.destination_postcode, grams, volume);
      ASSERT_TRUE(q);
      EXPECT_EQ(q->price, s.shipping);
      EXPECT_EQ(q->billable_grams, s.billable_grams);
      sum += s.shipping.minor_units() + s.handling.minor_units();
    }
    for (int i = 0; i < n_lines; ++i) EXPECT_EQ(shipped[i], req.lines[i].quantity);
    sum += req.split_penalty.minor_units() * static_cast<int64_t>(p.shipments.size() - 1);
    EXPECT_EQ(sum, p.total.minor_units());
  }
  // The random cases exercise splits and single sites alike.
  EXPECT_GT(split_plans, 20);
  EXPECT_LT(unroutable, 100);
}

// --- Validation --------------------------------------------------------------------------------

TEST(RouterTest, RefusesMalformedRequests) {
  auto router = MakeRouter();
  auto code = [&](RouteRequest r) { return router->Plan(r).status().code(); };
  RouteRequest ok = MugOrder();
  ASSERT_TRUE(router->Plan(ok).ok());

  RouteRequest r = ok;
  r.lines.clear();
  for (Candidate& c : r.candidates) c.available.clear();
  EXPECT_EQ(code(r), StatusCode::kInvalidArgument);
  r = ok;
  r.lines[0].quantity = 0;
  EXPECT_EQ(router->Plan(r).status().field(), "lines[0].quantity");
  r = ok;
  r.candidates[1].available.push_back(1);
  EXPECT_EQ(router->Plan(r).status().field(), "candidates[1].available");
  r = ok;
  r.candidates[1].site = 7;
  EXPECT_EQ(router->Plan(r).status().field(), "candidates[1].site");
  r = ok;
  r.candidates[1].site = kReno;
  EXPECT_EQ(router->Plan(r).status().field(), "candidates[1].site");
  r = ok;
  r.split_penalty = *Money::Parse("1.00", *Currency::Parse("EUR"));
  EXPECT_EQ(router->Plan(r).status().field(), "split_penalty");
  r = ok;
  r.split_penalty = Usd("-1.00");
  EXPECT_EQ(code(r), StatusCode::kInvalidArgument);
  r = ok;
  r.split_penalty = Money();  // no currency, zero: no penalty
  EXPECT_TRUE(router->Plan(r).ok());
  r = ok;
  r.lines[0].grams = std::numeric_limits<int64_t>::max() / 2;
  r.lines[0].quantity = 4;
  EXPECT_EQ(code(r), StatusCode::kInvalidArgument);
}

TEST(RouterTest, CreateRefusesSiteOutsideEveryOriginZone) {
  std::vector<Site> sites = Sites();
  sites[1].postcode = "60601";
  auto r = Router::Create(Tables(), sites);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "site 'newark' (US 60601) is in no origin zone of any carrier");
}

TEST(RouterTest, CreateRefusesDuplicateSiteCodes) {
  std::vector<Site> sites = Sites();
  sites[2].code = "reno";
  auto r = Router::Create(Tables(), sites);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "duplicate site code 'reno'");
}

TEST(RouterTest, CreateRefusesHandlingInAnotherCurrency) {
  std::vector<Site> sites = Sites();
  sites[0].handling_cost = *Money::Parse("1.00", *Currency::Parse("EUR"));
  EXPECT_FALSE(Router::Create(Tables(), sites).ok());
}

TEST(RouterTest, SiteIndexFindsSitesByCode) {
  auto router = MakeRouter();
  EXPECT_EQ(router->SiteIndex("newark"), kNewark);
  EXPECT_EQ(router->SiteIndex("paris"), -1);
}

TEST(RouterTest, SpeedNamesRoundTrip) {
  for (Speed s : {Speed::kStandard, Speed::kExpress, Speed::kOvernight}) {
    EXPECT_EQ(ParseSpeed(SpeedName(s)), s);
  }
  EXPECT_EQ(SpeedName(Speed::kOvernight), "overnight");
  EXPECT_FALSE(ParseSpeed("ludicrous"));
}

}  // namespace
}  // namespace orderpilot::routing
