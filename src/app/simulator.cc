#include "app/simulator.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/json_writer.h"
#include "core/money.h"

namespace orderpilot::app {
namespace {

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, fully specified here so a seed gives the same orders everywhere
// (std::uniform_int_distribution is implementation-defined).

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t HashText(std::string_view s) {  // FNV-1a, mixed
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return Mix(h);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool PerMille(int n) { return Below(1000) < static_cast<uint64_t>(n); }
  // Uniform in [0, 1), from the top 53 bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1p-53; }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }
  std::string Hex(int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < digits; ++i) out.push_back(kHex[Below(16)]);
    return out;
  }
  // A version-4 UUID: 8-4-4-4-12 lowercase hex.
  std::string Uuid() {
    std::string h = Hex(32);
    h[12] = '4';
    h[16] = "89ab"[Below(4)];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20);
  }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// The shop's catalog. Prices are US dollars in cents; other currencies get a localized price
// (see LocalPrice). The gift card is digital: no shipping, not taxable, never discounted.

struct Product {
  std::string_view sku;
  std::string_view title;
  std::string_view variant_title;
  std::string_view vendor;
  int64_t usd_cents;
  int64_t grams;
  bool gift_card = false;
};

constexpr Product kCatalog[] = {
    {"NW-TEE-ORG-BLK-M", "Organic Cotton Tee", "M / Black", "Northwind Apparel", 2800, 180},
    {"NW-TEE-ORG-WHT-S", "Organic Cotton Tee", "S / White", "Northwind Apparel", 2800, 170},
    {"NW-TEE-ORG-NVY-L", "Organic Cotton Tee", "L / Navy", "Northwind Apparel", 2800, 190},
    {"NW-TEE-BRT-L", "Breton Stripe Long-Sleeve Tee", "L / Navy-Ecru", "Northwind Apparel", 4200,
     260},
    {"NW-HOOD-HTH-M", "Heavyweight Hoodie", "M / Heather Grey", "Northwind Apparel", 7800, 720},
    {"NW-HOOD-FOR-XL", "Heavyweight Hoodie", "XL / Forest", "Northwind Apparel", 7800, 780},
    {"NW-CREW-OAT-M", "Fleece Crewneck", "M / Oatmeal", "Northwind Apparel", 6400, 560},
    {"NW-JEAN-SLM-3232", "Slim Selvedge Jeans", "32 / 32", "Northwind Apparel", 12800, 850},
    {"NW-JEAN-RLX-3430", "Relaxed Jeans", "34 / 30", "Northwind Apparel", 11800, 880},
    {"NW-CHINO-KHK-32", "Everyday Chino", "32 / Khaki", "Northwind Apparel", 8800, 620},
    {"NW-JKT-CHORE-M", "Canvas Chore Jacket", "M / Ochre", "Northwind Apparel", 16800, 1150},
    {"NW-JKT-RAIN-L", "Packable Rain Shell", "L / Black", "Northwind Apparel", 14800, 420},
    {"NW-DRS-LIN-S", "Linen Midi Dress", "S / Sage", "Northwind Apparel", 11200, 390},
    {"NW-SHRT-OXF-M", "Oxford Shirt", "M / Blue", "Northwind Apparel", 6800, 300},
    {"NW-SOCK-MRN-3P-M", "Merino Socks 3-Pack", "M (EU 39-42)", "Northwind Apparel", 2400, 150},
    {"NW-SOCK-MRN-3P-L", "Merino Socks 3-Pack", "L (EU 43-46)", "Northwind Apparel", 2400, 160},
    {"NW-SHORT-RUN-M", "Running Shorts", "M / Charcoal", "Northwind Apparel", 4600, 140},
    {"NW-BNIE-RIB-RST", "Ribbed Beanie", "One Size / Rust", "Northwind Apparel", 2600, 90},
    {"NW-CAP-6P-NVY", "Six-Panel Cap", "Navy", "Northwind Goods", 3200, 110},
    {"NW-TOTE-CNV-NAT", "Canvas Tote Bag", "Natural", "Northwind Goods", 2200, 240},
    {"NW-BELT-LTH-BRN-90", "Leather Belt", "90 cm / Brown", "Northwind Goods", 5400, 210},
    {"NW-WLT-BFLD-BLK", "Bifold Wallet", "Black", "Northwind Goods", 6200, 95},
    {"NW-SUN-AVI-GLD", "Aviator Sunglasses", "Gold / Green", "Northwind Goods", 8900, 60},
    {"NW-SCARF-WOOL-GRY", "Lambswool Scarf", "Grey", "Northwind Goods", 5800, 180},
    {"NW-BTL-STL-750", "Steel Water Bottle", "750 ml / Slate", "Northwind Goods", 3400, 380},
    {"NW-BKPK-ROLL-OLV", "Roll-Top Backpack", "Olive", "Northwind Goods", 13800, 980},
    {"NW-WSTR-NATO-20", "NATO Watch Strap", "20 mm / Navy", "Northwind Goods", 2400, 25},
    {"NW-UMB-CMP-BLK", "Compact Umbrella", "Black", "Northwind Goods", 3800, 330},
    {"NW-GLV-LTH-M", "Leather Gloves", "M / Tan", "Northwind Goods", 6800, 150},
    {"NW-GC-DIGITAL", "Digital Gift Card", "", "Northwind", 5000, 0, true},
};
constexpr size_t kGiftCardIndex = std::size(kCatalog) - 1;

// ---------------------------------------------------------------------------------------------
// Countries. Zip patterns: '#' a digit, '@' a Canadian postcode letter, '%' a British inward-code
// letter; anything else literal. Tax rates are in parts per million.

struct TaxRate {
  std::string_view title;
  int64_t ppm = 0;
};

struct Region {
  std::string_view city;
  std::string_view province;       // empty → null (countries that do not use provinces)
  std::string_view province_code;  // ISO 3166-2 subdivision as Shopify gives it
  std::string_view zip_pattern;
  std::string_view phone_pattern;
  std::array<std::string_view, 3> streets;
  std::array<TaxRate, 2> taxes;  // empty titles are unused; on top of prices unless included
};

struct Name {
  std::string_view display;
  std::string_view ascii;  // for email addresses
};

struct Shipping {
  std::string_view title;
  int64_t price;  // minor units of the country's currency
};

struct Country {
  std::string_view code;
  std::string_view name;
  std::string_view currency;
  int exponent;
  bool taxes_included;
  int weight;  // share of orders, relative
  std::span<const Region> regions;
  std::span<const Name> first_names;
  std::span<const Name> last_names;
  bool number_after_street;  // "Torstraße 12" rather than "12 High Street"
  std::string_view address2_prefix;
  std::string_view locale;
  std::string_view accept_language;
  Shipping standard;
  Shipping express;
  int64_t free_shipping_from;  // standard shipping is free from this subtotal (minor units)
  // Local price = round_up(usd_cents × rate_num / rate_den, to `unit`) − `charm` (minor units).
  int64_t rate_num, rate_den, unit, charm;
  int64_t gift_card_price;
  std::span<const std::string_view> notes;
};

constexpr Region kUsRegions[] = {
    {"New York",
     "New York",
     "NY",
     "100##",
     "+1 212-555-01##",
     {"West 4th Street", "Bleecker Street", "Amsterdam Avenue"},
     {{{"NY State Tax", 40000}, {"New York City Tax", 48750}}}},
    {"Brooklyn",
     "New York",
     "NY",
     "112##",
     "+1 718-555-01##",
     {"Bedford Avenue", "Atlantic Avenue", "Court Street"},
     {{{"NY State Tax", 40000}, {"New York City Tax", 48750}}}},
    {"Los Angeles",
     "California",
     "CA",
     "900##",
     "+1 213-555-01##",
     {"Sunset Boulevard", "Melrose Avenue", "South Figueroa Street"},
     {{{"CA State Tax", 72500}, {"Los Angeles County Tax", 22500}}}},
    {"San Francisco",
     "California",
     "CA",
     "941##",
     "+1 415-555-01##",
     {"Valencia Street", "Divisadero Street", "Irving Street"},
     {{{"CA State Tax", 72500}, {"San Francisco County Tax", 13750}}}},
    {"Austin",
     "Texas",
     "TX",
     "787##",
     "+1 512-555-01##",
     {"South Congress Avenue", "East 6th Street", "Guadalupe Street"},
     {{{"TX State Tax", 62500}, {"Austin Municipal Tax", 20000}}}},
    {"Seattle",
     "Washington",
     "WA",
     "981##",
     "+1 206-555-01##",
     {"Pike Street", "Northwest Market Street", "Rainier Avenue South"},
     {{{"WA State Tax", 65000}, {"Seattle City Tax", 37500}}}},
    {"Chicago",
     "Illinois",
     "IL",
     "606##",
     "+1 312-555-01##",
     {"North Milwaukee Avenue", "West Armitage Avenue", "South Halsted Street"},
     {{{"IL State Tax", 62500}, {"Chicago City Tax", 12500}}}},
    {"Portland",
     "Oregon",
     "OR",
     "972##",
     "+1 503-555-01##",  // Oregon has no sales tax
     {"Southeast Hawthorne Boulevard", "Northwest 23rd Avenue", "North Mississippi Avenue"},
     {}},
};
constexpr Region kCaRegions[] = {
    {"Toronto",
     "Ontario",
     "ON",
     "M5V #@#",
     "+1 416-555-01##",
     {"Queen Street West", "Spadina Avenue", "King Street East"},
     {{{"HST", 130000}}}},
    {"Ottawa",
     "Ontario",
     "ON",
     "K1N #@#",
     "+1 613-555-01##",
     {"Bank Street", "Rideau Street", "Elgin Street"},
     {{{"HST", 130000}}}},
    {"Montréal",
     "Quebec",
     "QC",
     "H2X #@#",
     "+1 514-555-01##",
     {"Rue Saint-Denis", "Boulevard Saint-Laurent", "Avenue du Mont-Royal Est"},
     {{{"GST", 50000}, {"QST", 99750}}}},
    {"Vancouver",
     "British Columbia",
     "BC",
     "V6B #@#",
     "+1 604-555-01##",
     {"Granville Street", "Main Street", "Commercial Drive"},
     {{{"GST", 50000}, {"PST", 70000}}}},
    {"Calgary",
     "Alberta",
     "AB",
     "T2P #@#",
     "+1 403-555-01##",
     {"17 Avenue SW", "Stephen Avenue", "Kensington Road NW"},
     {{{"GST", 50000}}}},
};
constexpr Region kGbRegions[] = {
    {"London",
     "",
     "",
     "N1 #%%",
     "+44 20 7946 0###",
     {"Upper Street", "Essex Road", "Liverpool Road"},
     {{{"VAT", 200000}}}},
    {"London",
     "",
     "",
     "SE15 #%%",
     "+44 20 7946 0###",
     {"Rye Lane", "Bellenden Road", "Peckham High Street"},
     {{{"VAT", 200000}}}},
    {"Manchester",
     "",
     "",
     "M4 #%%",
     "+44 161 496 0###",
     {"Oldham Street", "Thomas Street", "Tib Street"},
     {{{"VAT", 200000}}}},
    {"Bristol",
     "",
     "",
     "BS8 #%%",
     "+44 117 496 0###",
     {"Whiteladies Road", "Park Street", "Gloucester Road"},
     {{{"VAT", 200000}}}},
    {"Edinburgh",
     "",
     "",
     "EH3 #%%",
     "+44 131 496 0###",
     {"Dundas Street", "Broughton Street", "Leith Walk"},
     {{{"VAT", 200000}}}},
};
constexpr Region kDeRegions[] = {
    {"Berlin",
     "",
     "",
     "10###",
     "+49 30 5558 ####",
     {"Kastanienallee", "Torstraße", "Oranienstraße"},
     {{{"MwSt", 190000}}}},
    {"München",
     "",
     "",
     "80###",
     "+49 89 5558 ####",
     {"Leopoldstraße", "Sendlinger Straße", "Schellingstraße"},
     {{{"MwSt", 190000}}}},
    {"Hamburg",
     "",
     "",
     "20###",
     "+49 40 5558 ####",
     {"Schanzenstraße", "Ottenser Hauptstraße", "Lange Reihe"},
     {{{"MwSt", 190000}}}},
    {"Köln",
     "",
     "",
     "50###",
     "+49 221 5558 ####",
     {"Ehrenstraße", "Venloer Straße", "Zülpicher Straße"},
     {{{"MwSt", 190000}}}},
    {"Frankfurt am Main",
     "",
     "",
     "60###",
     "+49 69 5558 ####",
     {"Berger Straße", "Schweizer Straße", "Leipziger Straße"},
     {{{"MwSt", 190000}}}},
};
constexpr Region kFrRegions[] = {
    {"Paris",
     "",
     "",
     "7501#",
     "+33 1 99 00 ## ##",
     {"rue de Bretagne", "rue Oberkampf", "boulevard Voltaire"},
     {{{"TVA", 200000}}}},
    {"Lyon",
     "",
     "",
     "6900#",
     "+33 4 99 00 ## ##",
     {"rue de la République", "cours Lafayette", "rue Mercière"},
     {{{"TVA", 200000}}}},
    {"Marseille",
     "",
     "",
     "1300#",
     "+33 4 99 00 ## ##",
     {"rue Paradis", "cours Julien", "boulevard Longchamp"},
     {{{"TVA", 200000}}}},
    {"Bordeaux",
     "",
     "",
     "33000",
     "+33 5 99 00 ## ##",
     {"rue Sainte-Catherine", "cours de l'Intendance", "rue Notre-Dame"},
     {{{"TVA", 200000}}}},
    {"Lille",
     "",
     "",
     "59000",
     "+33 3 99 00 ## ##",
     {"rue de Béthune", "rue Esquermoise", "boulevard de la Liberté"},
     {{{"TVA", 200000}}}},
};
constexpr Region kJpRegions[] = {
    {"Shibuya-ku",
     "Tokyo",
     "JP-13",
     "150-00##",
     "+81 3-5555-####",
     {"Jingumae", "Dogenzaka", "Ebisu-Minami"},
     {{{"Consumption Tax", 100000}}}},
    {"Setagaya-ku",
     "Tokyo",
     "JP-13",
     "154-00##",
     "+81 3-5555-####",
     {"Sangenjaya", "Kitazawa", "Shimouma"},
     {{{"Consumption Tax", 100000}}}},
    {"Osaka-shi Kita-ku",
     "Osaka",
     "JP-27",
     "530-00##",
     "+81 6-5555-####",
     {"Umeda", "Nakazakinishi", "Tenjinbashi"},
     {{{"Consumption Tax", 100000}}}},
    {"Kyoto-shi Nakagyo-ku",
     "Kyoto",
     "JP-26",
     "604-8###",
     "+81 75-555-####",
     {"Karasuma-dori", "Sanjo-dori", "Kawaramachi"},
     {{{"Consumption Tax", 100000}}}},
    {"Yokohama-shi Naka-ku",
     "Kanagawa",
     "JP-14",
     "231-00##",
     "+81 45-555-####",
     {"Motomachi", "Yamashita-cho", "Kaigandori"},
     {{{"Consumption Tax", 100000}}}},
};
constexpr Region kAuRegions[] = {
    {"Sydney",
     "New South Wales",
     "NSW",
     "20##",
     "+61 2 5550 ####",
     {"Crown Street", "King Street", "Oxford Street"},
     {{{"GST", 100000}}}},
    {"Melbourne",
     "Victoria",
     "VIC",
     "30##",
     "+61 3 5550 ####",
     {"Brunswick Street", "Smith Street", "Chapel Street"},
     {{{"GST", 100000}}}},
    {"Brisbane",
     "Queensland",
     "QLD",
     "40##",
     "+61 7 5550 ####",
     {"James Street", "Boundary Street", "Given Terrace"},
     {{{"GST", 100000}}}},
    {"Perth",
     "Western Australia",
     "WA",
     "600#",
     "+61 8 5550 ####",
     {"Beaufort Street", "Oxford Street", "Hay Street"},
     {{{"GST", 100000}}}},
    {"Adelaide",
     "South Australia",
     "SA",
     "50##",
     "+61 8 5550 ####",
     {"Rundle Street", "King William Road", "The Parade"},
     {{{"GST", 100000}}}},
};

constexpr Name kUsFirst[] = {{"James", "james"},    {"Olivia", "olivia"}, {"Michael", "michael"},
                             {"Emma", "emma"},      {"David", "david"},   {"Sophia", "sophia"},
                             {"Marcus", "marcus"},  {"Priya", "priya"},   {"Daniel", "daniel"},
                             {"Aaliyah", "aaliyah"}};
constexpr Name kUsLast[] = {{"Johnson", "johnson"},   {"Williams", "williams"},
                            {"Garcia", "garcia"},     {"Miller", "miller"},
                            {"Davis", "davis"},       {"Rodriguez", "rodriguez"},
                            {"Chen", "chen"},         {"Patel", "patel"},
                            {"Thompson", "thompson"}, {"Nguyen", "nguyen"}};
constexpr Name kCaFirst[] = {{"Liam", "liam"},   {"Chloé", "chloe"},     {"Noah", "noah"},
                             {"Emily", "emily"}, {"Mathieu", "mathieu"}, {"Sarah", "sarah"},
                             {"Ethan", "ethan"}, {"Léa", "lea"},         {"Owen", "owen"},
                             {"Maya", "maya"}};
constexpr Name kCaLast[] = {{"Tremblay", "tremblay"}, {"Roy", "roy"},
                            {"Gagnon", "gagnon"},     {"MacDonald", "macdonald"},
                            {"Wilson", "wilson"},     {"Côté", "cote"},
                            {"Campbell", "campbell"}, {"Singh", "singh"},
                            {"Bouchard", "bouchard"}, {"Lee", "lee"}};
constexpr Name kGbFirst[] = {{"Oliver", "oliver"},  {"Amelia", "amelia"}, {"Harry", "harry"},
                             {"Isla", "isla"},      {"George", "george"}, {"Poppy", "poppy"},
                             {"Jack", "jack"},      {"Freya", "freya"},   {"Arjun", "arjun"},
                             {"Siobhan", "siobhan"}};
constexpr Name kGbLast[] = {{"Smith", "smith"},   {"Jones", "jones"}, {"Taylor", "taylor"},
                            {"Brown", "brown"},   {"Evans", "evans"}, {"Walker", "walker"},
                            {"Hughes", "hughes"}, {"Khan", "khan"},   {"Wright", "wright"},
                            {"O'Brien", "obrien"}};
constexpr Name kDeFirst[] = {{"Lukas", "lukas"},    {"Mia", "mia"},       {"Jonas", "jonas"},
                             {"Hannah", "hannah"},  {"Felix", "felix"},   {"Lena", "lena"},
                             {"Jürgen", "juergen"}, {"Sophie", "sophie"}, {"Maximilian", "max"},
                             {"Anna", "anna"}};
constexpr Name kDeLast[] = {{"Müller", "mueller"},      {"Schmidt", "schmidt"},
                            {"Schneider", "schneider"}, {"Fischer", "fischer"},
                            {"Weber", "weber"},         {"Becker", "becker"},
                            {"Hoffmann", "hoffmann"},   {"Schäfer", "schaefer"},
                            {"Koch", "koch"},           {"Yılmaz", "yilmaz"}};
constexpr Name kFrFirst[] = {{"Louis", "louis"}, {"Chloé", "chloe"},     {"Hugo", "hugo"},
                             {"Léa", "lea"},     {"Gabriel", "gabriel"}, {"Manon", "manon"},
                             {"Jules", "jules"}, {"Camille", "camille"}, {"Théo", "theo"},
                             {"Inès", "ines"}};
constexpr Name kFrLast[] = {{"Martin", "martin"}, {"Bernard", "bernard"}, {"Dubois", "dubois"},
                            {"Thomas", "thomas"}, {"Robert", "robert"},   {"Richard", "richard"},
                            {"Petit", "petit"},   {"Durand", "durand"},   {"Lefèvre", "lefevre"},
                            {"Moreau", "moreau"}};
constexpr Name kJpFirst[] = {{"Haruto", "haruto"}, {"Yui", "yui"},       {"Sota", "sota"},
                             {"Hina", "hina"},     {"Ren", "ren"},       {"Aoi", "aoi"},
                             {"Yuto", "yuto"},     {"Sakura", "sakura"}, {"Kenji", "kenji"},
                             {"Mei", "mei"}};
constexpr Name kJpLast[] = {{"Sato", "sato"},           {"Suzuki", "suzuki"},
                            {"Takahashi", "takahashi"}, {"Tanaka", "tanaka"},
                            {"Watanabe", "watanabe"},   {"Ito", "ito"},
                            {"Yamamoto", "yamamoto"},   {"Nakamura", "nakamura"},
                            {"Kobayashi", "kobayashi"}, {"Kato", "kato"}};
constexpr Name kAuFirst[] = {{"Jack", "jack"},       {"Charlotte", "charlotte"},
                             {"William", "william"}, {"Mia", "mia"},
                             {"Lachlan", "lachlan"}, {"Olivia", "olivia"},
                             {"Cooper", "cooper"},   {"Matilda", "matilda"},
                             {"Thomas", "thomas"},   {"Chloe", "chloe"}};
constexpr Name kAuLast[] = {{"Smith", "smith"},      {"Jones", "jones"},   {"Williams", "williams"},
                            {"Brown", "brown"},      {"Wilson", "wilson"}, {"Taylor", "taylor"},
                            {"Nguyen", "nguyen"},    {"Kelly", "kelly"},   {"Mitchell", "mitchell"},
                            {"Anderson", "anderson"}};

constexpr std::string_view kEnNotes[] = {
    "Please leave the parcel with the concierge.",
    "It's a gift - please don't include prices on the packing slip.",
    "Ring twice, the doorbell is quiet.",
    "Can this ship before Friday? Thank you!",
};
constexpr std::string_view kFrCaNotes[] = {
    "Merci de laisser le colis à la réception.",
    "C'est un cadeau, merci de ne pas inclure la facture.",
};
constexpr std::string_view kDeNotes[] = {
    "Bitte beim Nachbarn abgeben, falls niemand da ist.",
    "Ist ein Geschenk - bitte ohne Rechnung im Paket.",
};
constexpr std::string_view kFrNotes[] = {
    "Merci de laisser le colis au gardien.",
    "Digicode 4821B, 3e étage gauche.",
};
constexpr std::string_view kJpNotes[] = {
    "午前中の配達を希望します。",
    "ギフト包装をお願いします。",
};

constexpr Country kCountries[] = {
    {"US",
     "United States",
     "USD",
     2,
     false,
     34,
     kUsRegions,
     kUsFirst,
     kUsLast,
     false,
     "Apt ",
     "en-US",
     "en-US,en;q=0.9",
     {"USPS Ground Advantage", 695},
     {"UPS 2nd Day Air", 1995},
     7500,
     100,
     100,
     100,
     1,
     5000,
     kEnNotes},
    {"CA",
     "Canada",
     "CAD",
     2,
     false,
     14,
     kCaRegions,
     kCaFirst,
     kCaLast,
     false,
     "Unit ",
     "en-CA",
     "en-CA,en;q=0.9,fr-CA;q=0.8",
     {"Canada Post Expedited Parcel", 995},
     {"Canada Post Xpresspost", 2495},
     10000,
     135,
     100,
     100,
     1,
     5000,
     kEnNotes},
    {"GB",
     "United Kingdom",
     "GBP",
     2,
     true,
     14,
     kGbRegions,
     kGbFirst,
     kGbLast,
     false,
     "Flat ",
     "en-GB",
     "en-GB,en;q=0.9",
     {"Royal Mail Tracked 48", 395},
     {"DPD Next Day", 995},
     5000,
     80,
     100,
     100,
     1,
     4000,
     kEnNotes},
    {"DE",
     "Germany",
     "EUR",
     2,
     true,
     12,
     kDeRegions,
     kDeFirst,
     kDeLast,
     true,
     "Hinterhaus, ",
     "de",
     "de-DE,de;q=0.9,en;q=0.8",
     {"DHL Paket", 490},
     {"DHL Express", 1490},
     6000,
     93,
     100,
     100,
     5,
     5000,
     kDeNotes},
    {"FR",
     "France",
     "EUR",
     2,
     true,
     10,
     kFrRegions,
     kFrFirst,
     kFrLast,
     false,
     "Bâtiment ",
     "fr",
     "fr-FR,fr;q=0.9,en;q=0.7",
     {"Colissimo", 490},
     {"Chronopost", 1490},
     6000,
     93,
     100,
     100,
     5,
     5000,
     kFrNotes},
    {"JP",
     "Japan",
     "JPY",
     0,
     true,
     8,
     kJpRegions,
     kJpFirst,
     kJpLast,
     false,
     "Room ",
     "ja",
     "ja-JP,ja;q=0.9,en;q=0.6",
     {"Yamato Transport TA-Q-BIN", 700},
     {"Sagawa Express Hikyaku", 1500},
     10000,
     150,
     100,
     100,
     0,
     5000,
     kJpNotes},
    {"AU",
     "Australia",
     "AUD",
     2,
     true,
     8,
     kAuRegions,
     kAuFirst,
     kAuLast,
     false,
     "Unit ",
     "en-AU",
     "en-AU,en;q=0.9",
     {"Australia Post Parcel Post", 995},
     {"Australia Post Express Post", 1995},
     10000,
     155,
     100,
     100,
     5,
     7500,
     kEnNotes},
};

constexpr std::string_view kUserAgents[] = {
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
};

struct Card {
  std::string_view company;
  std::string_view bin;
  std::string_view last4;
};
constexpr Card kCards[] = {
    {"Visa", "424242", "4242"},
    {"Visa", "400005", "5556"},
    {"Mastercard", "555555", "4444"},
    {"Mastercard", "520082", "8210"},
    {"American Express", "378282", "0005"},
};

struct DiscountCode {
  std::string_view code;
  int64_t percent;
};
constexpr DiscountCode kDiscountCodes[] = {
    {"WELCOME10", 10}, {"SPRING15", 15}, {"VIP20", 20}, {"NEWSLETTER5", 5}};

constexpr std::string_view kOrderTags[] = {
    "newsletter", "instagram", "gift", "first-order", "preorder", "wholesale-inquiry", "tiktok"};

struct Referral {
  std::string_view landing_site;
  std::string_view referring_site;  // empty → null
  std::string_view source;          // note attribute "how_did_you_hear"
};
constexpr Referral kReferrals[] = {
    {"/", "", "Word of mouth"},
    {"/products/heavyweight-hoodie", "https://www.google.com/", "Google"},
    {"/collections/new?utm_source=instagram&utm_medium=social", "https://l.instagram.com/",
     "Instagram"},
    {"/?utm_source=newsletter&utm_campaign=spring", "", "Newsletter"},
    {"/collections/accessories", "https://www.bing.com/", "Search"},
};

// Shopify timestamps are in the shop's zone; the demo shop is in New York (UTC−05:00).
constexpr int64_t kShopUtcOffsetSeconds = -5 * 3600;
constexpr int64_t kFirstOrderUnixSeconds = 1768226400;  // 2026-01-12T14:00:00Z

std::string FormatShopTime(int64_t unix_seconds) {
  int64_t local = unix_seconds + kShopUtcOffsetSeconds;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  // Civil-from-days (H. Hinnant).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[96];  // room for any int64 fields, to keep -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld%c%02lld:%02lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), kShopUtcOffsetSeconds < 0 ? '-' : '+',
                static_cast<long long>(std::abs(kShopUtcOffsetSeconds) / 3600),
                static_cast<long long>(std::abs(kShopUtcOffsetSeconds) / 60 % 60));
  return buf;
}

// Rounds num/den half up. REQUIRES: num >= 0, den > 0.
int64_t DivRound(int64_t num, int64_t den) { return (2 * num + den) / (2 * den); }

// Tax on `amount`: added on top (rate), or the part of a tax-inclusive amount that is tax.
int64_t TaxOn(int64_t amount, int64_t ppm, bool included) {
  __int128 n = static_cast<__int128>(amount) * ppm;
  __int128 d = included ? 1000000 + ppm : 1000000;
  return static_cast<int64_t>((2 * n + d) / (2 * d));
}

// "0.04875" from 48750 ppm: a JSON number written from integers, never through a double.
std::string RateText(int64_t ppm) {
  std::string frac = std::to_string(1000000 + ppm % 1000000).substr(1);
  while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
  return std::to_string(ppm / 1000000) + "." + frac;
}

int64_t LocalPrice(const Country& c, const Product& p) {
  if (p.gift_card) return c.gift_card_price;
  int64_t converted = p.usd_cents * c.rate_num / c.rate_den;
  int64_t rounded = (converted + c.unit - 1) / c.unit * c.unit;
  return rounded - c.charm;
}

std::string FillPattern(Rng& rng, std::string_view pattern) {
  static constexpr std::string_view kCaLetters = "ABCEGHJKLMNPRSTVWXYZ";
  static constexpr std::string_view kGbLetters = "ABDEFGHJLNPQRSTUWXYZ";
  std::string out;
  for (char ch : pattern) {
    if (ch == '#') {
      out.push_back(static_cast<char>('0' + rng.Below(10)));
    } else if (ch == '@') {
      out.push_back(kCaLetters[rng.Below(kCaLetters.size())]);
    } else if (ch == '%') {
      out.push_back(kGbLetters[rng.Below(kGbLetters.size())]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Freight forwarders: US warehouses that receive parcels for customers abroad under a suite or
// box number ('#' a digit). US sales tax applies as at any US address (none in Oregon and
// Delaware, which is why forwarders like them).

struct Forwarder {
  Region region;
  std::string_view address1;
};
constexpr Forwarder kForwarders[] = {
    {{"Doral",
      "Florida",
      "FL",
      "33166",
      "",
      {},
      {{{"FL State Tax", 60000}, {"Miami-Dade County Tax", 10000}}}},
     "Suite #####, 8400 NW 25th St"},
    {{"Portland", "Oregon", "OR", "97220", "", {}, {}}, "Reship Box #####, 12225 NE Airport Way"},
    {{"New Castle", "Delaware", "DE", "19720", "", {}, {}},
     "c/o Parcel Forwarding #####, 700 Cornell Dr"},
};
constexpr ForwarderWarehouse kForwarderWarehouses[] = {
    {"US", "33166", "8400 NW 25th St"},
    {"US", "97220", "12225 NE Airport Way"},
    {"US", "19720", "700 Cornell Dr"},
};
static_assert(std::size(kForwarders) == std::size(kForwarderWarehouses));
static_assert(kCountries[0].code == "US", "forwarders are in the first country");

// ---------------------------------------------------------------------------------------------
// Fraud incidents by pattern, per 1000 incidents (synthetic: the rest). A card-testing incident
// is a burst of kBurstMin–kBurstMax orders, every other incident one order.

constexpr int kCardTestingPerMille = 120;
constexpr int kTakeoverPerMille = 300;
constexpr int kReshipperPerMille = 280;
constexpr int kBurstMin = 3, kBurstMax = 8;

// The probability that a call outside a burst starts a fraud incident, so that `fraud_rate` of
// all orders are fraudulent: with e orders per incident on average and start probability p, the
// share of fraudulent orders is pe / (pe + 1 − p); solved for p.
double IncidentProbability(double fraud_rate) {
  if (!(fraud_rate > 0)) return 0;  // also NaN
  const double f = std::min(fraud_rate, 1.0);
  const double e =
      (kCardTestingPerMille * (kBurstMin + kBurstMax) / 2.0 + (1000 - kCardTestingPerMille)) /
      1000.0;
  return f / (e * (1 - f) + f);
}

constexpr std::string_view kEmailDomains[] = {"example.com", "example.net", "example.org"};

// An address in the documentation ranges (RFC 5737, RFC 3849).
std::string RandomIp(Rng& rng) {
  if (rng.PerMille(900))
    return std::string(rng.Pick({"192.0.2.", "198.51.100.", "203.0.113."})) +
           std::to_string(rng.Between(1, 254));
  return "2001:db8:" + rng.Hex(4) + "::" + rng.Hex(4);
}

// An email local part that looks generated ("xk7qz9v2pl"): 8–12 consonants and digits with the
// odd vowel, a letter first and last and a digit third.
std::string RandomLocalPart(Rng& rng) {
  static constexpr std::string_view kLetters = "bcdfghjklmnpqrstvwxzbcdfghjkmnpqrstvwxzaeiou";
  const int64_t n = rng.Between(8, 12);
  std::string out;
  for (int64_t i = 0; i < n; ++i) {
    bool digit = i == 2 || (i > 0 && i < n - 1 && rng.PerMille(300));
    out.push_back(digit ? static_cast<char>('0' + rng.Below(10))
                        : kLetters[rng.Below(kLetters.size())]);
  }
  return out;
}

// A random catalog product (never the gift card) priced within [lo, hi] US cents.
// REQUIRES: some product is.
size_t PickProduct(Rng& rng, int64_t lo, int64_t hi) {
  for (;;) {
    size_t idx = rng.Below(kGiftCardIndex);
    if (kCatalog[idx].usd_cents >= lo && kCatalog[idx].usd_cents <= hi) return idx;
  }
}

// Sets randomly chosen flags until at least two are set: a fraudulent order always shows two of
// its pattern's tells.
void AtLeastTwo(Rng& rng, std::initializer_list<bool*> flags) {
  auto set = [&] {
    int n = 0;
    for (bool* f : flags) n += *f ? 1 : 0;
    return n;
  };
  while (set() < 2) *flags.begin()[rng.Below(flags.size())] = true;
}

// ---------------------------------------------------------------------------------------------
// One order being generated.

struct Address {
  std::string first_name, last_name, address1, address2, city, province, province_code, zip, phone;
  const Country* country = nullptr;
  const Region* region = nullptr;  // decides the tax rates
  uint64_t id = 0;
};

struct Customer {
  uint64_t id = 0;
  const Country* country = nullptr;
  std::string first_name, last_name, email, phone;
  Address address;
  int64_t created_at = 0;
  int64_t orders_count = 0;
  bool accepts_marketing = false;
  std::string session_hash;  // the device they usually order from
  std::string_view user_agent;
  std::string ip;  // their usual IP
};

struct Line {
  const Product* product = nullptr;
  uint64_t id = 0;
  int64_t quantity = 0;
  int64_t price = 0;     // per unit, minor units
  int64_t discount = 0;  // allocated to the line (all units)
  std::vector<std::pair<const TaxRate*, int64_t>> taxes;
};

struct Totals {
  int64_t line_items = 0, discounts = 0, shipping = 0, tax = 0, total = 0, weight = 0;
};

// Which lines an order buys.
enum class LineMix {
  kUsual,       // 1–5 distinct products, mostly single units
  kCheap,       // one unit of a product of at most $34, or the gift card
  kExpensive,   // 2–4 distinct products of $88 or more, one or two units each
  kTeamBulk,    // 4–10 units of one garment of at most $28, sometimes with a usual line
  kResaleBulk,  // 4–12 units of one product of $54 or more, sometimes with a usual line
};

// What the pattern of an order (or a good order's oddity) decides before the order is written;
// the rest follows the shop's usual distributions.
struct OrderPlan {
  std::string_view fraud_pattern;  // empty: a good order
  Customer customer;               // a copy of the account placing the order
  Address ship_to;  // its country is the market: currency, prices, taxes, shipping rates
  Address billing;
  LineMix lines = LineMix::kUsual;
  bool express = false;    // when something ships
  bool must_ship = false;  // the pattern's tells need a shipping address: no digital-only order
  std::string ip, session_hash;
  std::string_view user_agent, accept_language;
  std::string_view avs, cvv;  // result codes; empty: the usual distribution
};

// The rest of a card-testing burst under way; its orders come on the next calls.
struct CardTestingBurst {
  int remaining = 0;
  const Country* country = nullptr;
  std::string session_hash, ip;
  std::string_view user_agent;
  std::optional<Address> drop;  // one shipping address for the whole burst, or none
};

}  // namespace

struct OrderSimulator::State {
  Rng rng;
  std::string shop_domain;
  double incident_probability;  // per call outside a burst
  uint64_t next_order_id;
  uint64_t next_object_id;  // line items, shipping lines, addresses
  uint64_t next_customer_id;
  int64_t order_number = 1001;
  int64_t clock = kFirstOrderUnixSeconds;
  std::vector<Customer> customers;  // returning customers, oldest evicted first
  CardTestingBurst burst;
  uint64_t last_customer_id = 0;  // of the last good order, for a follow-up order
  std::string last_ip;

  State(uint64_t seed, std::string domain, double fraud_rate)
      : rng(Mix(seed ^ 0x6f726465727069ULL)),
        shop_domain(std::move(domain)),
        incident_probability(IncidentProbability(fraud_rate)),
        next_order_id(5500000000000000000ULL + Mix(seed) % 50000000000000000ULL),
        next_object_id(6100000000000000000ULL + Mix(seed + 1) % 50000000000000000ULL),
        next_customer_id(7300000000000000000ULL + Mix(seed + 2) % 50000000000000000ULL) {}

  uint64_t ObjectId() { return next_object_id += static_cast<uint64_t>(rng.Between(1, 4096)); }

  const Country& PickCountry() {
    int total = 0;
    for (const Country& c : kCountries) total += c.weight;
    int64_t roll = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(total)));
    for (const Country& c : kCountries) {
      if (roll < c.weight) return c;
      roll -= c.weight;
    }
    return kCountries[0];
  }

  // A country other than `home`, by the usual weights.
  const Country& OtherCountry(const Country& home) {
    for (;;) {
      const Country& c = PickCountry();
      if (&c != &home) return c;
    }
  }

  // A first and last name from `country`, with a last name other than `avoid_last`.
  std::pair<std::string, std::string> RandomName(const Country& country,
                                                 std::string_view avoid_last) {
    const Name& first = rng.Pick(country.first_names);
    for (;;) {
      const Name& last = rng.Pick(country.last_names);
      if (last.display != avoid_last)
        return {std::string(first.display), std::string(last.display)};
    }
  }

  Address MakeAddress(const Country& c, std::string first, std::string last) {
    Address a;
    a.country = &c;
    a.id = ObjectId();
    a.first_name = std::move(first);
    a.last_name = std::move(last);
    const Region& r = rng.Pick(c.regions);
    a.region = &r;
    std::string_view street = rng.Pick(std::span<const std::string_view>(r.streets));
    if (c.code == "JP") {
      a.address1 = std::to_string(rng.Between(1, 4)) + "-" + std::to_string(rng.Between(1, 30)) +
                   "-" + std::to_string(rng.Between(1, 20)) + " " + std::string(street);
    } else if (c.number_after_street) {
      a.address1 = std::string(street) + " " + std::to_string(rng.Between(1, 180));
    } else {
      a.address1 =
          std::to_string(rng.Between(1, c.code == "US" ? 2999 : 240)) + " " + std::string(street);
    }
    if (rng.PerMille(200))
      a.address2 = std::string(c.address2_prefix) + std::to_string(rng.Between(1, 40)) +
                   (c.code == "US" ? std::string(1, "ABCD"[rng.Below(4)]) : "");
    a.city = std::string(r.city);
    a.province = std::string(r.province);
    a.province_code = std::string(r.province_code);
    a.zip = FillPattern(rng, r.zip_pattern);
    a.phone = FillPattern(rng, r.phone_pattern);
    return a;
  }

  // `c`'s suite at a US freight forwarder.
  Address ForwarderAddress(const Customer& c) {
    const Forwarder& f = rng.Pick(kForwarders);
    Address a;
    a.country = &kCountries[0];
    a.region = &f.region;
    a.id = ObjectId();
    a.first_name = c.first_name;
    a.last_name = c.last_name;
    a.address1 = FillPattern(rng, f.address1);
    a.city = std::string(f.region.city);
    a.province = std::string(f.region.province);
    a.province_code = std::string(f.region.province_code);
    a.zip = std::string(f.region.zip_pattern);
    a.phone = c.phone;
    return a;
  }

  // A new account in `country`: a third signed up minutes before ordering, the rest long ago.
  Customer MakeCustomer(const Country& country, int64_t now) {
    const Name& first = rng.Pick(country.first_names);
    const Name& last = rng.Pick(country.last_names);
    Customer c;
    c.id = next_customer_id += static_cast<uint64_t>(rng.Between(1, 4096));
    c.country = &country;
    c.first_name = std::string(first.display);
    c.last_name = std::string(last.display);
    static constexpr std::string_view kSeparators[] = {".", "", "_", "."};
    c.email = std::string(first.ascii) + std::string(rng.Pick(kSeparators)) +
              std::string(last.ascii) +
              (rng.PerMille(400) ? std::to_string(rng.Between(1, 99)) : "") + "@" +
              std::string(rng.Pick(kEmailDomains));
    c.address = MakeAddress(country, c.first_name, c.last_name);
    c.phone = c.address.phone;
    c.created_at = rng.PerMille(350) ? now - rng.Between(60, 1800)             // signed up now
                                     : now - rng.Between(86400, 400 * 86400);  // long ago
    c.orders_count = 1;
    c.accepts_marketing = rng.PerMille(450);
    c.session_hash = rng.Hex(32);
    c.user_agent = rng.Pick(kUserAgents);
    c.ip = RandomIp(rng);
    return c;
  }

  // A returning customer (a quarter of orders once there are some) or a new one.
  Customer& PickCustomer(int64_t now) {
    if (customers.size() >= 8 && rng.PerMille(250)) {
      Customer& c = customers[rng.Below(customers.size())];
      ++c.orders_count;
      if (rng.PerMille(150)) {  // a new phone or laptop
        c.session_hash = rng.Hex(32);
        c.user_agent = rng.Pick(kUserAgents);
      }
      return c;
    }
    Customer c = MakeCustomer(PickCountry(), now);
    if (rng.PerMille(15))
      c.email = RandomLocalPart(rng) + "@" + std::string(rng.Pick(kEmailDomains));
    if (customers.size() >= 500) customers.erase(customers.begin());
    customers.push_back(std::move(c));
    return customers.back();
  }

  Customer* FindCustomer(uint64_t id) {
    for (auto it = customers.rbegin(); it != customers.rend(); ++it)
      if (it->id == id) return &*it;
    return nullptr;
  }

  // A good order. With `oddities`, about one in fourteen carries one innocent tell on top of the
  // usual new accounts, express shipping and second billing addresses: a follow-up order minutes
  // after the last one from the same device and IP, a gift to another name at home or abroad, a
  // team order of many units, an expat shipping to a US forwarder.
  OrderPlan GoodOrder(int64_t now, bool oddities) {
    OrderPlan p;
    if (Customer* again = oddities && rng.PerMille(12) ? FindCustomer(last_customer_id) : nullptr) {
      ++again->orders_count;
      p.customer = *again;
      p.ship_to = p.billing = again->address;
      p.express = rng.PerMille(220);
      p.session_hash = again->session_hash;
      p.user_agent = again->user_agent;
      p.accept_language = again->country->accept_language;
      p.ip = last_ip;
      return p;
    }
    p.customer = PickCustomer(now);
    const Customer& c = p.customer;
    last_customer_id = c.id;
    p.ship_to = c.address;
    p.billing = rng.PerMille(850) ? c.address : MakeAddress(*c.country, c.first_name, c.last_name);
    p.express = rng.PerMille(220);
    p.session_hash = c.session_hash;
    p.user_agent = c.user_agent;
    p.accept_language = c.country->accept_language;
    p.ip = last_ip = rng.PerMille(700) ? c.ip : RandomIp(rng);
    if (!oddities) return p;
    const uint64_t roll = rng.Below(1000);
    if (roll < 15) {
      const Country& there = OtherCountry(*c.country);
      auto [first, last] = RandomName(there, c.last_name);
      p.ship_to = MakeAddress(there, std::move(first), std::move(last));
      p.billing = c.address;
    } else if (roll < 45) {
      auto [first, last] = RandomName(*c.country, c.last_name);
      p.ship_to = MakeAddress(*c.country, std::move(first), std::move(last));
      p.billing = c.address;
    } else if (roll < 55) {
      p.lines = LineMix::kTeamBulk;
    } else if (roll < 62 && c.country != &kCountries[0]) {
      p.ship_to = ForwarderAddress(c);
      p.billing = c.address;
      p.express = false;
    }
    return p;
  }

  // The first order of a new fraud incident.
  OrderPlan FraudOrder(int64_t now) {
    int64_t roll = static_cast<int64_t>(rng.Below(1000));
    if (roll < kCardTestingPerMille) {
      StartCardTesting();
      return CardTestingOrder(now);
    }
    roll -= kCardTestingPerMille;
    if (roll < kTakeoverPerMille) {
      std::optional<OrderPlan> p = AccountTakeover(now);
      return p ? *std::move(p) : Synthetic(now);
    }
    roll -= kTakeoverPerMille;
    if (roll < kReshipperPerMille) return Reshipper(now);
    return Synthetic(now);
  }

  void StartCardTesting() {
    burst.remaining = static_cast<int>(rng.Between(kBurstMin, kBurstMax));
    burst.country = &PickCountry();
    burst.session_hash = rng.Hex(32);
    burst.user_agent = rng.Pick(kUserAgents);
    burst.ip = RandomIp(rng);
    burst.drop.reset();
    if (rng.PerMille(600)) {
      auto [first, last] = RandomName(*burst.country, "");
      burst.drop = MakeAddress(*burst.country, std::move(first), std::move(last));
    }
  }

  // One order of the burst under way: a throwaway account (never a returning customer later)
  // buying one cheap item with the next card on the list. REQUIRES: burst.remaining > 0.
  OrderPlan CardTestingOrder(int64_t now) {
    --burst.remaining;
    OrderPlan p;
    p.fraud_pattern = "card_testing";
    p.customer = MakeCustomer(*burst.country, now);
    Customer& c = p.customer;
    c.created_at = now - (rng.PerMille(800) ? rng.Between(2, 45) : rng.Between(120, 1800));
    c.accepts_marketing = false;
    if (rng.PerMille(500))
      c.email = RandomLocalPart(rng) + "@" + std::string(rng.Pick(kEmailDomains));
    p.ship_to = burst.drop ? *burst.drop : c.address;
    p.billing = c.address;
    p.lines = LineMix::kCheap;
    p.express = false;
    p.ip = burst.ip;
    p.session_hash = burst.session_hash;
    p.user_agent = burst.user_agent;
    p.accept_language = burst.country->accept_language;
    if (rng.PerMille(400)) p.avs = "N";
    if (rng.PerMille(350)) p.cvv = "N";
    return p;
  }

  // Someone else in a returning customer's account (one older than a week) with its stored
  // card; nullopt while there is none to take over.
  std::optional<OrderPlan> AccountTakeover(int64_t now) {
    if (customers.size() < 8) return std::nullopt;
    Customer* victim = nullptr;
    for (int tries = 0; tries < 8 && victim == nullptr; ++tries) {
      Customer& c = customers[rng.Below(customers.size())];
      if (c.created_at < now - 7 * 86400) victim = &c;
    }
    if (victim == nullptr) return std::nullopt;
    ++victim->orders_count;
    OrderPlan p;
    p.fraud_pattern = "account_takeover";
    p.customer = *victim;
    bool abroad = rng.PerMille(850), express = rng.PerMille(750), expensive = rng.PerMille(750),
         other_name = rng.PerMille(500);
    AtLeastTwo(rng, {&abroad, &express, &expensive, &other_name});
    const Country& there = abroad ? OtherCountry(*victim->country) : *victim->country;
    std::string first = victim->first_name, last = victim->last_name;
    if (other_name) std::tie(first, last) = RandomName(there, victim->last_name);
    p.ship_to = MakeAddress(there, std::move(first), std::move(last));
    p.billing = victim->address;
    p.lines = expensive ? LineMix::kExpensive : LineMix::kUsual;
    p.must_ship = true;
    p.express = express;
    p.session_hash = rng.Hex(32);
    p.user_agent = rng.Pick(kUserAgents);
    p.ip = RandomIp(rng);
    p.accept_language = there.accept_language;
    return p;
  }

  // A card holder abroad (mostly a new account) shipping to a US forwarder.
  OrderPlan Reshipper(int64_t now) {
    OrderPlan p;
    p.fraud_pattern = "reshipper";
    Customer* existing = nullptr;
    if (customers.size() >= 8 && rng.PerMille(300)) {
      Customer& c = customers[rng.Below(customers.size())];
      if (c.country != &kCountries[0]) existing = &c;
    }
    if (existing != nullptr) {
      ++existing->orders_count;
      p.customer = *existing;
    } else {
      p.customer = MakeCustomer(OtherCountry(kCountries[0]), now);
      if (rng.PerMille(600)) p.customer.created_at = now - rng.Between(20, 900);
    }
    const Customer& c = p.customer;
    p.ship_to = ForwarderAddress(c);
    p.billing = c.address;
    p.express = rng.PerMille(850);
    p.lines = rng.PerMille(800) ? LineMix::kResaleBulk : LineMix::kExpensive;
    p.session_hash = c.session_hash;
    p.user_agent = c.user_agent;
    p.ip = RandomIp(rng);
    p.accept_language = c.country->accept_language;
    return p;
  }

  // A made-up identity paying with someone else's card.
  OrderPlan Synthetic(int64_t now) {
    OrderPlan p;
    p.fraud_pattern = "synthetic";
    const Country& country = PickCountry();
    p.customer = MakeCustomer(country, now);
    Customer& c = p.customer;
    bool random_email = rng.PerMille(750), fresh = rng.PerMille(750),
         other_name = rng.PerMille(700), avs_no_match = rng.PerMille(650);
    AtLeastTwo(rng, {&random_email, &fresh, &other_name, &avs_no_match});
    if (random_email) c.email = RandomLocalPart(rng) + "@" + std::string(rng.Pick(kEmailDomains));
    c.created_at = now - (fresh ? rng.Between(2, 60) : rng.Between(600, 5 * 86400));
    p.ship_to = c.address;
    if (other_name) {
      auto [first, last] = RandomName(country, c.last_name);
      p.billing = MakeAddress(country, std::move(first), std::move(last));
    } else {
      p.billing = c.address;
    }
    if (avs_no_match) p.avs = "N";
    p.lines = rng.PerMille(500) ? LineMix::kExpensive : LineMix::kUsual;
    p.must_ship = true;
    p.express = rng.PerMille(450);
    p.session_hash = c.session_hash;
    p.user_agent = c.user_agent;
    p.ip = c.ip;
    p.accept_language = country.accept_language;
    return p;
  }
};

namespace {

void MoneySet(JsonWriter& w, std::string_view key, const std::string& amount,
              std::string_view currency) {
  w.Key(key).BeginObject();
  for (std::string_view side : {"shop_money", "presentment_money"}) {
    w.Key(side).BeginObject().Field("amount", amount).Field("currency_code", currency).EndObject();
  }
  w.EndObject();
}

void StringOrNull(JsonWriter& w, std::string_view key, std::string_view v) {
  w.Key(key);
  if (v.empty()) {
    w.Null();
  } else {
    w.String(v);
  }
}

// `missing` names a field written as null to simulate an incomplete address ("zip", "address1").
void WriteAddress(JsonWriter& w, std::string_view key, const Address& a,
                  std::string_view missing = {}) {
  w.Key(key).BeginObject();
  w.Field("first_name", a.first_name);
  StringOrNull(w, "address1", missing == "address1" ? "" : a.address1);
  w.Field("phone", a.phone);
  w.Field("city", a.city);
  StringOrNull(w, "zip", missing == "zip" ? "" : a.zip);
  StringOrNull(w, "province", a.province);
  w.Field("country", a.country->name);
  w.Field("last_name", a.last_name);
  StringOrNull(w, "address2", a.address2);
  w.Field("name", a.first_name + " " + a.last_name);
  w.Field("country_code", a.country->code);
  StringOrNull(w, "province_code", a.province_code);
  w.EndObject();
}

void WriteTaxLines(JsonWriter& w, const std::vector<std::pair<const TaxRate*, int64_t>>& taxes,
                   const Country& c) {
  w.Key("tax_lines").BeginArray();
  for (const auto& [rate, amount] : taxes) {
    std::string a = FormatMinorUnits(amount, c.exponent);
    w.BeginObject().Field("price", a);
    w.Key("rate").Raw(RateText(rate->ppm)).Field("title", rate->title).EndObject();
  }
  w.EndArray();
}

}  // namespace

std::span<const ForwarderWarehouse> SimulatedForwarders() { return kForwarderWarehouses; }

OrderSimulator::OrderSimulator(uint64_t seed, std::string shop_domain, double fraud_rate)
    : state_(std::make_unique<State>(seed, std::move(shop_domain), fraud_rate)) {}
OrderSimulator::~OrderSimulator() = default;
OrderSimulator::OrderSimulator(OrderSimulator&&) noexcept = default;
OrderSimulator& OrderSimulator::operator=(OrderSimulator&&) noexcept = default;

SimulatedWebhook OrderSimulator::NextOrderCreate() {
  State& s = *state_;
  Rng& rng = s.rng;
  enum class Problem { kNone, kTotalsMismatch, kIncompleteAddress, kZeroQuantity };
  Problem problem = Problem::kNone;
  OrderPlan plan;
  if (s.burst.remaining > 0) {
    // At most 7 gaps of 80 s: a whole burst fits in 10 minutes.
    s.clock += rng.Between(4, 80);
    plan = s.CardTestingOrder(s.clock);
  } else {
    const bool fraud = rng.Unit() < s.incident_probability;
    s.clock += rng.Between(15, 600);
    if (fraud) {
      plan = s.FraudOrder(s.clock);
    } else {
      if (rng.PerMille(80)) problem = static_cast<Problem>(1 + rng.Below(3));
      plan = s.GoodOrder(s.clock, problem == Problem::kNone);
    }
  }
  const int64_t now = s.clock;
  const uint64_t order_id = s.next_order_id += static_cast<uint64_t>(rng.Between(1000, 90000));
  const int64_t number = s.order_number++;
  const Customer& customer = plan.customer;
  const Country& home = *customer.country;
  const Country& c = *plan.ship_to.country;  // the market
  const std::string_view cur = c.currency;
  auto amount = [&](int64_t minor) { return FormatMinorUnits(minor, c.exponent); };

  std::vector<Line> lines;
  std::vector<bool> used(std::size(kCatalog), false);
  auto add_line = [&](size_t idx, int64_t quantity) {
    used[idx] = true;
    Line l;
    l.product = &kCatalog[idx];
    l.id = s.ObjectId();
    l.quantity = quantity;
    l.price = LocalPrice(c, *l.product);
    lines.push_back(std::move(l));
  };
  // Distinct products until there are `count` lines, mostly single units.
  auto add_usual_lines = [&](size_t count) {
    while (lines.size() < count) {
      // The gift card is a rarer pick than any one garment.
      size_t idx = rng.PerMille(40) ? kGiftCardIndex : rng.Below(kGiftCardIndex);
      if (used[idx]) continue;
      add_line(idx, rng.PerMille(820) ? 1 : (rng.PerMille(800) ? 2 : 3));
    }
  };
  switch (plan.lines) {
    case LineMix::kUsual: {
      static constexpr int kLineCountWeights[] = {45, 28, 15, 8, 4};
      size_t line_count = 1;
      for (int64_t roll = rng.Between(0, 99); roll >= kLineCountWeights[line_count - 1];
           ++line_count)
        roll -= kLineCountWeights[line_count - 1];
      if (problem == Problem::kZeroQuantity && line_count < 2) line_count = 2;
      add_usual_lines(line_count);
      break;
    }
    case LineMix::kCheap:
      add_line(rng.PerMille(300) ? kGiftCardIndex : PickProduct(rng, 0, 3400), 1);
      break;
    case LineMix::kExpensive: {
      const size_t count = static_cast<size_t>(rng.Between(2, 4));
      while (lines.size() < count) {
        size_t idx = PickProduct(rng, 8800, INT64_MAX);
        if (!used[idx]) add_line(idx, rng.PerMille(750) ? 1 : 2);
      }
      break;
    }
    case LineMix::kTeamBulk:
      add_line(PickProduct(rng, 0, 2800), rng.Between(4, 10));
      if (rng.PerMille(400)) add_usual_lines(2);
      break;
    case LineMix::kResaleBulk:
      add_line(PickProduct(rng, 5400, INT64_MAX), rng.Between(4, 12));
      if (rng.PerMille(250)) add_usual_lines(2);
      break;
  }
  auto physical = [&] {
    for (const Line& l : lines)
      if (!l.product->gift_card) return true;
    return false;
  };
  if ((problem == Problem::kIncompleteAddress || plan.must_ship) && !physical()) {
    lines[0].product = &kCatalog[rng.Below(kGiftCardIndex)];
    lines[0].price = LocalPrice(c, *lines[0].product);
  }
  if (problem == Problem::kZeroQuantity) lines[1 + rng.Below(lines.size() - 1)].quantity = 0;
  const bool ships = physical();

  // Discount: a percentage code over every discountable line, allocated per line.
  const DiscountCode* code = rng.PerMille(250) ? &rng.Pick(kDiscountCodes) : nullptr;
  Totals t;
  int64_t line_discounts = 0;
  for (Line& l : lines) {
    t.line_items += l.price * l.quantity;
    t.weight += l.product->grams * l.quantity;
    if (code && !l.product->gift_card)
      l.discount = DivRound(l.price * l.quantity * code->percent, 100);
    line_discounts += l.discount;
  }
  t.discounts = line_discounts;

  // Shipping: standard (free above the country's threshold) or express.
  struct ShippingChoice {
    std::string_view title;
    std::string_view code;
    int64_t price;
    uint64_t id;
  };
  std::optional<ShippingChoice> shipping;
  if (ships) {
    const bool express = plan.express;
    const Shipping& option = express ? c.express : c.standard;
    int64_t price = option.price;
    if (!express && t.line_items - line_discounts >= c.free_shipping_from) price = 0;
    shipping = ShippingChoice{option.title, express ? "EXPRESS" : "STANDARD", price, s.ObjectId()};
    t.shipping = price;
  }

  // Taxes: per line on the discounted amount, and on shipping outside the US.
  const Region* tax_region = plan.ship_to.region;
  std::vector<std::pair<const TaxRate*, int64_t>> shipping_taxes;
  std::vector<std::pair<const TaxRate*, int64_t>> order_taxes;  // summed by rate, first seen first
  auto add_to_order = [&](const TaxRate* rate, int64_t value) {
    for (auto& [r, sum] : order_taxes)
      if (r == rate) return void(sum += value);
    order_taxes.emplace_back(rate, value);
  };
  for (const TaxRate& rate : tax_region->taxes) {
    if (rate.title.empty()) continue;
    for (Line& l : lines) {
      if (l.product->gift_card || l.quantity == 0) continue;
      int64_t tax = TaxOn(l.price * l.quantity - l.discount, rate.ppm, c.taxes_included);
      l.taxes.emplace_back(&rate, tax);
      add_to_order(&rate, tax);
      t.tax += tax;
    }
    if (shipping && shipping->price > 0 && c.code != "US") {
      int64_t tax = TaxOn(shipping->price, rate.ppm, c.taxes_included);
      shipping_taxes.emplace_back(&rate, tax);
      add_to_order(&rate, tax);
      t.tax += tax;
    }
  }
  const int64_t subtotal = t.line_items - t.discounts;
  t.total = subtotal + t.shipping + (c.taxes_included ? 0 : t.tax);

  SimulatedWebhook out;
  out.topic = "orders/create";
  out.webhook_id = rng.Uuid();
  out.event_id = rng.Uuid();
  out.channel_order_id = std::to_string(order_id);
  std::string_view missing_field;
  switch (problem) {
    case Problem::kNone:
      break;
    case Problem::kTotalsMismatch: {
      // An integration that forgot a fee or double-counted one: the total no longer adds up.
      int64_t off = rng.Between(1, c.exponent == 0 ? 3000 : 2500);
      t.total += (rng.PerMille(500) && t.total > off) ? -off : off;
      out.hold_reason = "totals_mismatch";
      break;
    }
    case Problem::kIncompleteAddress:
      missing_field = rng.PerMille(500) ? "zip" : "address1";
      out.hold_reason = "incomplete_shipping_address";
      break;
    case Problem::kZeroQuantity:
      out.hold_reason = "zero_quantity";
      break;
  }
  out.expected_hold = problem != Problem::kNone;
  out.fraud = !plan.fraud_pattern.empty();
  out.fraud_pattern = std::string(plan.fraud_pattern);

  const bool paid = rng.PerMille(880);
  const Card& card = rng.Pick(kCards);
  const Referral& referral = rng.Pick(kReferrals);
  const std::string created = FormatShopTime(now);
  const std::string token = rng.Hex(32);
  const std::string& ip = plan.ip;
  const Address& billing = plan.billing;
  std::string locale(home.locale);
  if (customer.address.province_code == "QC") locale = "fr-CA";
  std::string_view note;
  if (rng.PerMille(120))
    note = rng.Pick(locale == "fr-CA" ? std::span<const std::string_view>(kFrCaNotes) : home.notes);

  JsonWriter w;
  w.BeginObject();
  w.Key("id").Uint(order_id);
  w.Field("browser_ip", ip);
  w.Field("buyer_accepts_marketing", customer.accepts_marketing);
  w.Key("cancel_reason").Null().Key("cancelled_at").Null();
  w.Key("client_details").BeginObject();
  w.Field("accept_language", plan.accept_language);
  w.Field("browser_ip", ip);
  w.Field("session_hash", plan.session_hash);
  w.Field("user_agent", plan.user_agent);
  w.EndObject();
  w.Key("closed_at").Null();
  w.Field("confirmation_number", rng.Hex(9));
  w.Field("confirmed", true);
  w.Field("contact_email", customer.email);
  w.Field("created_at", created);
  w.Field("currency", cur);
  w.Field("current_total_price", amount(t.total));
  w.Field("customer_locale", locale);
  w.Key("discount_codes").BeginArray();
  if (code) {
    w.BeginObject().Field("code", code->code).Field("amount", amount(line_discounts));
    w.Field("type", "percentage").EndObject();
  }
  w.EndArray();
  w.Field("email", customer.email);
  w.Field("financial_status", paid ? "paid" : "authorized");
  w.Key("fulfillment_status").Null();
  w.Field("landing_site", referral.landing_site);
  w.Field("name", "#" + std::to_string(number));
  StringOrNull(w, "note", note);
  w.Key("note_attributes").BeginArray();
  if (rng.PerMille(100)) {
    w.BeginObject().Field("name", "how_did_you_hear").Field("value", referral.source).EndObject();
    if (rng.PerMille(400))
      w.BeginObject().Field("name", "gift_wrap").Field("value", "yes").EndObject();
  }
  w.EndArray();
  w.Field("number", number - 1000);
  w.Field("order_number", number);
  w.Key("payment_gateway_names").BeginArray().String("shopify_payments").EndArray();
  w.Key("payment_details").BeginObject();
  w.Field("credit_card_bin", card.bin);
  std::string_view avs = plan.avs, cvv = plan.cvv;
  if (avs.empty()) avs = rng.PerMille(900) ? "Y" : rng.Pick({"A", "Z", "N", "U"});
  if (cvv.empty()) cvv = rng.PerMille(950) ? "M" : rng.Pick({"N", "P"});
  w.Field("avs_result_code", avs);
  w.Field("cvv_result_code", cvv);
  w.Field(
      "credit_card_number",
      std::string("\u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 ") +
          std::string(card.last4));
  w.Field("credit_card_company", card.company);
  w.EndObject();
  w.Field("phone", customer.phone);
  w.Field("presentment_currency", cur);
  StringOrNull(w, "referring_site", referral.referring_site);
  w.Field("source_name", "web");
  w.Field("subtotal_price", amount(subtotal));
  {
    std::string tags;
    if (rng.PerMille(450)) {
      uint64_t first = rng.Below(std::size(kOrderTags));
      tags = std::string(kOrderTags[first]);
      uint64_t second = rng.Below(std::size(kOrderTags));
      if (second != first && rng.PerMille(400)) tags += ", " + std::string(kOrderTags[second]);
    }
    if (customer.orders_count > 1)
      tags += std::string(tags.empty() ? "" : ", ") + "returning-customer";
    w.Field("tags", tags);
  }
  WriteTaxLines(w, order_taxes, c);
  w.Field("taxes_included", c.taxes_included);
  w.Field("test", false);
  w.Field("token", token);
  w.Field("total_discounts", amount(t.discounts));
  w.Field("total_line_items_price", amount(t.line_items));
  w.Field("total_outstanding", amount(paid ? 0 : t.total));
  w.Field("total_price", amount(t.total));
  MoneySet(w, "total_price_set", amount(t.total), cur);
  MoneySet(w, "total_shipping_price_set", amount(t.shipping), cur);
  w.Field("total_tax", amount(t.tax));
  w.Field("total_weight", t.weight);
  w.Field("updated_at", created);
  WriteAddress(w, "billing_address", billing);

  w.Key("customer").BeginObject();
  w.Key("id").Uint(customer.id);
  w.Field("email", customer.email);
  w.Field("created_at", FormatShopTime(customer.created_at));
  w.Field("first_name", customer.first_name);
  w.Field("last_name", customer.last_name);
  w.Field("orders_count", customer.orders_count);
  w.Field("phone", customer.phone);
  w.Field("tags", customer.orders_count >= 3 ? "VIP" : "");
  w.Field("currency", cur);
  w.EndObject();

  w.Key("discount_applications").BeginArray();
  if (code) {
    w.BeginObject().Field("target_type", "line_item").Field("type", "discount_code");
    w.Field("value", std::to_string(code->percent) + ".0").Field("value_type", "percentage");
    w.Field("allocation_method", "across").Field("target_selection", "all");
    w.Field("code", code->code).EndObject();
  }
  w.EndArray();
  w.Key("fulfillments").BeginArray().EndArray();

  w.Key("line_items").BeginArray();
  for (const Line& l : lines) {
    const Product& p = *l.product;
    std::string variant_title =
        p.gift_card ? amount(l.price) + " " + std::string(cur) : std::string(p.variant_title);
    w.BeginObject();
    w.Key("id").Uint(l.id);
    w.Field("fulfillable_quantity", l.quantity);
    w.Field("gift_card", p.gift_card);
    w.Field("grams", p.grams);
    w.Field("name", std::string(p.title) + " - " + variant_title);
    w.Field("price", amount(l.price));
    w.Key("product_id").Uint(8100000000000000000ULL + HashText(p.title) % 100000000000000000ULL);
    w.Field("quantity", l.quantity);
    w.Field("requires_shipping", !p.gift_card);
    w.Field("sku", p.sku);
    w.Field("taxable", !p.gift_card);
    w.Field("title", p.title);
    w.Field("total_discount", amount(l.discount));
    w.Key("variant_id").Uint(8900000000000000000ULL + HashText(p.sku) % 100000000000000000ULL);
    w.Field("variant_title", variant_title);
    w.Field("vendor", p.vendor);
    WriteTaxLines(w, l.taxes, c);
    w.Key("discount_allocations").BeginArray();
    if (l.discount > 0) {
      w.BeginObject().Field("amount", amount(l.discount));
      w.Field("discount_application_index", int64_t{0}).EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();

  w.Key("refunds").BeginArray().EndArray();
  if (ships) WriteAddress(w, "shipping_address", plan.ship_to, missing_field);
  w.Key("shipping_lines").BeginArray();
  if (shipping) {
    w.BeginObject();
    w.Key("id").Uint(shipping->id);
    w.Field("code", shipping->code);
    w.Field("discounted_price", amount(shipping->price));
    w.Field("price", amount(shipping->price));
    w.Field("source", "shopify");
    w.Field("title", shipping->title);
    WriteTaxLines(w, shipping_taxes, c);
    w.Key("discount_allocations").BeginArray().EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  out.body = w.Take();
  return out;
}

}  // namespace orderpilot::app
