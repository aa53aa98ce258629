// taxii/negotiation.h: Accept and Content-Type parsing for TAXII 2.1 content negotiation
// (spec section 1.6.8, RFC 7231 sections 3.1.1.1 and 5.3.2). Tested by negotiation_test.cc.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace detente::taxii {

// One media type or range: lower-cased type/subtype, parameters (names lower-cased, values
// unquoted), and q (1.0 when absent).
struct MediaRange {
  std::string type;
  std::string subtype;
  std::vector<std::pair<std::string, std::string>> params;  // without q
  double q = 1.0;
};

// Parses one media type with parameters ("application/taxii+json; version=2.1").
// Errors: kInvalidArgument naming the problem and its offset.
base::Result<MediaRange> ParseMediaType(std::string_view text);

// Parses an Accept header value: comma-separated media ranges, each with optional parameters
// and a q-value (0 to 1, at most three decimals). At most 64 ranges, 4 KiB.
base::Result<std::vector<MediaRange>> ParseAccept(std::string_view text);

// True when an Accept header value lets us answer application/taxii+json;version=2.1:
// a range with q > 0 that is application/taxii+json (version absent or 2.1), application/*
// or */*. An empty (absent) header accepts. An unparseable header does not.
bool AcceptsTaxii(std::string_view accept);

// True when a request Content-Type is application/taxii+json with version absent or 2.1
// (other parameters such as charset=utf-8 are ignored).
bool IsTaxiiContentType(std::string_view content_type);

}  // namespace detente::taxii
