// peer/peer.h: the public header of the peer module (depends on accord, ledger, crypto, base):
// how a node talks to its partners. The wire protocol (JSON over HTTP, mounted by the server
// under /peer/v1/) with examples: ../../docs/formats/peer-protocol.md.
//
//   wire codec     Delivery / DeliveryAnswer / checkpoint / gossip bodies, strict and bounded
//   signing        the Detente-Party / Detente-Date / Detente-Signature request headers
//   HttpClient     a blocking HTTP/1.1 client (Beast, only in http_client.cc), http and https
//   Endpoint       the server side of every /peer/v1/ route, transport-neutral
//   Agent          the outbox, pull, witnessing and gossip loop (one worker per partner)
//
// Thread-safety: codec and signing functions are pure. SharedExchange serialises every use of
// its Exchange. HttpClient is NOT thread-safe (one per thread). Endpoint::Handle and the Agent's
// public methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "accord/accord.h"
#include "base/base.h"
#include "crypto/crypto.h"
#include "ledger/ledger.h"

namespace detente::peer {

using base::Result;
using base::Status;

// ---------------------------------------------------------------------------------------------
// Limits of the wire format. A body is at most kMaxWireBytes (an 8 MiB envelope escaped as a
// JSON string grows by its quotes and backslashes); a batch holds at most kMaxBatchEnvelopes.
inline constexpr size_t kMaxWireBytes = 16 << 20;
inline constexpr size_t kMaxBatchEnvelopes = 1000;
// Bodies the Agent builds are trimmed to this many bytes (a single larger envelope still goes
// alone) so that they fit a server's default 10 MiB max_content_length.
inline constexpr size_t kAgentBatchBytes = 8 << 20;
inline constexpr size_t kMaxErrorText = 64 * 1024;
inline constexpr int64_t kMaxClockSkewSeconds = 300;
inline constexpr std::string_view kPathPrefix = "/peer/v1/";

// ---------------------------------------------------------------------------------------------
// Wire codec. Every decoder rejects unknown members, wrong types, negative or fractional
// numbers, hashes that are not exactly 64 hex digits, and anything over the limits above, with
// kInvalidArgument naming the member as a JSON Pointer ("inbox body /envelopes/3/proof/0: not
// 64 hex digits"); kResourceExhausted for a body over kMaxWireBytes or a batch over
// kMaxBatchEnvelopes.

// The body of POST /peer/v1/inbox and of the answer to GET /peer/v1/messages.
struct WireDelivery {
  std::string from;  // the sending party
  accord::Delivery delivery;
  uint64_t recipient_held_size = 0;  // the size of the recipient's log the sender holds
};
std::string EncodeDelivery(const WireDelivery& d);
Result<WireDelivery> DecodeDelivery(std::string_view json);

std::string EncodeAnswer(const accord::DeliveryAnswer& a);
Result<accord::DeliveryAnswer> DecodeAnswer(std::string_view json);

// GET /peer/v1/checkpoint?from=N
struct CheckpointReply {
  std::string checkpoint;  // the signed note with any witness cosignature lines
  uint64_t size = 0;
  std::vector<ledger::Hash> consistency;  // from N to size
};
std::string EncodeCheckpointReply(const CheckpointReply& r);
Result<CheckpointReply> DecodeCheckpointReply(std::string_view json);

// GET /peer/v1/consistency?from=A&to=B: {"proof": [hex...]}
std::string EncodeProof(std::span<const ledger::Hash> proof);
Result<std::vector<ledger::Hash>> DecodeProof(std::string_view json);

// POST /peer/v1/cosignature
struct CosignatureMessage {
  std::string witness;
  std::string note;
};
std::string EncodeCosignature(const CosignatureMessage& m);
Result<CosignatureMessage> DecodeCosignature(std::string_view json);

// GET /peer/v1/checkpoints: {"checkpoints": [{"party","note"}]}
struct GossipEntry {
  std::string party;
  std::string note;
};
std::string EncodeGossip(std::span<const GossipEntry> entries);
Result<std::vector<GossipEntry>> DecodeGossip(std::string_view json);

// The error body of every peer error: {"title","description","http_status":"<n>"} (the TAXII
// 2.1 error shape), plus "held_size" when given (409 held-size mismatch).
std::string EncodeError(int status, std::string_view title, std::string_view description,
                        std::optional<uint64_t> held_size = std::nullopt);
// The "held_size" of a 409 error body, if it has one.
std::optional<uint64_t> HeldSizeFromError(std::string_view json);

// ---------------------------------------------------------------------------------------------
// Request signing. Every peer request carries
//   Detente-Party: <name>   Detente-Date: <unix seconds>   Detente-Signature: <base64>
// where the signature is Ed25519 by the party's accord key over SigningString().

inline constexpr std::string_view kPartyHeader = "Detente-Party";
inline constexpr std::string_view kDateHeader = "Detente-Date";
inline constexpr std::string_view kSignatureHeader = "Detente-Signature";

// "detente-peer/v1\n" METHOD "\n" TARGET "\n" DATE "\n" hex(SHA-256(body))
std::string SigningString(std::string_view method, std::string_view target, std::string_view date,
                          std::string_view body);

struct SignedHeaders {
  std::string party;
  std::string date;
  std::string signature;
  std::vector<std::pair<std::string, std::string>> ToHeaders() const;
};
SignedHeaders SignRequest(std::string_view party, const crypto::SigningKey& key,
                          std::string_view method, std::string_view target, std::string_view body,
                          const base::Clock& clock);

// Checks the three headers (values as received, "" when absent) of a request against the
// accord. Returns the authenticated party. Errors: kUnauthenticated naming what is wrong
// (missing header, unknown party, date not decimal or more than kMaxClockSkewSeconds away
// from clock.Now(), signature not base64 of 64 bytes, signature invalid).
Result<std::string> VerifyRequest(const accord::Accord& accord, std::string_view party,
                                  std::string_view date, std::string_view signature,
                                  std::string_view method, std::string_view target,
                                  std::string_view body, const base::Clock& clock);

// ---------------------------------------------------------------------------------------------
// HttpClient

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};   // resolve + connect + TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // write the request + read the response
  size_t max_response_bytes = kMaxWireBytes + 64 * 1024;
  std::string ca_file;  // PEM bundle for https; "" = the system CA store
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// A parsed absolute URL.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  std::string port;    // decimal; the scheme's default when absent
  std::string target;  // path and query, at least "/"
};
// Errors: kInvalidArgument naming what is wrong (scheme, host, port, userinfo, fragment).
Result<Url> ParseUrl(std::string_view url);
// `base` (an endpoint URL, with or without a path and trailing '/') + `path_and_query` (which
// starts with '/').
std::string JoinUrl(std::string_view base, std::string_view path_and_query);

// Blocking HTTP/1.1 over TCP or TLS (1.2 minimum, the server's certificate verified against
// the CA store and its name), one kept-alive connection per scheme://host:port reused across
// requests. A request on a reused connection that fails before any response byte arrived is
// retried once on a fresh connection (the peer routes are idempotent).
// Thread-safety: not thread-safe.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request to the absolute `url`. Any status is a success here.
  // Errors: kInvalidArgument (bad URL or method), kUnavailable (resolve, connect, TLS, write or
  // read failed, or a timeout: the message says which), kResourceExhausted (response larger
  // than max_response_bytes), kFailedPrecondition (the CA file cannot be loaded).
  Result<HttpResponse> Send(std::string_view method, std::string_view url,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body);
  // Drops every kept-alive connection.
  void CloseAll();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// SharedExchange: an Exchange used by the Endpoint (server threads) and the Agent under one
// mutex. Thread-safety: thread-safe; accord() and party() are immutable after construction.
class SharedExchange {
 public:
  explicit SharedExchange(std::unique_ptr<accord::Exchange> exchange);
  const accord::Accord& accord() const { return accord_; }
  const std::string& party() const { return party_; }
  // Runs f(exchange) with the mutex held and returns its result.
  template <class F>
  auto With(F&& f) -> decltype(f(std::declval<accord::Exchange&>())) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(*exchange_);
  }

 private:
  std::mutex mu_;
  std::unique_ptr<accord::Exchange> exchange_;  // GUARDED_BY(mu_)
  accord::Accord accord_;
  std::string party_;
};

// The endpoint overrides of `detente peer url` (table accord_peer_endpoints).
Status SetEndpointOverride(store::Connection& conn, std::string_view party, std::string_view url);
Result<std::map<std::string, std::string>> EndpointOverrides(store::Connection& conn);

// ---------------------------------------------------------------------------------------------
// Endpoint: the server side of /peer/v1/.

struct PeerRequest {
  std::string method;
  std::string target;                                        // raw request target: path and query
  std::vector<std::pair<std::string, std::string>> headers;  // any case
  std::string body;
  std::string_view Header(std::string_view name) const;  // case-insensitive; "" when absent
};

struct PeerResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Routes (the request target must start with kPathPrefix):
//   POST inbox, GET messages, GET checkpoint, GET consistency, POST cosignature,
//   GET checkpoints: see docs/formats/peer-protocol.md.
// Every client mistake is a 4xx with the error body above: 400 malformed, 401 bad signature
// headers, 403 a party acting for another, 404 unknown route, 405 wrong method, 409 held-size
// mismatch or refused checkpoint, 413 over kMaxWireBytes. 5xx only for store failures.
// Thread-safety: Handle is thread-safe. `exchange` and `clock` must outlive the Endpoint.
class Endpoint {
 public:
  Endpoint(SharedExchange* exchange, const base::Clock* clock);
  PeerResponse Handle(const PeerRequest& request) const;

 private:
  SharedExchange* exchange_;
  const base::Clock* clock_;
};

// ---------------------------------------------------------------------------------------------
// Agent

struct AgentOptions {
  const base::Clock* clock = nullptr;  // for request dates; null: SystemClock::Default()
  std::chrono::milliseconds sync_interval{1'000};
  size_t batch_size = 256;  // envelopes per POST (and per pull page)
  HttpClientOptions http;
  // Called by background workers with what failed ("beta: deliver: connect ...: refused");
  // may be null. Called from worker threads.
  std::function<void(std::string_view)> log;
};

// What one partner's round did.
struct PartnerSummary {
  std::string party;
  std::string url;
  uint64_t delivered = 0;           // envelopes with a verified receipt (accepted or duplicate)
  uint64_t rejected = 0;            // envelopes the partner rejected (they stay pending)
  uint64_t pending = 0;             // undelivered to this partner after the round
  uint64_t pulled = 0;              // envelopes accepted by pull
  bool witnessed = false;           // the partner's checkpoint was checked and cosigned
  std::vector<std::string> errors;  // what failed ("deliver: connect: refused")
};

struct SyncSummary {
  uint64_t delivered = 0, pending = 0, pulled = 0, witnessed = 0;
  uint64_t alerts = 0;  // alerts stored during the round (equivocation, bad receipt, ...)
  std::vector<PartnerSummary> partners;
  std::vector<std::string> gossip_errors;
};

// The outbox, pull, witnessing and gossip loop. Start() runs one worker thread per partner:
// it delivers pending messages at once when Notify() is called, and every sync interval it
// polls the database for deliveries that are due (from this process or another), pulls,
// witnesses and gossips with that partner. A down or slow partner stalls only its own worker.
// Thread-safety: all methods are thread-safe. `exchange` must outlive the Agent.
class Agent {
 public:
  Agent(SharedExchange* exchange, crypto::SigningKey key, AgentOptions options = {});
  ~Agent();  // Stop()s
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  void Start();
  // Stops the workers (an HTTP request in flight finishes or times out first). Idempotent.
  void Stop();
  // Wakes every worker to deliver now.
  void Notify();
  // One full round with every partner now, the partners in parallel: deliver everything due,
  // pull, witness, then gossip. Errors: only store failures; partner failures are in the
  // summary.
  Result<SyncSummary> SyncOnce();
  // Delivers everything due to `party` now on the calling thread (no pull, witnessing or
  // gossip). Errors: kNotFound (`party` is not a partner).
  Result<PartnerSummary> DeliverNow(std::string_view party);

 private:
  struct Partner;
  enum class Round { kDeliver, kFull };
  void Worker(Partner* p);
  PartnerSummary RunRound(Partner* p, Round round);
  void Deliver(Partner* p, PartnerSummary* s);
  void Pull(Partner* p, PartnerSummary* s);
  void WitnessPartner(Partner* p, PartnerSummary* s);
  std::vector<std::string> Gossip(Partner* p);
  std::string ResolveUrl(const std::string& party);
  Result<HttpResponse> Call(Partner* p, const std::string& base, std::string_view method,
                            const std::string& path_and_query, std::string_view body);

  SharedExchange* exchange_;
  crypto::SigningKey key_;
  AgentOptions options_;
  const base::Clock* clock_;
  std::vector<std::unique_ptr<Partner>> partners_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                 // GUARDED_BY(mu_)
  uint64_t generation_ = 0;           // GUARDED_BY(mu_): bumped by Notify()
  std::vector<std::thread> threads_;  // GUARDED_BY(mu_)
};

}  // namespace detente::peer
