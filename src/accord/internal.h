// accord/internal.h: helpers shared by the accord module's sources (not part of its API).
#pragma once

#include <boost/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"
#include "ledger/ledger.h"

namespace detente::accord {
struct Envelope;
struct Accord;
}  // namespace detente::accord

namespace detente::accord::internal {

// [A-Za-z0-9._-]{1,64}, not starting with '.' or '-' (server::CheckSimpleName's rule).
bool IsSimpleName(std::string_view name);
// [a-z][a-z0-9-]{0,31}
bool IsKind(std::string_view kind);
// clear, green, amber, amber+strict, red
bool IsTlp(std::string_view tlp);
bool IsLowerHex(std::string_view s, size_t len);
bool IsCanonicalUuid(std::string_view s);
// Boost.JSON parse with the canonicalizer's depth limit. Errors: kInvalidArgument "<what>: ...".
base::Result<boost::json::value> ParseJson(std::string_view text, std::string_view what);
// The strings of the JSON array `text` (a list column of the accord tables), in order; other
// elements are skipped, and text that is not a JSON array gives an empty list.
std::vector<std::string> ParseStringList(std::string_view text);
// RFC 8785 form of `v`.
std::string Canonical(const boost::json::value& v);
// ["hex", ...] and back (at most ledger::kMaxProofHashes).
std::string HexList(std::span<const ledger::Hash> hashes);
base::Result<std::vector<ledger::Hash>> ParseHexList(std::string_view text);
base::Result<ledger::Hash> ParseHash(std::string_view hex);
// VerifyEnvelope with the accord's hash computed once by the caller.
base::Status VerifyEnvelopeHashed(const Envelope& env, const Accord& accord,
                                  std::string_view accord_hash);

// The fast forms below are for envelopes whose fields are known valid with a canonical body:
// REQUIRES: `env` was returned by Envelope::Parse or signed by SignEnvelope (both validate every
// field and put the body in RFC 8785 form). On any other Envelope they may produce wrong bytes.

// VerifyEnvelopeHashed, serialising the signing bytes directly (same checks, same errors).
base::Status VerifyParsedEnvelope(const Envelope& env, const Accord& accord,
                                  std::string_view accord_hash);
// env.ToJson() (with_sig) or env.SigningBytes() (!with_sig), by concatenation.
std::string ParsedEnvelopeJson(const Envelope& env, bool with_sig);
// EntryHeader(env) with env.Digest() supplied by the caller (lower-case hex SHA-256 of the
// signed envelope's bytes).
std::string ParsedEntryHeader(const Envelope& env, std::string_view digest_hex);

}  // namespace detente::accord::internal
