// workflow_cases_fuzzer: the pure workflow functions of accord/workflow.h on arbitrary input.
// Byte 0 picks the mode:
//   even: ValidateWorkflowBody(kind, body) for a kind picked by byte 1 (every workflow kind,
//         plus one that is not) and the rest as the body, with and without commitments; an
//         accepted request-file body must also open a case (OpenRequest);
//   odd:  a set of up to 64 messages built from the input (FuzzedDataProvider): senders and
//         recipients among the parties (or not), any workflow kind, created at any instant of
//         years 0001-9999, refs to earlier messages (or junk), bodies picked from valid
//         templates or taken from the input; then BuildCases with deadlines of any positive
//         size (as an accord may carry), ComputeScorecard and ScorecardJson at any "now", and
//         DueActions of every case.
// Nothing may crash (ASan/UBSan: run with UBSAN_OPTIONS=halt_on_error=1, as scripts/fuzz.sh
// does); the scorecard JSON must parse, and every request's respond_due must not precede its
// acknowledge_due.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "accord/accord.h"

namespace {

using namespace detente;

constexpr std::string_view kKinds[] = {
    accord::kRequestFile,       accord::kRequestAck,       accord::kRequestInfoNeeded,
    accord::kRequestInfo,       accord::kRequestRespond,   accord::kRequestClose,
    accord::kRequestWithdraw,   accord::kRequestEscalate,  accord::kRequestReminder,
    accord::kRequestFeedback,   accord::kRequestStatus,    accord::kViolationReport,
    accord::kViolationResponse, accord::kViolationDispute, "note"};

// Valid bodies per kind (index as kKinds) and some near misses.
constexpr std::string_view kBodies[] = {
    R"({"category":"preservation","priority":"high","title":"Keep logs","description":"d",)"
    R"("legal_basis":"art. 4","identifiers":["203.0.113.7"],"retention_days":90})",
    R"({})",
    R"({"question":"which host?"})",
    R"({"answer":"host-7"})",
    R"({"outcome":"completed","summary":"done"})",
    R"({"resolution":"accepted"})",
    R"({"reason":"no longer needed"})",
    R"({"deadline":"acknowledge","case":"x","responder":"beta","priority":"high"})",
    R"({"deadline":"respond","due":"2026-01-04T00:00:00Z"})",
    R"({"use":"blocked the C2"})",
    R"({"status":"working on it"})",
    R"({"commitment":"C1","summary":"late","evidence":["x"]})",
    R"({"answer":"denied","statement":"no"})",
    R"({"statement":"we disagree"})",
    R"({})",
    R"({"outcome":"declined","reason":""})",
    R"({"category":"subscriber-info","priority":"critical","title":"t","description":"d",)"
    R"("legal_basis":"b","identifiers":["a"],"period":{"start":"2026-01-01T00:00:00Z",)"
    R"("end":"2025-01-01T00:00:00Z"}})",
    R"({"category":"takedown","priority":"low","title":"t","description":"d","legal_basis":"b",)"
    R"("targets":[]})",
};

constexpr const char* kNames[] = {"alpha", "beta", "gamma", "delta", ""};

// Seconds of years 0001-01-01 .. 9999-12-31 (what Timestamp::Parse accepts).
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

base::Timestamp AnyTime(FuzzedDataProvider& p) {
  switch (p.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:  // near 2026
      return base::Timestamp::FromUnixMillis(
          1'767'225'600'000 + p.ConsumeIntegralInRange<int64_t>(-1'000'000'000, 1'000'000'000'000));
    case 1:
      return base::Timestamp::FromUnixSeconds(kMinSeconds);
    case 2:
      return base::Timestamp::FromUnixSeconds(kMaxSeconds, 999'000'000, 3);
    default:
      return base::Timestamp::FromUnixMillis(
          p.ConsumeIntegralInRange<int64_t>(kMinSeconds * 1000, kMaxSeconds * 1000 + 999));
  }
}

void FuzzBodies(const uint8_t* data, size_t size) {
  if (size < 2) return;
  std::string_view kind = kKinds[data[1] % std::size(kKinds)];
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::vector<std::string> commitments = {"C1", "C2"};
  base::Status with = accord::ValidateWorkflowBody(kind, body, commitments);
  base::Status without = accord::ValidateWorkflowBody(kind, body);
  if (!with.ok() && with.code() != base::StatusCode::kInvalidArgument) std::abort();
  if (!without.ok() && without.code() != base::StatusCode::kInvalidArgument) std::abort();
  if (with.ok() && kind == accord::kRequestFile) {
    accord::WorkflowMessage m;
    m.id = "00000000-0000-4000-8000-000000000001";
    m.from = "alpha";
    m.to = {"beta"};
    m.kind = std::string(kind);
    m.created = base::Timestamp::FromUnixSeconds(1'767'225'600);
    m.body = std::string(body);
    auto c = accord::OpenRequest(m, {3600, 86400});
    if (!c.ok()) std::abort();  // a body ValidateWorkflowBody accepts opens a case
  }
}

void FuzzCases(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data + 1, size - 1);
  // Deadlines as an accord may carry them: acknowledge_s > 0, respond_s >= acknowledge_s.
  std::map<std::string, accord::Deadlines> deadlines;
  for (std::string_view prio : accord::kPriorities) {
    accord::Deadlines d;
    if (p.ConsumeBool()) {
      d.acknowledge_s = p.ConsumeIntegralInRange<int64_t>(1, INT64_MAX);
      d.respond_s = p.ConsumeIntegralInRange<int64_t>(d.acknowledge_s, INT64_MAX);
    } else {
      d.acknowledge_s = p.ConsumeIntegralInRange<int64_t>(1, 1'000'000);
      d.respond_s = d.acknowledge_s + p.ConsumeIntegralInRange<int64_t>(0, 10'000'000);
    }
    deadlines.emplace(std::string(prio), d);
  }
  const size_t n = p.ConsumeIntegralInRange<size_t>(1, 64);
  std::vector<accord::WorkflowMessage> msgs;
  for (size_t i = 0; i < n && p.remaining_bytes() > 0; ++i) {
    accord::WorkflowMessage m;
    m.id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i);
    if (p.ConsumeIntegralInRange<int>(0, 15) == 0) m.id = msgs.empty() ? "" : msgs.back().id;
    m.from = kNames[p.ConsumeIntegralInRange<size_t>(0, std::size(kNames) - 1)];
    const int to_mask = p.ConsumeIntegralInRange<int>(0, 31);
    for (size_t k = 0; k < std::size(kNames); ++k) {
      if ((to_mask >> k) & 1) m.to.emplace_back(kNames[k]);
    }
    const size_t kind = p.ConsumeIntegralInRange<size_t>(0, std::size(kKinds) - 1);
    m.kind = std::string(kKinds[kind]);
    m.created = AnyTime(p);
    m.seq = p.ConsumeIntegral<uint64_t>();
    const int refs = p.ConsumeIntegralInRange<int>(0, 3);
    for (int r = 0; r < refs; ++r) {
      if (!msgs.empty() && p.ConsumeBool()) {
        m.refs.push_back(msgs[p.ConsumeIntegralInRange<size_t>(0, msgs.size() - 1)].id);
      } else {
        m.refs.push_back(p.ConsumeRandomLengthString(48));
      }
    }
    switch (p.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        m.body = p.ConsumeRandomLengthString(512);
        break;
      case 1:
        m.body = std::string(kBodies[p.ConsumeIntegralInRange<size_t>(0, std::size(kBodies) - 1)]);
        break;
      default:
        m.body = std::string(kBodies[kind]);
        break;
    }
    msgs.push_back(std::move(m));
  }
  const base::Timestamp now = AnyTime(p);
  const double fraction = p.ConsumeProbability<double>();
  accord::Cases cases =
      accord::BuildCases(msgs, [&](std::string_view priority) -> std::optional<accord::Deadlines> {
        auto it = deadlines.find(std::string(priority));
        if (it == deadlines.end()) return std::nullopt;
        return it->second;
      });
  for (const auto& c : cases.requests) {
    if (c.respond_due < c.acknowledge_due) std::abort();
    (void)accord::DueActions(c, now, fraction);
    (void)accord::RequestStateName(c.state);
  }
  const std::vector<std::string> parties = {"alpha", "beta", "gamma"};
  std::vector<accord::PartyScore> scores = accord::ComputeScorecard(cases, parties, now);
  if (scores.size() != parties.size()) std::abort();
  std::string js = accord::ScorecardJson(scores);
  boost::json::error_code ec;
  (void)boost::json::parse(js, ec);
  if (ec) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > (1 << 16)) return 0;
  if (data[0] % 2 == 0) {
    FuzzBodies(data, size);
  } else {
    FuzzCases(data, size);
  }
  return 0;
}
