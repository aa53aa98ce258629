// share_input_fuzzer: share inputs of accord/shares.cc on beta's node (fuzz_node.h: a node
// directory in a temp dir; alpha has shared a GREEN and an AMBER indicator with beta).
// Byte 0: flags: bits 0-1 pick the operation:
//   0: Workflows::Share(to, rest) — `to` from bits 4-5 (alpha; gamma; alpha+gamma; a name that
//      is not a party), tlp from bits 6-7 ("", green, amber, red), the rest as STIX JSON
//      (bundle, array, one object or NDJSON; "@G"/"@A" become the GREEN/AMBER indicator ids);
//   1: SendSightings over the rest split at '\n' (one sighting JSON per line);
//   2: Retract of the ids on the first line with the rest as reason;
//   3: Share to alpha, then Retract of what it shared.
// bit 2: afterwards deliver what beta sent and let alpha and gamma apply it (ApplyInbound, so
// the receiving side parses the same bytes), then Shares() and Sightings() on each node.
// bit 3: restore every node to its snapshot first.
// Errors are fine; kInternal / kUnknown are findings, so are crashes. The nodes are restored
// every 32 messages sent so the databases stay small.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "fuzz_node.h"

namespace {

using namespace detente;

fuzzing::NodeWorld& TheWorld() {
  static fuzzing::NodeWorld* w = new fuzzing::NodeWorld();
  return *w;
}
int sent = 0;

void Expect(const base::Status& s, const char* what) {
  static const bool verbose = std::getenv("DETENTE_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "share_input: %s: %s\n", what, s.ToString().c_str());
  if (s.ok()) return;
  switch (s.code()) {
    case base::StatusCode::kInvalidArgument:
    case base::StatusCode::kNotFound:
    case base::StatusCode::kPermissionDenied:
    case base::StatusCode::kFailedPrecondition:
    case base::StatusCode::kResourceExhausted:
    case base::StatusCode::kAlreadyExists:
      return;
    default:
      std::fprintf(stderr, "share_input: %s: %s\n", what, s.ToString().c_str());
      std::abort();
  }
}

std::vector<std::string> Lines(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    out.emplace_back(s.substr(0, nl));
    s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > (1 << 16)) return 0;
  fuzzing::NodeWorld& w = TheWorld();
  const uint8_t flags = data[0];
  if ((flags & 8) != 0 || sent >= 32) {
    w.Restore();
    sent = 0;
  }
  std::string in(reinterpret_cast<const char*>(data + 1), size - 1);
  fuzzing::ReplaceAll(in, "@G", fuzzing::kGreenIndicator);
  fuzzing::ReplaceAll(in, "@A", fuzzing::kAmberIndicator);
  static const std::vector<std::string> kTo[] = {
      {"alpha"}, {"gamma"}, {"alpha", "gamma"}, {"delta"}};
  static const char* kTlp[] = {"", "green", "amber", "red"};
  const std::vector<std::string>& to = kTo[(flags >> 4) & 3];
  const char* tlp = kTlp[(flags >> 6) & 3];
  accord::Workflows beta(w.X("beta"));
  switch (flags & 3) {
    case 0: {
      auto e = beta.Share(to, in, tlp);
      Expect(e.status(), "Share");
      sent += e.ok();
      break;
    }
    case 1: {
      auto r = beta.SendSightings(Lines(in));
      Expect(r.status(), "SendSightings");
      if (r.ok()) {
        if (r->sent < 0 || r->skipped < 0) std::abort();
        sent += static_cast<int>(r->messages.size());
      }
      break;
    }
    case 2: {
      size_t nl = in.find('\n');
      std::vector<std::string> ids = {in.substr(0, nl)};
      std::string reason = nl == std::string::npos ? "" : in.substr(nl + 1);
      auto e = beta.Retract(ids, reason);
      Expect(e.status(), "Retract");
      sent += e.ok();
      break;
    }
    default: {
      std::vector<std::string> alpha = {"alpha"};
      auto e = beta.Share(alpha, in, tlp);
      Expect(e.status(), "Share");
      if (e.ok()) {
        ++sent;
        std::vector<std::string> ids;
        boost::json::error_code ec;
        boost::json::value body = boost::json::parse(e->body, ec);
        if (ec) std::abort();
        for (const auto& o : body.at("objects").as_array()) {
          ids.emplace_back(o.at("id").as_string());
        }
        auto r = beta.Retract(ids, "fuzz");
        Expect(r.status(), "Retract");
        sent += r.ok();
      }
      break;
    }
  }
  if ((flags & 4) != 0) {
    w.DeliverAll();
    for (const char* p : fuzzing::NodeWorld::kParties) {
      accord::Workflows wf(w.X(p));
      Expect(wf.ApplyInbound().status(), "ApplyInbound");
      Expect(wf.Shares().status(), "Shares");
      Expect(wf.Sightings().status(), "Sightings");
    }
  }
  return 0;
}
