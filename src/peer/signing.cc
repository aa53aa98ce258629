// peer/signing.cc: the Detente-* request signature headers, the SharedExchange and the
// endpoint overrides of `detente peer url`. Tested by tests/peer/signing_test.cc.
#include <cctype>

#include "peer/peer.h"

namespace detente::peer {

std::string SigningString(std::string_view method, std::string_view target, std::string_view date,
                          std::string_view body) {
  std::string s = "detente-peer/v1\n";
  s += method;
  s += '\n';
  s += target;
  s += '\n';
  s += date;
  s += '\n';
  crypto::Digest d = crypto::Sha256(body);
  s += base::HexEncode(d);
  return s;
}

std::vector<std::pair<std::string, std::string>> SignedHeaders::ToHeaders() const {
  return {{std::string(kPartyHeader), party},
          {std::string(kDateHeader), date},
          {std::string(kSignatureHeader), signature}};
}

SignedHeaders SignRequest(std::string_view party, const crypto::SigningKey& key,
                          std::string_view method, std::string_view target, std::string_view body,
                          const base::Clock& clock) {
  SignedHeaders h;
  h.party = std::string(party);
  h.date = std::to_string(clock.Now().unix_seconds());
  crypto::Signature sig = key.Sign(SigningString(method, target, h.date, body));
  h.signature = base::Base64Encode(sig);
  return h;
}

Result<std::string> VerifyRequest(const accord::Accord& accord, std::string_view party,
                                  std::string_view date, std::string_view signature,
                                  std::string_view method, std::string_view target,
                                  std::string_view body, const base::Clock& clock) {
  if (party.empty()) return base::UnauthenticatedError("missing Detente-Party header");
  if (date.empty()) return base::UnauthenticatedError("missing Detente-Date header");
  if (signature.empty()) return base::UnauthenticatedError("missing Detente-Signature header");
  const accord::Party* p = accord.FindParty(party);
  if (p == nullptr) {
    std::string shown(party.substr(0, 64));
    for (char& c : shown) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
        c = '?';
      }
    }
    return base::UnauthenticatedError("Detente-Party \"" + shown +
                                      "\" is not a party of the accord");
  }
  if (date.size() > 18) return base::UnauthenticatedError("Detente-Date is not unix seconds");
  int64_t seconds = 0;
  for (char c : date) {
    if (c < '0' || c > '9') return base::UnauthenticatedError("Detente-Date is not unix seconds");
    seconds = seconds * 10 + (c - '0');
  }
  int64_t now = clock.Now().unix_seconds();
  int64_t skew = seconds > now ? seconds - now : now - seconds;
  if (skew > kMaxClockSkewSeconds) {
    return base::UnauthenticatedError("Detente-Date is " + std::to_string(skew) +
                                      " s away from this node's clock (at most " +
                                      std::to_string(kMaxClockSkewSeconds) + " s allowed)");
  }
  if (signature.size() > 128) {
    return base::UnauthenticatedError("Detente-Signature is not base64 of 64 bytes");
  }
  auto sig = base::Base64Decode(signature);
  if (!sig.ok() || sig->size() != crypto::kEd25519SignatureSize) {
    return base::UnauthenticatedError("Detente-Signature is not base64 of 64 bytes");
  }
  if (!p->key.Verify(SigningString(method, target, date, body), *sig)) {
    return base::UnauthenticatedError("Detente-Signature is not a valid signature by " + p->name +
                                      " over this request");
  }
  return p->name;
}

SharedExchange::SharedExchange(std::unique_ptr<accord::Exchange> exchange)
    : exchange_(std::move(exchange)), accord_(exchange_->accord()), party_(exchange_->party()) {}

Status SetEndpointOverride(store::Connection& conn, std::string_view party, std::string_view url) {
  RETURN_IF_ERROR(ParseUrl(url).status());
  auto tx = store::Transaction::Begin(conn);
  RETURN_IF_ERROR(tx.status());
  RETURN_IF_ERROR(
      conn.Exec("DELETE FROM accord_peer_endpoints WHERE party = $1", {party}).status());
  RETURN_IF_ERROR(
      conn.Exec("INSERT INTO accord_peer_endpoints (party, url) VALUES ($1, $2)", {party, url})
          .status());
  return tx->Commit();
}

Result<std::map<std::string, std::string>> EndpointOverrides(store::Connection& conn) {
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT party, url FROM accord_peer_endpoints"));
  std::map<std::string, std::string> out;
  while (rows->Next()) out[std::string(rows->Text(0))] = std::string(rows->Text(1));
  RETURN_IF_ERROR(rows->status());
  return out;
}

}  // namespace detente::peer
