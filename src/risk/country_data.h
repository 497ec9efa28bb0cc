// risk/country_data.h — per-country facts the fraud signals need: approximate centroids (for the
// distance between an IP's country and the shipping country), postcode formats and phone number
// lengths.
//
// All tables are our own, compiled into the binary, and approximate by design: a centroid is
// within a few hundred km of a country's middle, good enough to tell "next door" from "another
// continent". Country codes are ISO 3166-1 alpha-2 and matched case-insensitively.
//
// Thread-safety: every function is pure and may be called from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace orderpilot::risk {

struct LatLon {
  double lat = 0;  // degrees, north positive
  double lon = 0;  // degrees, east positive
};

// Approximate geographic centre of an ISO 3166-1 alpha-2 country (all 249 codes plus XK for
// Kosovo), or nullopt for an unknown code.
std::optional<LatLon> CountryCentroid(std::string_view iso2);

// Great-circle distance in km on a sphere of radius 6371 km (haversine).
double GreatCircleKm(LatLon a, LatLon b);

// Distance between two countries' centroids in km: 0 when the codes are equal (ignoring case),
// nullopt when either code is empty or has no centroid.
std::optional<double> CountryDistanceKm(std::string_view a, std::string_view b);

enum class FormatCheck {
  kOk,      // fits a format known for the country
  kBad,     // a rule exists and the value breaks it
  kNoRule,  // we have no rule for this country (or no country): cannot tell
};

// Whether `postcode` fits the formats of `country`. Rules exist for the main shipping countries
// (US, CA, GB, DE, FR, JP, AU, NL, ES, IT, BR, IN, MX and about 40 more); countries without
// postcodes (HK, AE, IE before Eircode, …) have no rule. Case and surrounding spaces are ignored; a
// separator in a format (the space of "SW1A 1AA", the hyphen of "123-4567") may be a space, a
// hyphen or absent. An empty postcode for a country with a rule is kBad.
FormatCheck CheckPostcode(std::string_view country, std::string_view postcode);

// Whether `phone` looks like a dialable number:
//   - "+CC…" or "00CC…" (international): the calling code is found by longest prefix among the
//     ~60 countries in our table and the digits after it must count as that country's national
//     numbers do (a "(0)" trunk digit written after the code is tolerated); for a calling code we
//     do not know only the E.164 length (8–15 digits in all) is checked.
//   - otherwise (national): `country`'s rule applies after removing its trunk prefix ("0", "1"
//     for NANP, "8" for RU/KZ, "06" for HU); digits written with the calling code but without
//     "+" are accepted too. kNoRule when we have no rule for `country`.
// Spaces, dots, hyphens, slashes and parentheses are ignored; a trailing extension ("x12",
// "ext. 12") is ignored; any other letter makes the number kBad.
FormatCheck CheckPhone(std::string_view phone, std::string_view country);

}  // namespace orderpilot::risk
