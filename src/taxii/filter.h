// taxii/filter.h: the URL query parameters of the TAXII endpoints (spec section 3.4):
// added_after, limit, next, match[id|type|version|spec_version]. Tested by filter_test.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "taxii/taxii.h"

namespace detente::taxii {

// Which match[] fields an endpoint accepts (others are ignored, as section 3.4 allows for
// fields a server does not understand).
enum class Endpoint {
  kObjects,   // GET objects/, manifest/: id, type, version, spec_version
  kObject,    // GET/DELETE objects/{id}/: version, spec_version
  kVersions,  // GET objects/{id}/versions/: spec_version
};

inline constexpr size_t kMaxMatchValues = 100;  // values per match[] field

struct QueryParams {
  Filter filter;
  int limit = 0;               // 0 = not given
  std::string next;            // "" = not given
  bool version_given = false;  // match[version] was in the query
  // The filters in a canonical text form (sorted, normalised), which a cursor is bound to.
  std::string canonical;
};

// Parses the decoded query parameters for `endpoint`.
// Errors (all kInvalidArgument, naming the parameter): a repeated added_after/limit/next or
// match field, a malformed timestamp, a limit that is not an integer in 1..2^31-1, an empty
// value or list element, a duplicate or bad version keyword, "all" combined with others,
// more than kMaxMatchValues values.
base::Result<QueryParams> ParseQueryParams(
    std::span<const std::pair<std::string, std::string>> query, Endpoint endpoint);

// Microseconds since the epoch (floor) of a timestamp.
int64_t ToMicros(const base::Timestamp& t);
// The TAXII timestamp form: YYYY-MM-DDTHH:MM:SS.ssssssZ.
std::string FormatMicros(int64_t us);
// The sort/match key of a STIX version timestamp: UTC with 9 fractional digits.
std::string VersionKey(const base::Timestamp& t);

}  // namespace detente::taxii
