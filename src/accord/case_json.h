// accord/case_json.h: the JSON views of workflow cases, shares and sightings that both
// `detente request|violation|shares|sightings --json` and the HTTP API (server/api_mount.cc)
// print, so the two cannot drift apart. Formats: ../../docs/formats/workflows.md. Tested through
// tests/integration/api_test.cc and tests/integration/workflows_test.cc.
//
// Thread-safety: free functions over values; safe to call concurrently.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "base/base.h"

namespace detente::accord {

// A JSON array of the strings `v`, in order.
boost::json::array StringsJson(const std::vector<std::string>& v);

// Request `c` as {"id", "requester", "responder", "category", "priority", "title", "state",
// "outcome", "resolution", "filed", "acknowledged", "responded", "closed", "acknowledge_due",
// "respond_due", "overdue", "escalations", "feedbacks"}, in that order; absent outcome,
// resolution and times are null. "overdue" is IsOverdue(c, now).
boost::json::object RequestCaseJson(const RequestCase& c, const base::Timestamp& now);

// Violation report `v` as {"id", "reporter", "accused", "commitment", "summary", "reported",
// "entries": [{"id", "from", "kind", "answer" (null when empty), "at"}]}.
boost::json::object ViolationCaseJson(const ViolationCase& v);

// Share `s` as {"id", "from", "to", "tlp", "created", "objects", "object_ids", "retracted"};
// callers add how they show the direction.
boost::json::object ShareJson(const ShareInfo& s);

// Sighting summary `s` as {"indicator", "party", "count", "first_seen", "last_seen",
// "messages"}.
boost::json::object SightingJson(const SightingSummary& s);

}  // namespace detente::accord
