// accord/case_json.cc: JSON views of cases, shares and sightings (case_json.h).
#include "accord/case_json.h"

#include <optional>
#include <utility>

namespace detente::accord {
namespace {

namespace json = boost::json;

json::value TimeOrNull(const std::optional<base::Timestamp>& t) {
  return t ? json::value(t->FormatMillis()) : json::value(nullptr);
}

json::value StringOrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

}  // namespace

json::array StringsJson(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(json::string(s));
  return a;
}

json::object RequestCaseJson(const RequestCase& c, const base::Timestamp& now) {
  return json::object{{"id", c.id},
                      {"requester", c.requester},
                      {"responder", c.responder},
                      {"category", c.category},
                      {"priority", c.priority},
                      {"title", c.title},
                      {"state", RequestStateName(c.state)},
                      {"outcome", StringOrNull(c.outcome)},
                      {"resolution", StringOrNull(c.resolution)},
                      {"filed", c.filed.FormatMillis()},
                      {"acknowledged", TimeOrNull(c.acknowledged)},
                      {"responded", TimeOrNull(c.responded)},
                      {"closed", TimeOrNull(c.closed)},
                      {"acknowledge_due", c.acknowledge_due.FormatMillis()},
                      {"respond_due", c.respond_due.FormatMillis()},
                      {"overdue", IsOverdue(c, now)},
                      {"escalations", c.escalations},
                      {"feedbacks", c.feedbacks}};
}

json::object ViolationCaseJson(const ViolationCase& v) {
  json::array entries;
  for (const auto& e : v.entries) {
    entries.emplace_back(json::object{{"id", e.id},
                                      {"from", e.from},
                                      {"kind", e.kind},
                                      {"answer", StringOrNull(e.answer)},
                                      {"at", e.at.FormatMillis()}});
  }
  return json::object{{"id", v.id},
                      {"reporter", v.reporter},
                      {"accused", StringsJson(v.accused)},
                      {"commitment", v.commitment},
                      {"summary", v.summary},
                      {"reported", v.reported.FormatMillis()},
                      {"entries", std::move(entries)}};
}

json::object ShareJson(const ShareInfo& s) {
  return json::object{{"id", s.id},
                      {"from", s.from},
                      {"to", StringsJson(s.to)},
                      {"tlp", s.tlp},
                      {"created", s.created},
                      {"objects", s.objects},
                      {"object_ids", StringsJson(s.object_ids)},
                      {"retracted", StringsJson(s.retracted)}};
}

json::object SightingJson(const SightingSummary& s) {
  return json::object{{"indicator", s.indicator}, {"party", s.party},
                      {"count", s.count},         {"first_seen", s.first_seen},
                      {"last_seen", s.last_seen}, {"messages", s.messages}};
}

}  // namespace detente::accord
