// testing/node_harness.h: N detente nodes in a scratch directory, driven only through the real
// `detente` binary (DETENTE_BINARY) and the CLI contract of issue 6, for the multi-node
// integration tests (tests/integration/exchange_test.cc).
//
//   Cluster::Create()          a scratch directory (removed by the destructor unless the
//                              environment has DETENTE_KEEP_SCRATCH=1)
//   AddNode("alpha")           `detente init`; a PostgreSQL node gets a database of its own on the
//                              test binary's private cluster (SharedPgUrl), written into its
//                              config.toml as `database` after init (init has no --db flag:
//                              it makes node.db, which then goes unused); the accord commands
//                              and serve apply the migrations when they first open it
//   FormAccord()               `key --json` of every node, `accord create` with all parties,
//                              `accord sign` by each, `accord verify`, `accord join` each
//   Serve("alpha")             `detente serve --listen 127.0.0.1:0 --sync-interval-ms N` as a
//                              child; its port is learnt from "listening on http://127.0.0.1:P"
//   PointPeer / PointAllPeers  `detente peer url PARTY URL` (a node's port, or a proxy's URL)
//   Send / Sync / StatusOf / Verify / Messages  the commands, --json parsed with Boost.JSON
//   Stop (SIGTERM) / Kill (SIGKILL) / Restart (on the same port when it is free)
//   CloneNode                  copies a stopped SQLite node's directory (same key, same
//                              database): a second process claiming the same party
//
// Every child process runs under a deadline (Options::command_timeout) and is killed when it
// overruns, so a hanging command fails the test instead of hanging it. Errors carry the
// command line, its exit code and its stderr.
//
// Thread-safety: a Cluster is not thread-safe; use it from the test's thread.
#pragma once

#include <sys/types.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace detente::testing {

struct ProcResult {
  int rc = -1;  // exit code; -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;
  std::string command;  // for messages
  // "`detente sync ...` exited 1: <stderr>" (stdout too when stderr is empty).
  std::string Describe() const;
};

// Runs `cmd` with popen (/bin/sh -c); returns its stdout and sets *rc to its exit code (-1 when
// it could not run or did not exit).
std::string Shell(const std::string& cmd, int* rc);

// Runs DETENTE_BINARY with `args` (no shell), `input` on stdin, stdout and stderr captured
// through files in `scratch`; killed with SIGKILL after `timeout`.
ProcResult RunDetenteArgs(const std::string& scratch, const std::vector<std::string>& args,
                          const std::string& input, std::chrono::milliseconds timeout);

struct Node {
  std::string label;      // unique in the cluster: "alpha", "alpha-copy"
  std::string party;      // the accord party it runs as
  std::string dir;        // the node directory
  std::string db_url;     // PostgreSQL URL, "" for the SQLite node.db
  std::string key;        // base64 public key (after FormAccord)
  pid_t pid = -1;         // `detente serve`, -1 when not running
  uint16_t port = 0;      // the port serve listened on last (kept after Stop for Restart)
  std::string serve_log;  // serve's stderr (appended across restarts)
  std::vector<std::string> serve_extra;  // extra serve flags
  int sync_interval_ms = 0;              // --sync-interval-ms for serve; 0: the cluster's
  bool serving() const { return pid > 0; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// `detente status --json`, the parts the tests look at.
struct StatusView {
  std::string party;
  uint64_t log_size = 0;
  struct Undelivered {
    std::string id, recipient, state, last_error;
    int64_t attempts = 0;
  };
  std::vector<Undelivered> undelivered;
  struct Alert {
    std::string kind, party, detail, evidence;
  };
  std::vector<Alert> alerts;
  boost::json::value raw;
};

// `detente verify --json`.
struct VerifyView {
  int rc = -1;
  bool ok = false;
  int64_t receipts = 0;  // counts.receipts: receipts checked
  struct Finding {
    std::string what, where;
  };
  std::vector<Finding> findings;
  boost::json::value raw;
  std::string text;  // stdout + stderr, for messages
};

// One message of `detente messages --json`.
struct MessageView {
  std::string id, from, kind;
  std::vector<std::string> to;
  std::string body;       // serialized JSON of the body when present
  bool incoming = false;  // received from another party ("direction", else from != self)
};

class Cluster {
 public:
  struct Options {
    int sync_interval_ms = 200;
    std::chrono::milliseconds command_timeout{60'000};
    std::chrono::milliseconds serve_start_timeout{20'000};
    std::chrono::milliseconds stop_timeout{15'000};
    // Between the rounds of SyncUntilDelivered.
    std::chrono::milliseconds round_pause{250};
  };
  // Makes the scratch directory. Errors: kUnavailable.
  static base::Result<std::unique_ptr<Cluster>> Create(Options options);
  static base::Result<std::unique_ptr<Cluster>> Create() { return Create(Options()); }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  // SIGKILLs every serve still running and removes the scratch directory.
  ~Cluster();

  const std::string& scratch() const { return scratch_; }
  Node& node(const std::string& label);
  std::vector<std::string> labels() const { return order_; }

  // `detente init --party PARTY --dir scratch/LABEL`; party defaults to the label. With
  // `postgres`, the node's database is a new database on the shared test cluster.
  base::Status AddNode(const std::string& label, bool postgres = false,
                       const std::string& party = "");
  // Makes, signs (by every node), verifies and joins (every node) an accord of all parties
  // added so far, written to scratch/accord.json.
  base::Status FormAccord(const std::string& name = "integration");
  const std::string& accord_file() const { return accord_file_; }

  // Starts `detente serve` for LABEL on 127.0.0.1:`port` (0: any) and waits for its port.
  base::Status Serve(const std::string& label, uint16_t port = 0);
  base::Status ServeAll();
  // SIGTERM, then SIGKILL if it has not exited within stop_timeout. OK if not running.
  base::Status Stop(const std::string& label);
  // SIGKILL, reaped.
  base::Status Kill(const std::string& label);
  // Serve again on the previous port if it can be bound, else on a new one (node(label).port
  // tells which).
  base::Status Restart(const std::string& label);
  // Whether LABEL's serve process is still alive (reaps it if it exited).
  bool Alive(const std::string& label);

  // Copies the directory of stopped SQLite node `src` to a new node `label` (same party).
  base::Status CloneNode(const std::string& src, const std::string& label);

  // `detente peer url PARTY URL --dir` on LABEL.
  base::Status PointPeer(const std::string& label, const std::string& party,
                         const std::string& url);
  // Points every node at every other party's node (the first node added for that party) on
  // its current port.
  base::Status PointAllPeers();

  // AddNode for each of `labels`, then FormAccord, ServeAll and PointAllPeers: an accord whose
  // nodes are serving and know each other's URLs. Errors: the first step's.
  base::Status StartAccord(const std::vector<std::string>& labels);

  // Prints the last `max_bytes` of each node's serve log to stderr (for a failed test's
  // TearDown: the serve logs say what the agents did).
  void PrintServeLogTails(size_t max_bytes = 3000);

  // `detente ARGS --dir DIR(label)`.
  ProcResult Run(const std::string& label, std::vector<std::string> args,
                 const std::string& input = "");
  // `detente ARGS`.
  ProcResult RunPlain(const std::vector<std::string>& args, const std::string& input = "");

  // Writes `body_json` to a file and runs `send --to TO --kind KIND FILE --json`; returns the
  // message id.
  base::Result<std::string> Send(const std::string& label, const std::vector<std::string>& to,
                                 const std::string& body_json, const std::string& kind = "note");
  ProcResult Sync(const std::string& label);
  base::Result<StatusView> StatusOf(const std::string& label);
  // rc 0 and 1 both give a view; anything else (or unparsable output) is an error.
  base::Result<VerifyView> Verify(const std::string& label);
  base::Result<std::vector<MessageView>> Messages(const std::string& label);

  // Runs `sync` on each of `labels` in turn, round after round, until `status` of every one
  // shows nothing undelivered; at most `max_rounds`. Returns the rounds used. Errors:
  // kDeadlineExceeded with what is still undelivered, or a command's failure.
  base::Result<int> SyncUntilDelivered(const std::vector<std::string>& labels, int max_rounds);

 private:
  explicit Cluster(Options options) : options_(options) {}
  base::Status StartServe(Node& n, uint16_t port, bool with_interval);

  Options options_;
  std::string scratch_;
  std::string accord_file_;
  std::map<std::string, Node> nodes_;
  std::vector<std::string> order_;
  int files_ = 0;  // for unique body files
  // Whether serve accepts --sync-interval-ms (learnt on the first start).
  bool interval_flag_ok_ = true;
};

}  // namespace detente::testing
