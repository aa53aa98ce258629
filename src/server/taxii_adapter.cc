// server/taxii_adapter.cc: TaxiiMount. Tested by tests/server/taxii_adapter_test.cc.
#include "server/taxii_adapter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "accord/accord.h"
#include "crypto/crypto.h"
#include "peer/peer.h"
#include "server/policy.h"
#include "stix/stix.h"

namespace detente::server {

// One Service with what it runs on. `current` is the principal of the request it is serving
// (set and read only by the thread that borrowed the instance).
struct TaxiiMount::Instance {
  std::unique_ptr<store::Connection> conn;  // null when the repository is the caller's
  std::unique_ptr<taxii::Repository> own_repo;
  taxii::Repository* repo = nullptr;
  const Principal* current = nullptr;
  std::unique_ptr<taxii::Service> service;
};

TaxiiMount::TaxiiMount(taxii::Repository& repo, taxii::ServiceOptions options)
    : options_(std::move(options)) {
  all_.push_back(MakeInstance(repo));
  idle_.push_back(all_.back().get());
}

TaxiiMount::TaxiiMount(Connector connect, taxii::ServiceOptions options, size_t max_instances)
    : options_(std::move(options)),
      connect_(std::move(connect)),
      max_instances_(max_instances == 0 ? 1 : max_instances) {
  if (options_.cursor_key.empty()) {
    options_.cursor_key.assign(32, '\0');
    crypto::RandomBytes(std::span(reinterpret_cast<uint8_t*>(options_.cursor_key.data()), 32));
  }
}

TaxiiMount::~TaxiiMount() = default;

std::unique_ptr<TaxiiMount::Instance> TaxiiMount::MakeInstance(taxii::Repository& repo) {
  auto inst = std::make_unique<Instance>();
  inst->repo = &repo;
  Instance* self = inst.get();
  taxii::ServiceOptions o = options_;
  // Called by the Service inside Handle(), on the thread that borrowed this instance. The TLP
  // ceiling comes from the collection's policy (policy.h), read on the instance's own
  // connection; if it cannot be read the user gets no access rather than too much.
  o.access = [self](std::string_view, const taxii::CollectionInfo& c) {
    taxii::CollectionAccess a;
    if (self->current == nullptr) return a;
    auto policy = GetTlpPolicy(self->repo->connection(), c.id);
    if (!policy.ok()) return a;
    a.can_read = self->current->CanRead(c.id);
    a.can_write = self->current->CanWrite(c.id);
    a.max_tlp = MaxTlpFor(*policy, self->current->name);
    return a;
  };
  inst->service = std::make_unique<taxii::Service>(repo, std::move(o));
  return inst;
}

base::Result<TaxiiMount::Instance*> TaxiiMount::Acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      Instance* inst = idle_.back();
      idle_.pop_back();
      return inst;
    }
    if (connect_ && all_.size() < max_instances_) {
      // Opening a connection is quick (no network for SQLite; one round trip for PostgreSQL),
      // so it is done under the lock to keep the count exact.
      ASSIGN_OR_RETURN(auto conn, connect_());
      taxii::RepositoryOptions repo_options;
      repo_options.clock = options_.clock;  // date_added and status times, as the Service's
      auto repo = std::make_unique<taxii::Repository>(*conn, repo_options);
      auto inst = MakeInstance(*repo);
      inst->conn = std::move(conn);
      inst->own_repo = std::move(repo);
      all_.push_back(std::move(inst));
      return all_.back().get();
    }
    idle_cv_.wait(lock);
  }
}

void TaxiiMount::Release(Instance* instance) {
  instance->current = nullptr;
  {
    std::lock_guard lock(mu_);
    idle_.push_back(instance);
  }
  idle_cv_.notify_one();
}

void TaxiiMount::MaybeExpireStatuses(Instance& instance) {
  constexpr int64_t kMicros = 1'000'000;
  base::Timestamp now = options_.clock->Now();
  int64_t now_us = now.unix_seconds() * kMicros + now.nanos() / 1000;
  {
    std::lock_guard lock(mu_);
    if (now_us < next_expiry_us_) return;
    next_expiry_us_ = now_us + kStatusExpiryIntervalSeconds * kMicros;
  }
  auto n = instance.repo->ExpireStatuses(now_us - kStatusRetentionSeconds * kMicros);
  if (!n.ok()) {
    // Not the client's problem (its POST is committed); the next run retries.
    spdlog::warn("taxii: expiring status resources: {}", n.status().ToString());
  } else if (*n > 0) {
    spdlog::info("taxii: expired {} status resources older than {} s", *n,
                 kStatusRetentionSeconds);
  }
}

size_t TaxiiMount::instances() {
  std::lock_guard lock(mu_);
  return all_.size();
}

base::Status TaxiiMount::AddRoutes(Router& router) {
  struct Route {
    const char* method;
    const char* pattern;
  };
  static constexpr Route kRoutes[] = {
      {"GET", "/taxii2/"},
      {"GET", "/{api_root}/"},
      {"GET", "/{api_root}/status/{id}/"},
      {"GET", "/{api_root}/collections/"},
      {"GET", "/{api_root}/collections/{id}/"},
      {"GET", "/{api_root}/collections/{id}/manifest/"},
      {"GET", "/{api_root}/collections/{id}/objects/"},
      {"POST", "/{api_root}/collections/{id}/objects/"},
      {"GET", "/{api_root}/collections/{id}/objects/{object_id}/"},
      {"DELETE", "/{api_root}/collections/{id}/objects/{object_id}/"},
      {"GET", "/{api_root}/collections/{id}/objects/{object_id}/versions/"},
  };
  for (const Route& r : kRoutes) {
    RETURN_IF_ERROR(router.Add(r.method, r.pattern, Access::kAuthenticated,
                               [this](const Request& req) { return Handle(req); }));
  }
  // The same paths without their trailing '/' answer 308 with the right Location (TAXII 2.1
  // section 3.1 lets a server redirect; conformance #4). Public: the answer depends only on
  // the path, so it reveals nothing. The bare "/{api_root}" is left out on purpose: it would
  // catch every one-segment path of the node (and clash with other modules' routes).
  for (const Route& r : kRoutes) {
    std::string_view pattern = r.pattern;
    if (pattern == "/{api_root}/") continue;
    pattern.remove_suffix(1);
    RETURN_IF_ERROR(router.Add(r.method, pattern, Access::kPublic, [](const Request& req) {
      std::string location = req.path + "/";
      if (!req.query.empty()) location += "?" + req.query;
      Response resp = Response::Error(308, "Permanent Redirect",
                                      "TAXII paths end with '/': see the Location header");
      resp.SetHeader("Location", location);
      return resp;
    }));
  }
  return base::OkStatus();
}

Response TaxiiMount::Handle(const Request& request) {
  taxii::Request t;
  t.method = request.method;
  auto path = PercentDecode(request.path);
  if (!path.ok()) return Response::Error(400, "Bad Request", path.status().message());
  t.path = std::move(path).value();
  auto query = taxii::ParseQueryString(request.query);
  if (!query.ok()) return Response::Error(400, "Bad Request", query.status().message());
  t.query = std::move(query).value();
  for (const auto& [k, v] : request.headers) t.headers.emplace(k, v);
  t.body = request.body;
  t.user = request.principal ? request.principal->name : "";

  auto inst = Acquire();
  if (!inst.ok()) {
    spdlog::warn("taxii: cannot open a database connection: {}", inst.status().ToString());
    return Response::Error(503, "Service Unavailable", "the database is unavailable");
  }
  // Returned to the pool even if the Service throws (the server's last-resort catch answers).
  struct Returner {
    TaxiiMount* mount;
    Instance* instance;
    ~Returner() { mount->Release(instance); }
  } returner{this, *inst};
  (*inst)->current = request.principal ? &*request.principal : nullptr;
  if (std::optional<Response> refused = Outbound(request, **inst)) return *refused;
  taxii::Response tr = (*inst)->service->Handle(t);

  if (t.method == "POST" && tr.status == 202) MaybeExpireStatuses(**inst);
  if (tr.status >= 500 && !tr.log_message.empty()) {
    spdlog::error("taxii: {} {}: {}", t.method, t.path, tr.log_message);
  }
  Response r;
  r.status = tr.status;
  r.body = std::move(tr.body);
  for (auto& [k, v] : tr.headers) r.headers.emplace_back(k, v);
  return r;
}

std::optional<Response> TaxiiMount::Outbound(const Request& request, Instance& instance) {
  if (!outbound_ || request.method != "POST" || !request.principal) return std::nullopt;
  std::string_view root = request.Param("api_root");
  std::string_view id = request.Param("id");
  if (root != kDefaultApiRoot || id.empty() || !request.Param("object_id").empty()) {
    return std::nullopt;
  }
  auto coll = instance.repo->GetCollection(root, id);
  if (!coll.ok() || coll->alias.rfind("to-", 0) != 0 ||
      !request.principal->CanWrite(coll->id)) {
    return std::nullopt;  // the Service answers (404, 403, or an ordinary POST)
  }
  // Only a POST the Service will store (the same checks, in its order: Accept, Content-Type,
  // max_content_length, the envelope): anything else gets its usual error and nothing is
  // shared, so a partner never receives objects the node then refused to store.
  if (request.HasHeader("accept") && !taxii::AcceptsTaxii(request.Header("accept"))) {
    return std::nullopt;
  }
  if (!taxii::IsTaxiiContentType(request.Header("content-type"))) return std::nullopt;
  auto api_root = instance.repo->GetApiRoot(root);
  if (!api_root.ok() || static_cast<int64_t>(request.body.size()) > api_root->max_content_length) {
    return std::nullopt;
  }
  auto objects = taxii::SplitEnvelope(request.body);
  if (!objects.ok()) return std::nullopt;
  std::vector<std::string> valid;
  stix::Validator validator;
  stix::Report report;
  for (std::string_view o : *objects) {
    validator.Validate(o, &report);
    if (report.valid()) valid.emplace_back(o);
  }
  if (valid.empty()) return std::nullopt;
  base::Status s = outbound_(std::string_view(coll->alias).substr(3), valid);
  if (s.ok()) return std::nullopt;
  spdlog::info("taxii: POST to outbound collection {} by {} refused: {}", coll->alias,
               request.principal->name, s.ToString());
  return Response::FromStatus(s);
}

TaxiiMount::OutboundHook ShareOutbound(peer::SharedExchange* exchange,
                                       std::function<void()> notify) {
  return [exchange, notify = std::move(notify)](
             std::string_view target, std::span<const std::string> objects) -> base::Status {
    std::vector<std::string> to;
    if (target == "all") {
      for (const accord::Party& p : exchange->accord().parties) {
        if (p.name != exchange->party()) to.push_back(p.name);
      }
    } else if (exchange->accord().FindParty(target) != nullptr && target != exchange->party()) {
      to.emplace_back(target);
    } else {
      return base::OkStatus();  // "to-<x>" for a non-partner: an ordinary collection
    }
    std::string array = "[";
    for (size_t i = 0; i < objects.size(); ++i) {
      if (i > 0) array.push_back(',');
      array.append(objects[i]);
    }
    array.push_back(']');
    base::Status s = exchange->With([&](accord::Exchange& ex) {
      return accord::Workflows(ex).Share(to, array).status();
    });
    if (s.ok() && notify) notify();
    return s;
  };
}

}  // namespace detente::server
