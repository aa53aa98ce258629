// peer/agent.cc: the Agent: per-partner workers that deliver (outbox), pull, witness and gossip
// over HttpClient, calling the Exchange under its mutex and never holding it across a network
// call. Tested by tests/peer/nodes_test.cc (two and three nodes over real HTTP).
#include <algorithm>
#include <exception>
#include <set>

#include "peer/peer.h"

namespace detente::peer {
namespace {

// Bounds on one round, so a partner that keeps answering cannot hold a worker forever.
constexpr int kMaxDeliveryBatchesPerRound = 1000;
constexpr int kMaxPullPagesPerRound = 100;
constexpr int kMaxHeldMismatchRetries = 2;
// Batches taken from the outbox at once and sent back to back (see Agent::Deliver).
constexpr size_t kPipelineDepth = 4;

// The description of an error body, or the start of the body.
std::string DescribeHttpError(const HttpResponse& r) {
  std::string body = r.body.substr(0, 300);
  for (char& c : body) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return "HTTP " + std::to_string(r.status) + ": " + body;
}

Result<uint64_t> NoteSize(std::string_view note) {
  ASSIGN_OR_RETURN(auto split, ledger::SplitNote(note));
  ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::Checkpoint::Parse(split.first));
  return cp.size;
}

// Splits `all` into batches of at most `batch` envelopes and kAgentBatchBytes encoded (a
// single larger envelope goes alone). The first keeps the consistency proof from the size the
// partner holds; the later ones say the partner holds the checkpoint's size (as it will once
// the first is accepted). If the checkpoint's size cannot be read, only the first is kept.
std::vector<WireDelivery> SplitDelivery(const WireDelivery& all, size_t batch) {
  std::vector<WireDelivery> out;
  auto cp_size = NoteSize(all.delivery.checkpoint);
  const auto& envs = all.delivery.envelopes;
  size_t i = 0;
  while (i < envs.size()) {
    WireDelivery w;
    w.from = all.from;
    w.recipient_held_size = all.recipient_held_size;
    w.delivery.checkpoint = all.delivery.checkpoint;
    if (out.empty()) {
      w.delivery.held_size = all.delivery.held_size;
      w.delivery.consistency = all.delivery.consistency;
    } else {
      w.delivery.held_size = cp_size.ok() ? *cp_size : 0;
    }
    size_t bytes = 1024 + w.delivery.checkpoint.size();
    while (i < envs.size() && w.delivery.envelopes.size() < batch) {
      // Escaping at most doubles an envelope; each proof hash is 67 bytes.
      size_t e = 2 * envs[i].envelope.size() + 67 * envs[i].proof.size() + 64;
      if (!w.delivery.envelopes.empty() && bytes + e > kAgentBatchBytes) break;
      bytes += e;
      w.delivery.envelopes.push_back(envs[i++]);
    }
    out.push_back(std::move(w));
    if (!cp_size.ok()) break;
  }
  return out;
}

std::string_view NoteText(std::string_view note) {
  size_t blank = note.find("\n\n");
  return blank == std::string_view::npos ? note : note.substr(0, blank + 1);
}

}  // namespace

struct Agent::Partner {
  Partner(std::string p, const HttpClientOptions& o) : party(std::move(p)), client(o) {}
  const std::string party;
  std::mutex mu;      // serialises rounds with this partner; guards client
  HttpClient client;  // GUARDED_BY(mu)
};

Agent::Agent(SharedExchange* exchange, crypto::SigningKey key, AgentOptions options)
    : exchange_(exchange),
      key_(std::move(key)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &base::SystemClock::Default()) {
  if (options_.batch_size == 0) options_.batch_size = 1;
  options_.batch_size = std::min(options_.batch_size, kMaxBatchEnvelopes);
  for (const accord::Party& p : exchange_->accord().parties) {
    if (p.name != exchange_->party()) {
      partners_.push_back(std::make_unique<Partner>(p.name, options_.http));
    }
  }
}

Agent::~Agent() { Stop(); }

void Agent::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!threads_.empty() || stop_) return;
  for (auto& p : partners_) threads_.emplace_back([this, pp = p.get()] { Worker(pp); });
}

void Agent::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) t.join();
}

void Agent::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

void Agent::Worker(Partner* p) {
  using Steady = std::chrono::steady_clock;
  Steady::time_point next_full = Steady::now();
  uint64_t seen = 0;
  std::string last_logged;
  for (;;) {
    bool full = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, next_full, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      full = Steady::now() >= next_full;
    }
    std::vector<std::string> errors;
    {
      std::lock_guard<std::mutex> lock(p->mu);
      PartnerSummary s = RunRound(p, full ? Round::kFull : Round::kDeliver);
      errors = std::move(s.errors);
      if (full) {
        for (std::string& e : Gossip(p)) errors.push_back(std::move(e));
      }
    }
    if (full) next_full = Steady::now() + options_.sync_interval;
    // A partner that stays down would repeat the same errors every round: log changes only.
    std::string joined;
    for (const std::string& e : errors) joined += e + "\n";
    if (options_.log && joined != last_logged) {
      for (const std::string& e : errors) options_.log(p->party + ": " + e);
      if (errors.empty()) options_.log(p->party + ": ok again");
    }
    last_logged = std::move(joined);
  }
}

Result<SyncSummary> Agent::SyncOnce() {
  SyncSummary summary;
  auto alerts_before = exchange_->With([](accord::Exchange& ex) { return ex.Alerts(); });
  RETURN_IF_ERROR(alerts_before.status());
  summary.partners.resize(partners_.size());
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < partners_.size(); ++i) {
      threads.emplace_back([this, i, &summary] {
        Partner* p = partners_[i].get();
        std::lock_guard<std::mutex> lock(p->mu);
        summary.partners[i] = RunRound(p, Round::kFull);
      });
    }
    for (std::thread& t : threads) t.join();
  }
  // Gossip after every partner's round, so the checkpoints just learnt are compared too.
  {
    std::vector<std::vector<std::string>> errors(partners_.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < partners_.size(); ++i) {
      threads.emplace_back([this, i, &errors] {
        Partner* p = partners_[i].get();
        std::lock_guard<std::mutex> lock(p->mu);
        errors[i] = Gossip(p);
      });
    }
    for (std::thread& t : threads) t.join();
    for (size_t i = 0; i < errors.size(); ++i) {
      for (std::string& e : errors[i]) {
        summary.gossip_errors.push_back(partners_[i]->party + ": " + std::move(e));
      }
    }
  }
  for (const PartnerSummary& s : summary.partners) {
    summary.delivered += s.delivered;
    summary.pending += s.pending;
    summary.pulled += s.pulled;
    summary.witnessed += s.witnessed ? 1 : 0;
  }
  auto alerts_after = exchange_->With([](accord::Exchange& ex) { return ex.Alerts(); });
  RETURN_IF_ERROR(alerts_after.status());
  summary.alerts = alerts_after->size() > alerts_before->size()
                       ? alerts_after->size() - alerts_before->size()
                       : 0;
  return summary;
}

Result<PartnerSummary> Agent::DeliverNow(std::string_view party) {
  for (auto& p : partners_) {
    if (p->party != party) continue;
    std::lock_guard<std::mutex> lock(p->mu);
    return RunRound(p.get(), Round::kDeliver);
  }
  return base::NotFoundError("\"" + std::string(party) + "\" is not a partner of this node");
}

std::string Agent::ResolveUrl(const std::string& party) {
  auto overrides =
      exchange_->With([](accord::Exchange& ex) { return EndpointOverrides(ex.connection()); });
  if (overrides.ok()) {
    auto it = overrides->find(party);
    if (it != overrides->end()) return it->second;
  }
  const accord::Party* p = exchange_->accord().FindParty(party);
  if (p != nullptr && !p->endpoints.empty()) return p->endpoints.front();
  return "";
}

Result<HttpResponse> Agent::Call(Partner* p, const std::string& base, std::string_view method,
                                 const std::string& path_and_query, std::string_view body) {
  std::string url = JoinUrl(base, path_and_query);
  ASSIGN_OR_RETURN(Url u, ParseUrl(url));
  SignedHeaders h = SignRequest(exchange_->party(), key_, method, u.target, body, *clock_);
  return p->client.Send(method, url, h.ToHeaders(), body);
}

PartnerSummary Agent::RunRound(Partner* p, Round round) {
  PartnerSummary s;
  s.party = p->party;
  try {
    s.url = ResolveUrl(p->party);
    if (s.url.empty()) {
      s.errors.push_back("no endpoint URL (the accord lists none; set one with detente peer url)");
    } else {
      Deliver(p, &s);
      if (round == Round::kFull) {
        Pull(p, &s);
        WitnessPartner(p, &s);
      }
    }
    auto pending = exchange_->With([&](accord::Exchange& ex) -> Result<uint64_t> {
      ASSIGN_OR_RETURN(std::vector<accord::DeliveryState> u, ex.Undelivered());
      uint64_t n = 0;
      for (const accord::DeliveryState& d : u) n += d.recipient == p->party ? 1 : 0;
      return n;
    });
    if (pending.ok()) {
      s.pending = *pending;
    } else {
      s.errors.push_back("count pending: " + pending.status().message());
    }
  } catch (const std::exception& e) {
    // Third-party code (Beast, Boost.JSON) should not throw here; if it does, the round ends.
    s.errors.push_back(std::string("unexpected exception: ") + e.what());
  }
  return s;
}

// Deliveries are pipelined: one NextDelivery of up to kPipelineDepth batches (all proven at
// one checkpoint of size S) is sent as consecutive POSTs; the first carries the consistency
// proof from the size the partner holds, the later ones held_size S and no proof (the partner
// holds S once the first is accepted). While the partner accepts batch i+1, this node records
// the answer to batch i, so both nodes work at once.
void Agent::Deliver(Partner* p, PartnerSummary* s) {
  int mismatches = 0;
  for (int batch = 0; batch < kMaxDeliveryBatchesPerRound; ++batch) {
    auto next = exchange_->With([&](accord::Exchange& ex) -> Result<WireDelivery> {
      WireDelivery w;
      w.from = ex.party();
      ASSIGN_OR_RETURN(w.delivery, ex.NextDelivery(p->party, options_.batch_size * kPipelineDepth));
      ASSIGN_OR_RETURN(w.recipient_held_size, ex.HeldSize(p->party));
      return w;
    });
    if (!next.ok()) {
      s->errors.push_back("deliver: " + next.status().message());
      return;
    }
    const accord::Delivery& all = next->delivery;
    if (all.envelopes.empty()) return;
    std::vector<WireDelivery> chunks = SplitDelivery(*next, options_.batch_size);

    auto fail = [&](const accord::Delivery& sent, const std::string& error) {
      s->errors.push_back("deliver: " + error);
      Status st = exchange_->With(
          [&](accord::Exchange& ex) { return ex.RecordFailure(p->party, sent, error); });
      if (!st.ok()) s->errors.push_back("record failure: " + st.message());
    };
    std::optional<Result<HttpResponse>> resp =
        Call(p, s->url, "POST", "/peer/v1/inbox", EncodeDelivery(chunks[0]));
    bool retry = false;
    for (size_t i = 0; i < chunks.size(); ++i) {
      const accord::Delivery& sent = chunks[i].delivery;
      if (!resp->ok()) {
        fail(sent, resp->status().message());
        return;
      }
      const HttpResponse& r = **resp;
      if (r.status == 409) {
        std::optional<uint64_t> held = HeldSizeFromError(r.body);
        if (held && mismatches < kMaxHeldMismatchRetries) {
          ++mismatches;
          Status st = exchange_->With(
              [&](accord::Exchange& ex) { return ex.SetRecipientHeld(p->party, *held); });
          if (!st.ok()) {
            s->errors.push_back("set recipient held size: " + st.message());
            return;
          }
          retry = true;  // the rest again, with proofs from the size the partner holds
          break;
        }
        fail(sent, DescribeHttpError(r));
        return;
      }
      if (r.status != 200) {
        fail(sent, DescribeHttpError(r));
        return;
      }
      auto answer = DecodeAnswer(r.body);
      if (!answer.ok()) {
        fail(sent, "garbage answer: " + answer.status().message());
        return;
      }
      if (answer->results.size() != sent.envelopes.size()) {
        fail(sent, "answer has " + std::to_string(answer->results.size()) + " results for " +
                       std::to_string(sent.envelopes.size()) + " envelopes");
        return;
      }
      // Send the next batch while this answer is recorded.
      std::optional<Result<HttpResponse>> next_resp;
      std::thread sender;
      if (i + 1 < chunks.size()) {
        auto answer_size = NoteSize(answer->checkpoint);
        chunks[i + 1].recipient_held_size =
            answer_size.ok() ? *answer_size : chunks[i].recipient_held_size;
        std::string body = EncodeDelivery(chunks[i + 1]);
        sender = std::thread([this, p, s, &next_resp, body = std::move(body)] {
          next_resp.emplace(Call(p, s->url, "POST", "/peer/v1/inbox", body));
        });
      }
      Status recorded = exchange_->With(
          [&](accord::Exchange& ex) { return ex.RecordAnswer(p->party, sent, *answer); });
      if (sender.joinable()) sender.join();
      if (!recorded.ok()) {
        // The batch in flight was accepted or not; it stays pending and is answered as
        // duplicates next time.
        fail(sent, "answer refused: " + recorded.message());
        return;
      }
      for (const accord::AcceptResult& res : answer->results) {
        if (res.outcome == accord::AcceptOutcome::kRejected) {
          ++s->rejected;
          s->errors.push_back("deliver: " + p->party + " rejected " + res.id + ": " + res.error);
        } else {
          ++s->delivered;
        }
      }
      resp = std::move(next_resp);
    }
    if (!retry && all.envelopes.size() < options_.batch_size * kPipelineDepth) return;
  }
}

void Agent::Pull(Partner* p, PartnerSummary* s) {
  for (int page = 0; page < kMaxPullPagesPerRound; ++page) {
    auto pos = exchange_->With([&](accord::Exchange& ex) -> Result<std::pair<uint64_t, uint64_t>> {
      ASSIGN_OR_RETURN(uint64_t after, ex.LastAcceptedSeq(p->party));
      ASSIGN_OR_RETURN(uint64_t held, ex.HeldSize(p->party));
      return std::make_pair(after, held);
    });
    if (!pos.ok()) {
      s->errors.push_back("pull: " + pos.status().message());
      return;
    }
    std::string path = "/peer/v1/messages?after=" + std::to_string(pos->first) +
                       "&held=" + std::to_string(pos->second) +
                       "&limit=" + std::to_string(options_.batch_size);
    auto resp = Call(p, s->url, "GET", path, "");
    if (!resp.ok()) {
      s->errors.push_back("pull: " + resp.status().message());
      return;
    }
    if (resp->status != 200) {
      s->errors.push_back("pull: " + DescribeHttpError(*resp));
      return;
    }
    auto wire = DecodeDelivery(resp->body);
    if (!wire.ok()) {
      s->errors.push_back("pull: garbage answer: " + wire.status().message());
      return;
    }
    if (wire->from != p->party) {
      s->errors.push_back("pull: answer claims to be from \"" + wire->from.substr(0, 64) + "\"");
      return;
    }
    if (wire->delivery.envelopes.empty()) return;
    auto answer = exchange_->With([&](accord::Exchange& ex) {
      return ex.Accept(p->party, wire->delivery, wire->recipient_held_size);
    });
    if (!answer.ok()) {
      s->errors.push_back("pull: refused: " + answer.status().message());
      return;
    }
    for (const accord::AcceptResult& r : answer->results) {
      if (r.outcome == accord::AcceptOutcome::kAccepted) ++s->pulled;
      if (r.outcome == accord::AcceptOutcome::kRejected) {
        s->errors.push_back("pull: rejected " + r.id + ": " + r.error);
      }
    }
    if (wire->delivery.envelopes.size() < options_.batch_size) return;
  }
}

void Agent::WitnessPartner(Partner* p, PartnerSummary* s) {
  auto held = exchange_->With([&](accord::Exchange& ex) { return ex.HeldSize(p->party); });
  if (!held.ok()) {
    s->errors.push_back("witness: " + held.status().message());
    return;
  }
  auto resp = Call(p, s->url, "GET", "/peer/v1/checkpoint?from=" + std::to_string(*held), "");
  if (!resp.ok()) {
    s->errors.push_back("witness: " + resp.status().message());
    return;
  }
  if (resp->status != 200) {
    s->errors.push_back("witness: " + DescribeHttpError(*resp));
    return;
  }
  auto reply = DecodeCheckpointReply(resp->body);
  if (!reply.ok()) {
    s->errors.push_back("witness: garbage answer: " + reply.status().message());
    return;
  }
  auto cosigned = exchange_->With([&](accord::Exchange& ex) {
    return ex.Witness(p->party, reply->checkpoint, reply->consistency);
  });
  if (!cosigned.ok()) {
    s->errors.push_back("witness: " + cosigned.status().message());
    return;
  }
  if (cosigned->empty()) return;
  std::string body = EncodeCosignature({exchange_->party(), *cosigned});
  auto posted = Call(p, s->url, "POST", "/peer/v1/cosignature", body);
  if (!posted.ok()) {
    s->errors.push_back("cosignature: " + posted.status().message());
    return;
  }
  if (posted->status != 204 && posted->status != 200) {
    s->errors.push_back("cosignature: " + DescribeHttpError(*posted));
    return;
  }
  s->witnessed = true;
}

std::vector<std::string> Agent::Gossip(Partner* p) {
  std::vector<std::string> errors;
  try {
    std::string url = ResolveUrl(p->party);
    if (url.empty()) return errors;
    auto resp = Call(p, url, "GET", "/peer/v1/checkpoints", "");
    if (!resp.ok()) {
      errors.push_back("gossip: " + resp.status().message());
      return errors;
    }
    if (resp->status != 200) {
      errors.push_back("gossip: " + DescribeHttpError(*resp));
      return errors;
    }
    auto entries = DecodeGossip(resp->body);
    if (!entries.ok()) {
      errors.push_back("gossip: garbage answer: " + entries.status().message());
      return errors;
    }
    auto held = exchange_->With([](accord::Exchange& ex) { return ex.PeerLogs(); });
    if (!held.ok()) {
      errors.push_back("gossip: " + held.status().message());
      return errors;
    }
    std::set<std::string> seen;
    for (const GossipEntry& e : *entries) {
      if (e.party == exchange_->party() || !seen.insert(e.party).second) continue;
      if (exchange_->accord().FindParty(e.party) == nullptr) continue;
      const accord::PeerLogState* mine = nullptr;
      for (const accord::PeerLogState& l : *held) {
        if (l.party == e.party) mine = &l;
      }
      if (mine == nullptr || mine->checkpoint.empty()) continue;
      if (NoteText(mine->checkpoint) == NoteText(e.note)) continue;
      auto their_size = NoteSize(e.note);
      auto my_size = NoteSize(mine->checkpoint);
      if (!their_size.ok() || !my_size.ok()) {
        errors.push_back("gossip: checkpoint of " + e.party + " from " + p->party +
                         " is malformed");
        continue;
      }
      std::vector<ledger::Hash> proof;
      if (*their_size != *my_size) {
        // The proof comes from the log's own party (it must be able to prove consistency).
        std::string owner_url = ResolveUrl(e.party);
        if (owner_url.empty()) continue;
        uint64_t a = std::min(*their_size, *my_size), b = std::max(*their_size, *my_size);
        auto pr =
            Call(p, owner_url, "GET",
                 "/peer/v1/consistency?from=" + std::to_string(a) + "&to=" + std::to_string(b), "");
        if (!pr.ok() || pr->status != 200) {
          errors.push_back("gossip: no consistency proof " + std::to_string(a) + "->" +
                           std::to_string(b) + " from " + e.party + ": " +
                           (pr.ok() ? DescribeHttpError(*pr) : pr.status().message()));
          continue;
        }
        auto decoded = DecodeProof(pr->body);
        if (!decoded.ok()) {
          errors.push_back("gossip: garbage proof from " + e.party + ": " +
                           decoded.status().message());
          continue;
        }
        proof = std::move(*decoded);
      }
      auto consistent = exchange_->With([&](accord::Exchange& ex) {
        return ex.CheckCheckpoints(e.party, mine->checkpoint, e.note, proof);
      });
      if (!consistent.ok()) {
        errors.push_back("gossip: checkpoint of " + e.party + " from " + p->party + ": " +
                         consistent.status().message());
      } else if (!*consistent) {
        errors.push_back("gossip: " + e.party + " equivocated (alert stored)");
      }
    }
  } catch (const std::exception& e) {
    errors.push_back(std::string("gossip: unexpected exception: ") + e.what());
  }
  return errors;
}

}  // namespace detente::peer
