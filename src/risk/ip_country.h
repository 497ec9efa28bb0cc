// risk/ip_country.h — which country an IP address is in, from a local table (no network).
//
// Two table formats:
//   - a MaxMind legacy GeoIP country database (".dat", e.g. Debian's geoip-database:
//     /usr/share/GeoIP/GeoIP.dat for IPv4 and GeoIPv6.dat for IPv6), read through libGeoIP with
//     the whole file in memory. Opening GeoIP.dat also opens a GeoIPv6.dat beside it when there is
//     one; opening GeoIPv6.dat alone answers IPv6 only.
//   - a CSV of ranges, one per line: first_ip,last_ip,country_code (the format of the db-ip lite
//     and tor geoip files). Addresses are IPv4 dotted ("1.2.3.0"), IPv4 as an integer
//     ("16909056", tor's geoip) or IPv6 text ("2001:db8::"); fields may be quoted; lines starting
//     with '#' and blank lines are skipped, as is a first line that is a header. Ranges may come in
//     any order (they are sorted at load) but must not overlap; IPv4 and IPv6 ranges may share a
//     file.
// Any other path extension than ".dat" is read as CSV.
//
// Country codes are ISO 3166-1 alpha-2, upper-case. Codes that name no country (GeoIP's "A1"
// anonymous proxy, "A2" satellite, "O1", "AP", "EU", "--", "ZZ", "??") read as unknown; "FX"
// (metropolitan France) reads as "FR".
//
// Thread-safety: immutable after Open; Lookup may be called from any thread (libGeoIP calls are
// serialised by an internal mutex, since libGeoIP does not document its lookups as thread-safe).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot::risk {

class IpCountryTable {
 public:
  virtual ~IpCountryTable() = default;

  // NotFound for a missing file; InvalidArgument ("<path>:<line>: reason") for a bad CSV row or
  // overlapping ranges, or for a .dat file libGeoIP cannot open or that is not a country database.
  static Result<std::unique_ptr<IpCountryTable>> Open(const std::string& path);

  // ISO alpha-2 of the country `ip` is in, or "" for an unknown or invalid address. An
  // IPv4-mapped IPv6 address ("::ffff:1.2.3.4") is looked up as IPv4. The view stays valid as
  // long as the table.
  virtual std::string_view Lookup(std::string_view ip) const = 0;

  // Number of ranges loaded (CSV) or 0 (GeoIP .dat, whose size is not in ranges).
  virtual size_t RangeCount() const = 0;
};

}  // namespace orderpilot::risk
