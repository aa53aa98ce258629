// accord/shares.cc: shares, retractions and sightings on a node (workflows.h; formats in
// docs/formats/workflows.md "Shares, retractions and sightings"). Tested by
// tests/accord/shares_test.cc and tests/integration/shares_test.cc.
//
// Bookkeeping (tables in shares_schema.h): every share and retract message this node holds,
// sent or received, is indexed once into accord_share_objects / accord_retractions (catch-up
// from accord_messages at the start of each operation, so nothing depends on a second
// transaction after Exchange::Originate or Accept). Received messages are applied to the TAXII
// collections by ApplyInbound: the taxii Repository opens its own transaction for every
// AddObjects / DeleteObject (the store has no nested transactions), so a message is applied
// by idempotent steps first (exact duplicates are not stored twice, deletes repeat harmlessly)
// and marked applied last; a crash in between re-applies it with the same result.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <boost/json.hpp>

#include "accord/accord.h"
#include "accord/internal.h"
#include "stix/stix.h"
#include "taxii/taxii.h"

namespace detente::accord {
namespace {

namespace json = boost::json;
using store::Value;

constexpr size_t kMaxShareObjects = 100'000;
constexpr size_t kMaxRetractIds = 10'000;
constexpr size_t kMaxReasonBytes = 4096;

int TlpRank(std::string_view tlp) {
  if (tlp == "clear") return 0;
  if (tlp == "green") return 1;
  if (tlp == "amber") return 2;
  if (tlp == "amber+strict") return 3;
  if (tlp == "red") return 4;
  return -1;
}

std::string_view TlpUpper(std::string_view tlp) {
  if (tlp == "clear") return "TLP:CLEAR";
  if (tlp == "green") return "TLP:GREEN";
  if (tlp == "amber") return "TLP:AMBER";
  if (tlp == "amber+strict") return "TLP:AMBER+STRICT";
  if (tlp == "red") return "TLP:RED";
  return tlp;
}

// Received under one of these, an object may not leave its named recipients.
bool IsRestricted(std::string_view tlp) { return TlpRank(tlp) >= 2; }

// Whether `id` (an object id from a message body) can be indexed: 1..256 bytes, no control
// character. A partner's body is signed but not trusted, and PostgreSQL's TEXT refuses a NUL
// (SQLSTATE 22021), which would otherwise fail every later indexing run on that node.
bool StorableId(std::string_view id) {
  if (id.empty() || id.size() > 256) return false;
  return std::none_of(id.begin(), id.end(), [](char c) { return static_cast<uint8_t>(c) < 0x20; });
}

std::string StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The strictest TLP marking of one STIX object (object and granular markings), or "".
std::string ObjectTlp(const json::object& o) {
  std::vector<std::string> ids;
  if (const json::value* refs = o.if_contains("object_marking_refs"); refs && refs->is_array()) {
    for (const auto& r : refs->as_array()) {
      if (r.is_string()) ids.emplace_back(r.as_string());
    }
  }
  if (const json::value* g = o.if_contains("granular_markings"); g && g->is_array()) {
    for (const auto& m : g->as_array()) {
      if (!m.is_object()) continue;
      std::string ref = StringMember(m.as_object(), "marking_ref");
      if (!ref.empty()) ids.push_back(std::move(ref));
    }
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  auto level = stix::StrictestTlp(views);
  return level ? std::string(stix::TlpLevelName(*level)) : std::string();
}

std::string Stricter(const std::string& a, const std::string& b) {
  return TlpRank(b) > TlpRank(a) ? b : a;
}

// One parsed STIX object.
struct Obj {
  std::string id;
  std::string type;
  std::string tlp;  // its own strictest TLP marking, "" when none
  json::value value;
};

// Splits `stix_json` (a bundle, an array of objects, one object or NDJSON) into validated
// objects. Errors: kInvalidArgument naming the object (index, id, JSON Pointer).
Result<std::vector<Obj>> ReadObjects(std::string_view stix_json) {
  stix::StringByteSource source(stix_json);
  stix::ObjectReader reader(&source);
  stix::Validator validator;
  stix::Report report;
  stix::RawItem item;
  std::vector<Obj> out;
  size_t n = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&item));
    if (!more) break;
    if (item.kind == stix::RawItem::Kind::kError) {
      return base::InvalidArgumentError("STIX input line " + std::to_string(item.line) + ": " +
                                        item.error);
    }
    if (item.kind == stix::RawItem::Kind::kBundleEnvelope) {
      validator.ValidateBundleEnvelope(item.json, item.bundle_objects, &report);
      if (!report.valid()) {
        const stix::Issue& e = report.errors.front();
        return base::InvalidArgumentError("STIX bundle (line " + std::to_string(item.line) +
                                          "): " + (e.path.empty() ? "" : e.path + ": ") +
                                          e.message);
      }
      continue;
    }
    validator.Validate(item.json, &report);
    std::string where = "object " + std::to_string(n) +
                        (report.id.empty() ? std::string() : " (" + report.id + ")");
    if (!report.valid()) {
      const stix::Issue& e = report.errors.front();
      return base::InvalidArgumentError(where + ": " + (e.path.empty() ? "" : e.path + ": ") +
                                        e.message);
    }
    if (++n > kMaxShareObjects) {
      return base::InvalidArgumentError("more than " + std::to_string(kMaxShareObjects) +
                                        " objects in one share");
    }
    ASSIGN_OR_RETURN(json::value v, internal::ParseJson(item.json, where));
    if (!v.is_object()) return base::InvalidArgumentError(where + ": not a JSON object");
    Obj o;
    o.id = StringMember(v.as_object(), "id");
    o.type = StringMember(v.as_object(), "type");
    o.tlp = ObjectTlp(v.as_object());
    o.value = std::move(v);
    out.push_back(std::move(o));
  }
  if (out.empty()) return base::InvalidArgumentError("no STIX objects to share");
  return out;
}

struct Row {
  std::string id, sender, kind, created, tlp, body, recipients, received_at;
  int64_t seq = 0;
  bool outgoing = false;
};

// Indexes every share and retract message not indexed yet (one transaction).
Status IndexMessages(store::Connection& conn) {
  std::vector<Row> rows;
  {
    ASSIGN_OR_RETURN(auto r,
                     conn.Query("SELECT m.id, m.sender, m.seq, m.kind, m.tlp, m.body, m.outgoing "
                                "FROM accord_messages m WHERE m.kind IN ('share', 'retract') "
                                "AND NOT EXISTS (SELECT 1 FROM accord_shares_indexed i WHERE "
                                "i.message_id = m.id) ORDER BY m.sender, m.seq"));
    while (r->Next()) {
      Row row;
      row.id = r->Text(0);
      row.sender = r->Text(1);
      row.seq = r->Int64(2);
      row.kind = r->Text(3);
      row.tlp = r->Text(4);
      row.body = r->Text(5);
      row.outgoing = r->Int64(6) != 0;
      rows.push_back(std::move(row));
    }
    RETURN_IF_ERROR(r->status());
  }
  if (rows.empty()) return base::OkStatus();
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(conn));
  for (const Row& m : rows) {
    // A partner's body is signed but not trusted: anything malformed indexes nothing.
    auto body = internal::ParseJson(m.body, "message body");
    const json::array* objects = nullptr;
    if (body.ok() && body->is_object()) {
      if (const json::value* o = body->as_object().if_contains("objects"); o && o->is_array()) {
        objects = &o->as_array();
      }
    }
    if (objects != nullptr) {
      for (const json::value& o : *objects) {
        std::string id;
        if (m.kind == kShare && o.is_object()) id = StringMember(o.as_object(), "id");
        if (m.kind == kRetract && o.is_string()) id = std::string(o.as_string());
        if (!StorableId(id)) continue;
        if (m.kind == kShare) {
          RETURN_IF_ERROR(conn.Exec("INSERT INTO accord_share_objects (message_id, object_id, "
                                    "sender, seq, tlp, outgoing) VALUES ($1, $2, $3, $4, $5, $6) "
                                    "ON CONFLICT DO NOTHING",
                                    {Value(m.id), Value(id), Value(m.sender), Value(m.seq),
                                     Value(m.tlp), Value(m.outgoing ? 1 : 0)})
                              .status());
        } else {
          RETURN_IF_ERROR(conn.Exec("INSERT INTO accord_retractions (sender, object_id, "
                                    "message_id, seq) VALUES ($1, $2, $3, $4) "
                                    "ON CONFLICT DO NOTHING",
                                    {Value(m.sender), Value(id), Value(m.id), Value(m.seq)})
                              .status());
        }
      }
    }
    RETURN_IF_ERROR(conn.Exec("INSERT INTO accord_shares_indexed (message_id) VALUES ($1) "
                              "ON CONFLICT DO NOTHING",
                              {Value(m.id)})
                        .status());
  }
  return tx.Commit();
}

// The TAXII tables exist on every node database (server::NodeMigrations); a bare database (a
// test, a tool) gets them here.
Status EnsureTaxiiSchema(store::Connection& conn) {
  if (conn.in_transaction()) return base::OkStatus();
  return store::Migrate(conn, taxii::Migrations());
}

Status EnsureApiRoot(taxii::Repository& repo, std::string_view api_root, std::string_view party) {
  auto root = repo.GetApiRoot(api_root);
  if (root.ok()) return base::OkStatus();
  if (root.status().code() != base::StatusCode::kNotFound) return root.status();
  taxii::ApiRootInfo info;
  info.name = std::string(api_root);
  info.title = std::string(party) + " TAXII API root";
  Status s = repo.CreateApiRoot(info);
  if (s.code() == base::StatusCode::kAlreadyExists) return base::OkStatus();
  return s;
}

Result<taxii::CollectionInfo> GetOrCreateCollection(taxii::Repository& repo,
                                                    std::string_view api_root,
                                                    std::string_view alias,
                                                    std::string_view title,
                                                    std::string_view party) {
  auto c = repo.GetCollection(api_root, alias);
  if (c.ok() || c.status().code() != base::StatusCode::kNotFound) return c;
  RETURN_IF_ERROR(EnsureApiRoot(repo, api_root, party));
  taxii::CollectionInfo info;
  info.api_root = std::string(api_root);
  info.title = std::string(title);
  info.alias = std::string(alias);
  info.media_types = {std::string(taxii::kStixMediaType)};
  auto made = repo.CreateCollection(info);
  if (!made.ok() && made.status().code() == base::StatusCode::kAlreadyExists) {
    return repo.GetCollection(api_root, alias);  // another process made it meanwhile
  }
  return made;
}

Result<taxii::CollectionInfo> InboundCollection(taxii::Repository& repo, std::string_view root,
                                                std::string_view sender,
                                                std::string_view party) {
  return GetOrCreateCollection(repo, root, "from-" + std::string(sender),
                               "Shared by " + std::string(sender), party);
}

Status MarkApplied(store::Connection& conn, const Row& m, std::string_view now) {
  return conn
      .Exec("INSERT INTO accord_inbound_applied (message_id, kind, applied_at) VALUES ($1, $2, "
            "$3) ON CONFLICT DO NOTHING",
            {Value(m.id), Value(m.kind), Value(now)})
      .status();
}

// The objects of `m` (a received share) that a retraction by the same sender, later in its
// log, has tombstoned.
Result<std::set<std::string>> Tombstoned(store::Connection& conn, const Row& m) {
  std::set<std::string> out;
  ASSIGN_OR_RETURN(auto r, conn.Query("SELECT o.object_id FROM accord_share_objects o JOIN "
                                      "accord_retractions t ON t.sender = o.sender AND "
                                      "t.object_id = o.object_id WHERE o.message_id = $1 AND "
                                      "t.seq > o.seq",
                                      {Value(m.id)}));
  while (r->Next()) out.emplace(r->Text(0));
  RETURN_IF_ERROR(r->status());
  return out;
}

taxii::Filter AllVersions() {
  taxii::Filter f;
  f.version_all = true;
  return f;
}

// Objects of a JSON body member `member` that are JSON objects, serialised (canonical).
std::vector<std::pair<std::string, std::string>> BodyObjects(const std::string& body,
                                                             std::string_view member) {
  std::vector<std::pair<std::string, std::string>> out;  // (id, text)
  auto v = internal::ParseJson(body, "message body");
  if (!v.ok() || !v->is_object()) return out;
  const json::value* a = v->as_object().if_contains(member);
  if (a == nullptr || !a->is_array()) return out;
  for (const json::value& o : a->as_array()) {
    if (!o.is_object()) continue;
    out.emplace_back(StringMember(o.as_object(), "id"), internal::Canonical(o));
  }
  return out;
}

// RFC 3339 with milliseconds, so that times compare as text; "" when `t` is not a time.
std::string NormalTime(const std::string& t) {
  auto ts = base::Timestamp::Parse(t);
  return ts.ok() ? ts->FormatMillis() : std::string();
}

int64_t SightingCount(const json::object& o) {
  const json::value* c = o.if_contains("count");
  if (c == nullptr) return 1;
  if (c->is_int64()) return std::clamp<int64_t>(c->as_int64(), 0, 999'999'999);
  if (c->is_uint64()) return 999'999'999;
  return 1;
}

}  // namespace

Result<Envelope> Workflows::Share(std::span<const std::string> to, std::string_view stix_json,
                                  std::string_view tlp) {
  const Accord& accord = exchange_.accord();
  const std::string& self = exchange_.party();
  if (to.empty()) return base::InvalidArgumentError("name at least one recipient (--to)");
  std::vector<std::string> recipients;
  for (const std::string& p : to) {
    if (p == self) return base::InvalidArgumentError("cannot share with yourself (" + p + ")");
    if (accord.FindParty(p) == nullptr) {
      return base::InvalidArgumentError("\"" + p.substr(0, 64) +
                                        "\" is not a party of the accord");
    }
    recipients.push_back(p);
  }
  std::sort(recipients.begin(), recipients.end());
  recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
  if (!tlp.empty() && TlpRank(tlp) < 0) {
    return base::InvalidArgumentError("tlp \"" + std::string(tlp.substr(0, 32)) +
                                      "\" is not one of clear, green, amber, amber+strict, red");
  }
  ASSIGN_OR_RETURN(std::vector<Obj> objects, ReadObjects(stix_json));

  store::Connection& conn = exchange_.connection();
  RETURN_IF_ERROR(IndexMessages(conn));
  // What this node received under AMBER, AMBER+STRICT or RED stays with its named recipients
  // (unless this node had shared it before it received it: then it is its own).
  for (const Obj& o : objects) {
    std::string first_sent;
    {
      ASSIGN_OR_RETURN(auto r, conn.Query("SELECT m.created FROM accord_share_objects o JOIN "
                                          "accord_messages m ON m.id = o.message_id WHERE "
                                          "o.object_id = $1 AND o.outgoing = 1 ORDER BY "
                                          "m.created LIMIT 1",
                                          {Value(o.id)}));
      if (r->Next()) first_sent = r->Text(0);
      RETURN_IF_ERROR(r->status());
    }
    ASSIGN_OR_RETURN(auto r, conn.Query("SELECT o.sender, o.tlp, o.message_id, m.received_at "
                                        "FROM accord_share_objects o JOIN accord_messages m ON "
                                        "m.id = o.message_id WHERE o.object_id = $1 AND "
                                        "o.outgoing = 0 ORDER BY o.seq, o.sender",
                                        {Value(o.id)}));
    std::string sender, got_tlp, mid;
    while (r->Next()) {
      bool mine_before = !first_sent.empty() && first_sent < r->Text(3);
      if (!mine_before && IsRestricted(r->Text(1)) && TlpRank(r->Text(1)) > TlpRank(got_tlp)) {
        sender = r->Text(0);
        got_tlp = r->Text(1);
        mid = r->Text(2);
      }
    }
    RETURN_IF_ERROR(r->status());
    if (!sender.empty()) {
      return base::PermissionDeniedError(
          o.id + " was received from " + sender + " under " +
          std::string(TlpUpper(got_tlp)) + " (share " + mid +
          "): it may not be shared onward; ask " + sender + " to share it");
    }
  }

  std::string envelope_tlp(tlp);
  for (const Obj& o : objects) envelope_tlp = Stricter(envelope_tlp, o.tlp);
  if (envelope_tlp.empty()) envelope_tlp = accord.tlp_default;

  json::array arr;
  arr.reserve(objects.size());
  for (Obj& o : objects) arr.push_back(std::move(o.value));
  std::string body = internal::Canonical(json::object{{"objects", std::move(arr)}});
  ASSIGN_OR_RETURN(Envelope env, exchange_.Originate(kShare, recipients, body, envelope_tlp));
  RETURN_IF_ERROR(IndexMessages(conn));
  return env;
}

Result<Envelope> Workflows::Retract(std::span<const std::string> object_ids,
                                    std::string_view reason) {
  if (object_ids.empty()) return base::InvalidArgumentError("name at least one object id");
  if (object_ids.size() > kMaxRetractIds) {
    return base::InvalidArgumentError("more than " + std::to_string(kMaxRetractIds) +
                                      " object ids");
  }
  if (reason.empty()) return base::InvalidArgumentError("give a reason (--reason)");
  if (reason.size() > kMaxReasonBytes) {
    return base::InvalidArgumentError("the reason is longer than " +
                                      std::to_string(kMaxReasonBytes) + " bytes");
  }
  for (size_t i = 0; i < object_ids.size(); ++i) {
    if (!StorableId(object_ids[i])) {
      return base::InvalidArgumentError("object id " + std::to_string(i) +
                                        ": empty, longer than 256 bytes or holding a control "
                                        "character");
    }
  }
  store::Connection& conn = exchange_.connection();
  RETURN_IF_ERROR(IndexMessages(conn));
  std::set<std::string> ids(object_ids.begin(), object_ids.end());
  std::set<std::string> shares;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(auto r, conn.Query("SELECT message_id FROM accord_share_objects WHERE "
                                        "object_id = $1 AND outgoing = 1",
                                        {Value(id)}));
    bool any = false;
    while (r->Next()) {
      shares.emplace(r->Text(0));
      any = true;
    }
    RETURN_IF_ERROR(r->status());
    if (!any) {
      return base::NotFoundError("" + id.substr(0, 256) +
                                 ": this party never shared it (see detente shares)");
    }
  }
  std::set<std::string> to;
  std::string tlp;
  for (const std::string& mid : shares) {
    ASSIGN_OR_RETURN(auto r, conn.Query("SELECT recipients, tlp FROM accord_messages WHERE id = $1",
                                        {Value(mid)}));
    if (!r->Next()) {
      RETURN_IF_ERROR(r->status());
      return base::InternalError("share " + mid + " is indexed but not stored");
    }
    for (std::string& p : internal::ParseStringList(r->Text(0))) to.insert(std::move(p));
    tlp = Stricter(tlp, std::string(r->Text(1)));
  }
  to.erase(exchange_.party());
  if (tlp.empty()) tlp = exchange_.accord().tlp_default;
  json::array arr;
  for (const std::string& id : ids) arr.emplace_back(json::string(id));
  std::string body =
      internal::Canonical(json::object{{"objects", std::move(arr)}, {"reason", reason}});
  std::vector<std::string> recipients(to.begin(), to.end());
  std::vector<std::string> refs(shares.begin(), shares.end());
  ASSIGN_OR_RETURN(Envelope env, exchange_.Originate(kRetract, recipients, body, tlp, refs));
  RETURN_IF_ERROR(IndexMessages(conn));
  return env;
}

Result<Workflows::SightingsSent> Workflows::SendSightings(
    std::span<const std::string> sightings_json) {
  store::Connection& conn = exchange_.connection();
  RETURN_IF_ERROR(IndexMessages(conn));
  stix::Validator validator;
  stix::Report report;
  struct Group {
    json::array sightings;
    std::set<std::string> refs;
    std::string tlp;
    int64_t count = 0;
  };
  std::map<std::string, Group> by_producer;
  SightingsSent out;
  for (size_t i = 0; i < sightings_json.size(); ++i) {
    validator.Validate(sightings_json[i], &report);
    std::string where = "sighting " + std::to_string(i) +
                        (report.id.empty() ? std::string() : " (" + report.id + ")");
    if (!report.valid()) {
      const stix::Issue& e = report.errors.front();
      return base::InvalidArgumentError(where + ": " + (e.path.empty() ? "" : e.path + ": ") +
                                        e.message);
    }
    if (report.type != "sighting") {
      return base::InvalidArgumentError(where + ": type \"" + report.type +
                                        "\" is not a sighting");
    }
    ASSIGN_OR_RETURN(json::value v, internal::ParseJson(sightings_json[i], where));
    std::string indicator = StringMember(v.as_object(), "sighting_of_ref");
    if (indicator.rfind("indicator--", 0) != 0) {
      ++out.skipped;
      continue;
    }
    // The producer: the sender of the first share that brought this indicator here (received
    // at the same instant: the sender first by name, then its log order). Chosen here rather
    // than by ORDER BY, so that no backend's collation or tie order decides.
    std::tuple<std::string, std::string, int64_t, std::string, std::string> first;
    bool found = false;
    {
      ASSIGN_OR_RETURN(auto r, conn.Query("SELECT m.received_at, o.sender, o.seq, o.message_id, "
                                          "o.tlp FROM accord_share_objects o JOIN "
                                          "accord_messages m ON m.id = o.message_id WHERE "
                                          "o.object_id = $1 AND o.outgoing = 0",
                                          {Value(indicator)}));
      while (r->Next()) {
        auto row = std::make_tuple(std::string(r->Text(0)), std::string(r->Text(1)), r->Int64(2),
                                   std::string(r->Text(3)), std::string(r->Text(4)));
        if (!found || row < first) first = std::move(row);
        found = true;
      }
      RETURN_IF_ERROR(r->status());
    }
    if (!found) {
      ++out.skipped;
      continue;
    }
    Group& g = by_producer[std::get<1>(first)];
    g.refs.emplace(std::get<3>(first));
    g.tlp = Stricter(g.tlp, std::get<4>(first));
    g.tlp = Stricter(g.tlp, ObjectTlp(v.as_object()));
    g.sightings.push_back(std::move(v));
    ++g.count;
  }
  for (auto& [producer, g] : by_producer) {
    std::string body = internal::Canonical(json::object{{"sightings", std::move(g.sightings)}});
    std::vector<std::string> to = {producer};
    std::vector<std::string> refs(g.refs.begin(), g.refs.end());
    ASSIGN_OR_RETURN(Envelope env, exchange_.Originate(kSighting, to, body, g.tlp, refs));
    out.messages.push_back(env.id);
    out.sent += g.count;
  }
  return out;
}

Result<int64_t> Workflows::ApplyInbound() {
  store::Connection& conn = exchange_.connection();
  RETURN_IF_ERROR(EnsureTaxiiSchema(conn));
  RETURN_IF_ERROR(IndexMessages(conn));
  std::vector<Row> pending;
  {
    ASSIGN_OR_RETURN(auto r,
                     conn.Query("SELECT m.id, m.sender, m.seq, m.kind, m.created, m.body, "
                                "m.received_at, m.tlp FROM accord_messages m WHERE "
                                "m.outgoing = 0 AND "
                                "m.kind IN ('share', 'retract', 'sighting') AND NOT EXISTS "
                                "(SELECT 1 FROM accord_inbound_applied a WHERE a.message_id = "
                                "m.id) ORDER BY m.sender, m.seq"));
    while (r->Next()) {
      Row m;
      m.id = r->Text(0);
      m.sender = r->Text(1);
      m.seq = r->Int64(2);
      m.kind = r->Text(3);
      m.created = r->Text(4);
      m.body = r->Text(5);
      m.received_at = r->Text(6);
      m.tlp = r->Text(7);
      pending.push_back(std::move(m));
    }
    RETURN_IF_ERROR(r->status());
  }
  if (pending.empty()) return int64_t{0};
  taxii::RepositoryOptions ro;
  ro.clock = const_cast<base::Clock*>(&exchange_.clock());
  taxii::Repository repo(conn, ro);
  const std::string now = exchange_.clock().Now().FormatMillis();
  int64_t applied = 0;
  for (const Row& m : pending) {
    ASSIGN_OR_RETURN(taxii::CollectionInfo coll,
                     InboundCollection(repo, options_.api_root, m.sender, exchange_.party()));
    // Objects are added as at least the message's TLP: unmarked objects of a TLP:RED share stay
    // RED for the collection's TLP policy (the envelope's TLP is the sender's marking of them).
    taxii::RepositoryOptions floor_options = ro;
    for (auto l : {stix::TlpLevel::kClear, stix::TlpLevel::kGreen, stix::TlpLevel::kAmber,
                   stix::TlpLevel::kAmberStrict, stix::TlpLevel::kRed}) {
      if (stix::TlpLevelName(l) == m.tlp) floor_options.min_tlp = l;
    }
    taxii::Repository floored(conn, floor_options);
    if (m.kind == kShare) {
      ASSIGN_OR_RETURN(std::set<std::string> dead, Tombstoned(conn, m));
      std::vector<std::pair<std::string, std::string>> objects = BodyObjects(m.body, "objects");
      std::vector<std::string_view> add;
      for (const auto& [id, text] : objects) {
        if (!dead.contains(id)) add.push_back(text);
      }
      if (!add.empty()) RETURN_IF_ERROR(floored.AddObjects(coll, add).status());
      // A retraction indexed meanwhile (another process) wins over this older share.
      ASSIGN_OR_RETURN(std::set<std::string> dead_now, Tombstoned(conn, m));
      for (const std::string& id : dead_now) {
        if (!dead.contains(id)) RETURN_IF_ERROR(repo.DeleteObject(coll, id, AllVersions()).status());
      }
      ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(conn));
      RETURN_IF_ERROR(MarkApplied(conn, m, now));
      RETURN_IF_ERROR(tx.Commit());
    } else if (m.kind == kRetract) {
      // Delete each object unless a later share by the same sender carried it again.
      std::vector<std::string> doomed;
      {
        ASSIGN_OR_RETURN(auto r, conn.Query("SELECT t.object_id FROM accord_retractions t WHERE "
                                            "t.message_id = $1 AND NOT EXISTS (SELECT 1 FROM "
                                            "accord_share_objects o WHERE o.sender = t.sender "
                                            "AND o.object_id = t.object_id AND o.seq > t.seq)",
                                            {Value(m.id)}));
        while (r->Next()) doomed.emplace_back(r->Text(0));
        RETURN_IF_ERROR(r->status());
      }
      for (const std::string& id : doomed) {
        RETURN_IF_ERROR(repo.DeleteObject(coll, id, AllVersions()).status());
      }
      ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(conn));
      RETURN_IF_ERROR(MarkApplied(conn, m, now));
      RETURN_IF_ERROR(tx.Commit());
    } else {  // sighting
      std::vector<std::pair<std::string, std::string>> objects = BodyObjects(m.body, "sightings");
      struct S {
        std::string id, indicator, first, last;
        int64_t count;
      };
      std::vector<S> rows;
      std::vector<std::string_view> add;
      auto body = internal::ParseJson(m.body, "message body");
      if (body.ok() && body->is_object()) {
        if (const json::value* a = body->as_object().if_contains("sightings"); a && a->is_array()) {
          for (const json::value& v : a->as_array()) {
            if (!v.is_object()) continue;
            const json::object& o = v.as_object();
            S s;
            s.id = StringMember(o, "id");
            s.indicator = StringMember(o, "sighting_of_ref");
            if (StringMember(o, "type") != "sighting" || !StorableId(s.id) ||
                !StorableId(s.indicator)) {
              continue;
            }
            // Times that do not parse are not stored as sent (they would not compare, and may
            // hold what a column cannot): the sighting's created time, else the message's.
            std::string seen_at = NormalTime(StringMember(o, "created"));
            if (seen_at.empty()) seen_at = NormalTime(m.created);
            if (seen_at.empty()) seen_at = m.created;  // an accepted envelope's created
            s.first = NormalTime(StringMember(o, "first_seen"));
            s.last = NormalTime(StringMember(o, "last_seen"));
            if (s.first.empty()) s.first = s.last.empty() ? seen_at : s.last;
            if (s.last.empty()) s.last = s.first;
            s.count = SightingCount(o);
            rows.push_back(std::move(s));
          }
        }
      }
      for (const auto& [id, text] : objects) add.push_back(text);
      if (!add.empty()) RETURN_IF_ERROR(floored.AddObjects(coll, add).status());
      ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(conn));
      for (const S& s : rows) {
        RETURN_IF_ERROR(conn.Exec("INSERT INTO accord_sightings (message_id, sighting_id, "
                                  "indicator, party, count, first_seen, last_seen) VALUES ($1, "
                                  "$2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                                  {Value(m.id), Value(s.id), Value(s.indicator), Value(m.sender),
                                   Value(s.count), Value(s.first), Value(s.last)})
                            .status());
      }
      RETURN_IF_ERROR(MarkApplied(conn, m, now));
      RETURN_IF_ERROR(tx.Commit());
    }
    ++applied;
  }
  return applied;
}

Status Workflows::EnsureCollections() {
  store::Connection& conn = exchange_.connection();
  RETURN_IF_ERROR(EnsureTaxiiSchema(conn));
  taxii::RepositoryOptions ro;
  ro.clock = const_cast<base::Clock*>(&exchange_.clock());
  taxii::Repository repo(conn, ro);
  const std::string& self = exchange_.party();
  for (const Party& p : exchange_.accord().parties) {
    if (p.name == self) continue;
    RETURN_IF_ERROR(InboundCollection(repo, options_.api_root, p.name, self).status());
    RETURN_IF_ERROR(GetOrCreateCollection(repo, options_.api_root, "to-" + p.name,
                                          "Share with " + p.name, self)
                        .status());
  }
  return GetOrCreateCollection(repo, options_.api_root, "to-all", "Share with all partners", self)
      .status();
}

Result<std::vector<ShareInfo>> Workflows::Shares() {
  store::Connection& conn = exchange_.connection();
  RETURN_IF_ERROR(IndexMessages(conn));
  std::vector<ShareInfo> out;
  std::map<std::string, size_t> by_id;
  {
    ASSIGN_OR_RETURN(auto r, conn.Query("SELECT id, sender, recipients, tlp, created, outgoing "
                                        "FROM accord_messages WHERE kind = 'share' ORDER BY "
                                        "created, id"));
    while (r->Next()) {
      ShareInfo s;
      s.id = r->Text(0);
      s.from = r->Text(1);
      s.to = internal::ParseStringList(r->Text(2));
      s.tlp = r->Text(3);
      s.created = r->Text(4);
      s.outgoing = r->Int64(5) != 0;
      by_id[s.id] = out.size();
      out.push_back(std::move(s));
    }
    RETURN_IF_ERROR(r->status());
  }
  {
    ASSIGN_OR_RETURN(auto r, conn.Query("SELECT message_id, object_id FROM accord_share_objects "
                                        "ORDER BY message_id, object_id"));
    while (r->Next()) {
      auto it = by_id.find(std::string(r->Text(0)));
      if (it == by_id.end()) continue;
      out[it->second].object_ids.emplace_back(r->Text(1));
      ++out[it->second].objects;
    }
    RETURN_IF_ERROR(r->status());
  }
  {
    ASSIGN_OR_RETURN(auto r, conn.Query("SELECT DISTINCT o.message_id, o.object_id FROM "
                                        "accord_share_objects o JOIN accord_retractions t ON "
                                        "t.sender = o.sender AND t.object_id = o.object_id AND "
                                        "t.seq > o.seq ORDER BY o.message_id, o.object_id"));
    while (r->Next()) {
      auto it = by_id.find(std::string(r->Text(0)));
      if (it != by_id.end()) out[it->second].retracted.emplace_back(r->Text(1));
    }
    RETURN_IF_ERROR(r->status());
  }
  // Byte-wise order whatever the database's collation (PostgreSQL's ORDER BY on TEXT follows
  // it), so both backends list the same: oldest share first, object ids sorted.
  std::stable_sort(out.begin(), out.end(), [](const ShareInfo& a, const ShareInfo& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  for (ShareInfo& s : out) {
    std::sort(s.object_ids.begin(), s.object_ids.end());
    std::sort(s.retracted.begin(), s.retracted.end());
  }
  return out;
}

Result<std::vector<SightingSummary>> Workflows::Sightings() {
  store::Connection& conn = exchange_.connection();
  RETURN_IF_ERROR(IndexMessages(conn));
  ASSIGN_OR_RETURN(auto r,
                   conn.Query("SELECT s.indicator, s.party, CAST(SUM(s.count) AS BIGINT), MIN(s.first_seen), "
                              "MAX(s.last_seen), COUNT(DISTINCT s.message_id) FROM "
                              "accord_sightings s WHERE EXISTS (SELECT 1 FROM "
                              "accord_share_objects o WHERE o.object_id = s.indicator AND "
                              "o.outgoing = 1) GROUP BY s.indicator, s.party"));
  std::vector<SightingSummary> out;
  while (r->Next()) {
    SightingSummary s;
    s.indicator = r->Text(0);
    s.party = r->Text(1);
    s.count = r->Int64(2);
    s.first_seen = r->Text(3);
    s.last_seen = r->Text(4);
    s.messages = r->Int64(5);
    out.push_back(std::move(s));
  }
  RETURN_IF_ERROR(r->status());
  // By indicator, then party, byte-wise: a PostgreSQL ORDER BY would follow the database's
  // collation (party names may mix case), so every backend lists them in the same order.
  std::sort(out.begin(), out.end(), [](const SightingSummary& a, const SightingSummary& b) {
    return std::tie(a.indicator, a.party) < std::tie(b.indicator, b.party);
  });
  return out;
}

}  // namespace detente::accord
