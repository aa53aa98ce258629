// taxii/envelope.h: splits a POSTed TAXII envelope ({"objects":[...], ...}) into the verbatim
// text of each object, without re-serialising anything. Tested by envelope_test.cc.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace detente::taxii {

inline constexpr size_t kMaxEnvelopeDepth = 100;       // JSON nesting depth of a body
inline constexpr size_t kMaxEnvelopeObjects = 100000;  // objects per POST

// The verbatim text of each element of the envelope's "objects" array, in order; the views
// point into `body`.
// Errors: kInvalidArgument when `body` is not JSON (syntax, invalid UTF-8, nesting deeper than
// kMaxEnvelopeDepth): HTTP 400. kFailedPrecondition when it is JSON but not an envelope: not
// an object, "objects" missing, empty, not an array, given twice, an element that is not an
// object, more than kMaxEnvelopeObjects elements: HTTP 422. Messages say what and where.
base::Result<std::vector<std::string_view>> SplitEnvelope(std::string_view body);

}  // namespace detente::taxii
