// accord/shares_schema.h: the tables of shares, retractions and sightings (migration module
// "accord-shares", listed in accord::Migrations(); docs/formats/workflows.md "Shares").
// Internal to the accord module.
//
//   accord_share_objects   one row per (share message, object id) of every share this node
//                          sent or received: who sent it, its seq in the sender's log, the
//                          envelope's tlp. Filled from accord_messages by shares.cc.
//   accord_retractions     one row per (sender, object id, retract message).
//   accord_shares_indexed  the share and retract messages already indexed above.
//   accord_inbound_applied the received share/retract/sighting messages already applied to
//                          the TAXII collections (each exactly once).
//   accord_sightings       the sightings received: one row per (message, sighting id).
// Plus an index of accord_messages by kind (the scans above look only at three kinds).
#pragma once

#include <string_view>

namespace detente::accord::internal {

inline constexpr std::string_view kSharesSqliteSchema = R"sql(
CREATE TABLE accord_share_objects (
  message_id TEXT NOT NULL,
  object_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  seq INTEGER NOT NULL,
  tlp TEXT NOT NULL,
  outgoing INTEGER NOT NULL,
  PRIMARY KEY (message_id, object_id)
);
CREATE INDEX accord_share_objects_object ON accord_share_objects (object_id, outgoing);
CREATE TABLE accord_retractions (
  sender TEXT NOT NULL,
  object_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (sender, object_id, message_id)
);
CREATE TABLE accord_shares_indexed (message_id TEXT PRIMARY KEY);
CREATE TABLE accord_inbound_applied (
  message_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
CREATE TABLE accord_sightings (
  message_id TEXT NOT NULL,
  sighting_id TEXT NOT NULL,
  indicator TEXT NOT NULL,
  party TEXT NOT NULL,
  count INTEGER NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (message_id, sighting_id)
);
CREATE INDEX accord_sightings_indicator ON accord_sightings (indicator, party);
CREATE INDEX accord_messages_by_kind ON accord_messages (kind, sender, seq);
)sql";

inline constexpr std::string_view kSharesPostgresSchema = R"sql(
CREATE TABLE accord_share_objects (message_id TEXT NOT NULL, object_id TEXT NOT NULL,
  sender TEXT NOT NULL, seq BIGINT NOT NULL, tlp TEXT NOT NULL, outgoing INTEGER NOT NULL,
  PRIMARY KEY (message_id, object_id));
CREATE INDEX accord_share_objects_object ON accord_share_objects (object_id, outgoing);
CREATE TABLE accord_retractions (sender TEXT NOT NULL, object_id TEXT NOT NULL,
  message_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (sender, object_id, message_id));
CREATE TABLE accord_shares_indexed (message_id TEXT PRIMARY KEY);
CREATE TABLE accord_inbound_applied (message_id TEXT PRIMARY KEY, kind TEXT NOT NULL,
  applied_at TEXT NOT NULL);
CREATE TABLE accord_sightings (message_id TEXT NOT NULL, sighting_id TEXT NOT NULL,
  indicator TEXT NOT NULL, party TEXT NOT NULL, count BIGINT NOT NULL,
  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, PRIMARY KEY (message_id, sighting_id));
CREATE INDEX accord_sightings_indicator ON accord_sightings (indicator, party);
CREATE INDEX accord_messages_by_kind ON accord_messages (kind, sender, seq);
)sql";

}  // namespace detente::accord::internal
