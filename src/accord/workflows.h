// accord/workflows.h: the accord's workflows on a node (part of the accord module's public
// header, included by accord.h): requests for assistance and violation reports sent as signed
// messages through the Exchange and checked against the state machines of workflow.h before
// anything is signed; the automatic reminders, hotline escalations and case status reports due
// on the injected clock; shares and retractions of STIX objects under TLP 2.0 and their
// application to the node's TAXII collections (one inbound collection per partner, outbound
// collections whose POSTed objects are shared); sightings sent back to each indicator's
// producer; the scorecard. Formats: ../../docs/formats/workflows.md.
//
// Thread-safety: a Workflows borrows an Exchange (not thread-safe) and its connection: use it
// under the same lock as the Exchange (peer::SharedExchange::With). It is cheap to construct;
// make one per use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "accord/workflow.h"
#include "base/base.h"

namespace detente::accord {

class Exchange;
struct Envelope;

// Message kinds of shares (docs/formats/workflows.md "Shares").
//   share:     body {"objects": [<STIX 2.1 object>, ...]}; to = the named recipients; the
//              envelope's tlp is the most restrictive TLP 2.0 marking among the objects (or the
//              one given, if more restrictive); refs: none.
//   retract:   body {"objects": ["<STIX id>", ...], "reason": "..."}; refs = the share
//              message ids that carried those objects; to = every recipient of those shares.
//              A signed tombstone: recipients delete those objects from the sender's inbound
//              collection and never re-add them from an older share.
//   sighting:  body {"sightings": [<STIX 2.1 sighting>, ...]}; to = the one producer of the
//              indicators sighted (the party whose share carried them); refs = those shares.
inline constexpr std::string_view kShare = "share";
inline constexpr std::string_view kRetract = "retract";
inline constexpr std::string_view kSighting = "sighting";

struct WorkflowsOptions {
  // A reminder goes out when this fraction of a deadline's span has passed.
  double reminder_fraction = 0.75;
  // The responder's node sends a request-status report on each open case it answers every
  // this many seconds (0: never automatically).
  int64_t status_interval_s = 7 * 24 * 3600;
  // The TAXII API root holding the inbound ("from-<party>") and outbound ("to-<party>",
  // "to-all") collections.
  std::string api_root = "api1";
};

// A share as this node holds it (sent or received).
struct ShareInfo {
  std::string id;  // the share message id
  std::string from;
  std::vector<std::string> to;
  std::string tlp;
  std::string created;
  int64_t objects = 0;
  std::vector<std::string> object_ids;
  std::vector<std::string> retracted;  // object ids later retracted
  bool outgoing = false;
};

// What the producer knows of the sightings of one of its indicators.
struct SightingSummary {
  std::string indicator;  // indicator id
  std::string party;      // who sighted it
  int64_t count = 0;      // sum of the sightings' count (1 when absent)
  std::string first_seen, last_seen;
  int64_t messages = 0;   // sighting messages that carried them
};

// What Tick() / RunDue() did.
struct TickReport {
  int64_t applied = 0;  // inbound messages applied to the TAXII collections / sightings
  std::vector<std::string> sent;  // ids of reminders, escalations and status reports sent
  std::vector<std::string> errors;
};

class Workflows {
 public:
  explicit Workflows(Exchange& exchange, WorkflowsOptions options = {});

  // ---- Requests and violation reports --------------------------------------------------
  // Files a request for assistance to `responder` (body as workflow.h's ValidateWorkflowBody;
  // tlp "" = the accord's default). Errors: kInvalidArgument (body, unknown responder, self).
  Result<Envelope> FileRequest(std::string_view responder, std::string_view body_json,
                               std::string_view tlp = "");
  // Reports a violation against `accused`. Errors: kInvalidArgument.
  Result<Envelope> ReportViolation(std::span<const std::string> accused,
                                   std::string_view body_json, std::string_view tlp = "");
  // A later step (`kind` one of the request-* / violation-* kinds other than request-file and
  // violation-report) of the case whose id is `case_id`, addressed to the other side(s) of the
  // case (request-escalate: to every other party of the accord, the hotline). The step is
  // applied to the case as this node holds it BEFORE anything is signed: kFailedPrecondition
  // with the state machine's reason when not allowed (nothing sent), kNotFound when the node
  // holds no such case, kInvalidArgument (body).
  Result<Envelope> Act(std::string_view case_id, std::string_view kind,
                       std::string_view body_json);
  // Every case this node can rebuild from the messages it holds (sent and received).
  Result<Cases> LoadCases();
  // Sends what is due now (the Exchange's clock): reminders and escalations on the cases this
  // party filed, status reports on the cases it answers. Never twice for one deadline.
  Result<TickReport> RunDue();
  // The scorecard of every party of the accord at the clock's now.
  Result<std::vector<PartyScore>> Scorecard();

  // ---- Shares, retractions, sightings --------------------------------------------------
  // Shares STIX objects with `to`. `stix_json` is a bundle, a JSON array of objects, or one
  // object; each object is validated (stix). tlp "" = taken from the objects' markings (the
  // most restrictive; the accord's default when none are marked). Objects this node received
  // from another party under TLP:AMBER, AMBER+STRICT or RED are refused (they may not leave
  // their named recipients). Errors: kInvalidArgument naming the object, kPermissionDenied
  // (TLP).
  Result<Envelope> Share(std::span<const std::string> to, std::string_view stix_json,
                         std::string_view tlp = "");
  // Retracts objects this party shared (signed tombstone to every recipient of the shares
  // that carried them). Errors: kNotFound (an object this party never shared).
  Result<Envelope> Retract(std::span<const std::string> object_ids, std::string_view reason);
  // Sends STIX sightings (e.g. the output of `detente match`) to the producers of the
  // indicators they name (sighting_of_ref), one message per producer. Sightings of indicators
  // this node did not receive from a partner are skipped and counted in `skipped`.
  struct SightingsSent {
    std::vector<std::string> messages;
    int64_t sent = 0, skipped = 0;
  };
  Result<SightingsSent> SendSightings(std::span<const std::string> sightings_json);
  // Applies received shares, retractions and sightings not applied yet: objects into the
  // sender's inbound TAXII collection "from-<sender>" (created when missing), retracted ones
  // deleted from it, sightings recorded for Sightings() (and stored in "from-<sender>").
  // Idempotent and crash-safe (each message applied once, in its own transaction).
  Result<int64_t> ApplyInbound();
  // Creates the inbound and outbound collections for every partner when missing.
  Status EnsureCollections();
  Result<std::vector<ShareInfo>> Shares();
  // Per (indicator, sighting party), for the indicators this party shared.
  Result<std::vector<SightingSummary>> Sightings();

  // ApplyInbound() then RunDue(); what `detente serve` runs every sync interval.
  Result<TickReport> Tick();

 private:
  Exchange& exchange_;
  WorkflowsOptions options_;
};

}  // namespace detente::accord
