// match/event_reader.cc: Zeek / Suricata EVE (simdjson On-Demand) and STIX (simdjson DOM) readers.
// Tested by event_reader_test.cc; fuzzed by fuzz/match_events_fuzzer.cc.
// The mapping implemented here is the table in docs/match-fields.md; keep them in step.
#include "match/event_reader.h"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cstring>
#include <deque>
#include <limits>
#include <string>

namespace detente::match {

namespace od = simdjson::ondemand;
using base::InvalidArgumentError;
using base::Status;

namespace {

// ---- The SCO paths the Zeek and Suricata readers emit ------------------------------------------

enum P : int {
  kIpv4Value, kIpv6Value, kNtSrcRef, kNtDstRef, kNtSrcRefValue, kNtDstRefValue, kNtSrcPort,
  kNtDstPort, kNtProtocols, kNtSrcBytes, kNtDstBytes, kNtSrcPackets, kNtDstPackets, kDomainValue,
  kDomainResolves, kDomainResolvesValue, kUrlValue, kHttpMethod, kHttpValue, kHttpVersion,
  kHttpHost, kHttpUserAgent, kHttpReferer, kFileMd5, kFileSha1, kFileSha256, kFileName, kFileMime,
  kFileSize, kX509Version, kX509Serial, kX509Subject, kX509Issuer, kX509NotBefore, kX509NotAfter,
  kX509SigAlg, kX509KeyAlg, kX509Exponent, kX509Sha256, kX509Sha1, kEmailValue, kPathCount
};

struct PathDef {
  std::string_view type;
  std::string_view name;
};

constexpr std::string_view kIpv4 = "ipv4-addr";
constexpr std::string_view kIpv6 = "ipv6-addr";
constexpr std::string_view kNt = "network-traffic";
constexpr std::string_view kDomain = "domain-name";
constexpr std::string_view kUrl = "url";
constexpr std::string_view kFile = "file";
constexpr std::string_view kX509 = "x509-certificate";
constexpr std::string_view kEmail = "email-addr";

constexpr PathDef kPathDefs[kPathCount] = {
    {kIpv4, "value"},
    {kIpv6, "value"},
    {kNt, "src_ref"},
    {kNt, "dst_ref"},
    {kNt, "src_ref.value"},
    {kNt, "dst_ref.value"},
    {kNt, "src_port"},
    {kNt, "dst_port"},
    {kNt, "protocols[*]"},
    {kNt, "src_byte_count"},
    {kNt, "dst_byte_count"},
    {kNt, "src_packets"},
    {kNt, "dst_packets"},
    {kDomain, "value"},
    {kDomain, "resolves_to_refs[*]"},
    {kDomain, "resolves_to_refs[*].value"},
    {kUrl, "value"},
    {kNt, "extensions.'http-request-ext'.request_method"},
    {kNt, "extensions.'http-request-ext'.request_value"},
    {kNt, "extensions.'http-request-ext'.request_version"},
    {kNt, "extensions.'http-request-ext'.request_header.Host"},
    {kNt, "extensions.'http-request-ext'.request_header.'User-Agent'"},
    {kNt, "extensions.'http-request-ext'.request_header.Referer"},
    {kFile, "hashes.MD5"},
    {kFile, "hashes.'SHA-1'"},
    {kFile, "hashes.'SHA-256'"},
    {kFile, "name"},
    {kFile, "mime_type"},
    {kFile, "size"},
    {kX509, "version"},
    {kX509, "serial_number"},
    {kX509, "subject"},
    {kX509, "issuer"},
    {kX509, "validity_not_before"},
    {kX509, "validity_not_after"},
    {kX509, "signature_algorithm"},
    {kX509, "subject_public_key_algorithm"},
    {kX509, "subject_public_key_exponent"},
    {kX509, "hashes.'SHA-256'"},
    {kX509, "hashes.'SHA-1'"},
    {kEmail, "value"},
};

// ---- Known keys -------------------------------------------------------------------------------

enum Ctx : uint8_t { kTop, kDns, kDnsAns, kHttp, kTls, kFileinfo, kFlow };

enum S : uint8_t {
  // Zeek
  sPath, sTs, sOrigH, sOrigP, sRespH, sRespP, sProto, sService, sOrigBytes, sRespBytes,
  sOrigPkts, sRespPkts, sConnState, sHistory, sDuration, sQuery, sQtypeName, sAnswers,
  sRcodeName, sTransId, sMethod, sHost, sUri, sReferrer, sUserAgent, sVersion, sStatusCode,
  sServerName, sSubject, sIssuer, sCipher, sEstablished, sFuid, sTxHosts, sRxHosts, sFilename,
  sMimeType, sMd5, sSha1, sSha256, sTotalBytes, sSeenBytes, sSource, sCertVersion, sCertSerial,
  sCertSubject, sCertIssuer, sCertNotBefore, sCertNotAfter, sCertKeyAlg, sCertSigAlg,
  sCertExponent, sSanDns, sSanIp, sSanEmail, sFingerprint,
  // Suricata
  sTimestamp, sEventType, sSrcIp, sSrcPort, sDestIp, sDestPort, sAppProto, sDnsObj, sHttpObj,
  sTlsObj, sFileObj, sFlowObj, sDnsRrname, sDnsRdata, sDnsAnswers, sDnsQueries, sDnsGrouped,
  sHttpHostname, sHttpUrl, sHttpUa, sHttpMethod, sHttpRefer, sHttpProtocol, sTlsSni, sTlsSubject,
  sTlsIssuer, sTlsSerial, sTlsFingerprint, sTlsNotBefore, sTlsNotAfter, sFiFilename, sFiMd5,
  sFiSha1, sFiSha256, sFiSize, sFlowBytesToServer, sFlowBytesToClient, sFlowPktsToServer,
  sFlowPktsToClient,
  kSlotCount
};

// kPresence: only whether the key is there matters (it tells the Zeek log type apart); the
// value is not parsed.
enum class Kind : uint8_t { kScalar, kList, kObject, kObjArray, kGrouped, kPresence };

struct KeyDef {
  Ctx ctx;
  std::string_view key;
  S slot;
  Kind kind;
  Ctx child;
};

constexpr KeyDef kKeys[] = {
    {kTop, "_path", sPath, Kind::kScalar, kTop},
    {kTop, "ts", sTs, Kind::kScalar, kTop},
    {kTop, "id.orig_h", sOrigH, Kind::kScalar, kTop},
    {kTop, "id.orig_p", sOrigP, Kind::kScalar, kTop},
    {kTop, "id.resp_h", sRespH, Kind::kScalar, kTop},
    {kTop, "id.resp_p", sRespP, Kind::kScalar, kTop},
    {kTop, "proto", sProto, Kind::kScalar, kTop},
    {kTop, "service", sService, Kind::kScalar, kTop},
    {kTop, "orig_bytes", sOrigBytes, Kind::kScalar, kTop},
    {kTop, "resp_bytes", sRespBytes, Kind::kScalar, kTop},
    {kTop, "orig_pkts", sOrigPkts, Kind::kScalar, kTop},
    {kTop, "resp_pkts", sRespPkts, Kind::kScalar, kTop},
    {kTop, "conn_state", sConnState, Kind::kPresence, kTop},
    {kTop, "history", sHistory, Kind::kPresence, kTop},
    {kTop, "duration", sDuration, Kind::kPresence, kTop},
    {kTop, "query", sQuery, Kind::kScalar, kTop},
    {kTop, "qtype_name", sQtypeName, Kind::kPresence, kTop},
    {kTop, "answers", sAnswers, Kind::kList, kTop},
    {kTop, "rcode_name", sRcodeName, Kind::kPresence, kTop},
    {kTop, "trans_id", sTransId, Kind::kPresence, kTop},
    {kTop, "method", sMethod, Kind::kScalar, kTop},
    {kTop, "host", sHost, Kind::kScalar, kTop},
    {kTop, "uri", sUri, Kind::kScalar, kTop},
    {kTop, "referrer", sReferrer, Kind::kScalar, kTop},
    {kTop, "user_agent", sUserAgent, Kind::kScalar, kTop},
    {kTop, "version", sVersion, Kind::kScalar, kTop},
    {kTop, "status_code", sStatusCode, Kind::kPresence, kTop},
    {kTop, "server_name", sServerName, Kind::kScalar, kTop},
    {kTop, "subject", sSubject, Kind::kScalar, kTop},
    {kTop, "issuer", sIssuer, Kind::kScalar, kTop},
    {kTop, "cipher", sCipher, Kind::kPresence, kTop},
    {kTop, "established", sEstablished, Kind::kPresence, kTop},
    {kTop, "fuid", sFuid, Kind::kPresence, kTop},
    {kTop, "tx_hosts", sTxHosts, Kind::kList, kTop},
    {kTop, "rx_hosts", sRxHosts, Kind::kList, kTop},
    {kTop, "filename", sFilename, Kind::kScalar, kTop},
    {kTop, "mime_type", sMimeType, Kind::kScalar, kTop},
    {kTop, "md5", sMd5, Kind::kScalar, kTop},
    {kTop, "sha1", sSha1, Kind::kScalar, kTop},
    {kTop, "sha256", sSha256, Kind::kScalar, kTop},
    {kTop, "total_bytes", sTotalBytes, Kind::kScalar, kTop},
    {kTop, "seen_bytes", sSeenBytes, Kind::kPresence, kTop},
    {kTop, "source", sSource, Kind::kPresence, kTop},
    {kTop, "certificate.version", sCertVersion, Kind::kScalar, kTop},
    {kTop, "certificate.serial", sCertSerial, Kind::kScalar, kTop},
    {kTop, "certificate.subject", sCertSubject, Kind::kScalar, kTop},
    {kTop, "certificate.issuer", sCertIssuer, Kind::kScalar, kTop},
    {kTop, "certificate.not_valid_before", sCertNotBefore, Kind::kScalar, kTop},
    {kTop, "certificate.not_valid_after", sCertNotAfter, Kind::kScalar, kTop},
    {kTop, "certificate.key_alg", sCertKeyAlg, Kind::kScalar, kTop},
    {kTop, "certificate.sig_alg", sCertSigAlg, Kind::kScalar, kTop},
    {kTop, "certificate.exponent", sCertExponent, Kind::kScalar, kTop},
    {kTop, "san.dns", sSanDns, Kind::kList, kTop},
    {kTop, "san.ip", sSanIp, Kind::kList, kTop},
    {kTop, "san.email", sSanEmail, Kind::kList, kTop},
    {kTop, "fingerprint", sFingerprint, Kind::kScalar, kTop},
    {kTop, "timestamp", sTimestamp, Kind::kScalar, kTop},
    {kTop, "event_type", sEventType, Kind::kPresence, kTop},
    {kTop, "src_ip", sSrcIp, Kind::kScalar, kTop},
    {kTop, "src_port", sSrcPort, Kind::kScalar, kTop},
    {kTop, "dest_ip", sDestIp, Kind::kScalar, kTop},
    {kTop, "dest_port", sDestPort, Kind::kScalar, kTop},
    {kTop, "app_proto", sAppProto, Kind::kScalar, kTop},
    {kTop, "dns", sDnsObj, Kind::kObject, kDns},
    {kTop, "http", sHttpObj, Kind::kObject, kHttp},
    {kTop, "tls", sTlsObj, Kind::kObject, kTls},
    {kTop, "fileinfo", sFileObj, Kind::kObject, kFileinfo},
    {kTop, "flow", sFlowObj, Kind::kObject, kFlow},
    {kDns, "rrname", sDnsRrname, Kind::kList, kTop},
    {kDns, "rdata", sDnsRdata, Kind::kList, kTop},
    {kDns, "answers", sDnsAnswers, Kind::kObjArray, kDnsAns},
    {kDns, "queries", sDnsQueries, Kind::kObjArray, kDnsAns},
    {kDns, "grouped", sDnsGrouped, Kind::kGrouped, kTop},
    {kDnsAns, "rrname", sDnsRrname, Kind::kList, kTop},
    {kDnsAns, "rdata", sDnsRdata, Kind::kList, kTop},
    {kHttp, "hostname", sHttpHostname, Kind::kScalar, kTop},
    {kHttp, "url", sHttpUrl, Kind::kScalar, kTop},
    {kHttp, "http_user_agent", sHttpUa, Kind::kScalar, kTop},
    {kHttp, "http_method", sHttpMethod, Kind::kScalar, kTop},
    {kHttp, "http_refer", sHttpRefer, Kind::kScalar, kTop},
    {kHttp, "protocol", sHttpProtocol, Kind::kScalar, kTop},
    {kTls, "sni", sTlsSni, Kind::kScalar, kTop},
    {kTls, "subject", sTlsSubject, Kind::kScalar, kTop},
    {kTls, "issuerdn", sTlsIssuer, Kind::kScalar, kTop},
    {kTls, "serial", sTlsSerial, Kind::kScalar, kTop},
    {kTls, "fingerprint", sTlsFingerprint, Kind::kScalar, kTop},
    {kTls, "notbefore", sTlsNotBefore, Kind::kScalar, kTop},
    {kTls, "notafter", sTlsNotAfter, Kind::kScalar, kTop},
    {kFileinfo, "filename", sFiFilename, Kind::kScalar, kTop},
    {kFileinfo, "md5", sFiMd5, Kind::kScalar, kTop},
    {kFileinfo, "sha1", sFiSha1, Kind::kScalar, kTop},
    {kFileinfo, "sha256", sFiSha256, Kind::kScalar, kTop},
    {kFileinfo, "size", sFiSize, Kind::kScalar, kTop},
    {kFlow, "bytes_toserver", sFlowBytesToServer, Kind::kScalar, kTop},
    {kFlow, "bytes_toclient", sFlowBytesToClient, Kind::kScalar, kTop},
    {kFlow, "pkts_toserver", sFlowPktsToServer, Kind::kScalar, kTop},
    {kFlow, "pkts_toclient", sFlowPktsToClient, Kind::kScalar, kTop},
};

// Scalar slots whose value feeds only the listed paths (and, for the Zeek log type, only their
// presence). With EventReader's indexed_paths_only, a slot whose paths no indicator uses has its
// value ignored (presence is still recorded; the On-Demand reader does not even parse it).
// Slots not listed are always read.
struct SlotPaths {
  S slot;
  P paths[2];
  int count;
};
constexpr SlotPaths kSlotPaths[] = {
    {sOrigP, {kNtSrcPort}, 1},          {sRespP, {kNtDstPort}, 1},
    {sSrcPort, {kNtSrcPort}, 1},        {sDestPort, {kNtDstPort}, 1},
    {sProto, {kNtProtocols}, 1},        {sService, {kNtProtocols}, 1},
    {sAppProto, {kNtProtocols}, 1},     {sOrigBytes, {kNtSrcBytes}, 1},
    {sRespBytes, {kNtDstBytes}, 1},     {sOrigPkts, {kNtSrcPackets}, 1},
    {sRespPkts, {kNtDstPackets}, 1},    {sMethod, {kHttpMethod}, 1},
    {sReferrer, {kHttpReferer}, 1},     {sUserAgent, {kHttpUserAgent}, 1},
    {sVersion, {kHttpVersion}, 1},      {sHttpMethod, {kHttpMethod}, 1},
    {sHttpRefer, {kHttpReferer}, 1},    {sHttpUa, {kHttpUserAgent}, 1},
    {sHttpProtocol, {kHttpVersion}, 1}, {sMd5, {kFileMd5}, 1},
    {sSha1, {kFileSha1}, 1},            {sSha256, {kFileSha256}, 1},
    {sFilename, {kFileName}, 1},        {sMimeType, {kFileMime}, 1},
    {sTotalBytes, {kFileSize}, 1},      {sFiFilename, {kFileName}, 1},
    {sFiMd5, {kFileMd5}, 1},            {sFiSha1, {kFileSha1}, 1},
    {sFiSha256, {kFileSha256}, 1},      {sFiSize, {kFileSize}, 1},
    {sFlowBytesToServer, {kNtSrcBytes}, 1}, {sFlowBytesToClient, {kNtDstBytes}, 1},
    {sFlowPktsToServer, {kNtSrcPackets}, 1}, {sFlowPktsToClient, {kNtDstPackets}, 1},
    {sSubject, {kX509Subject}, 1},      {sIssuer, {kX509Issuer}, 1},
    {sCertVersion, {kX509Version}, 1},  {sCertSerial, {kX509Serial}, 1},
    {sCertSubject, {kX509Subject}, 1},  {sCertIssuer, {kX509Issuer}, 1},
    {sCertNotBefore, {kX509NotBefore}, 1}, {sCertNotAfter, {kX509NotAfter}, 1},
    {sCertKeyAlg, {kX509KeyAlg}, 1},    {sCertSigAlg, {kX509SigAlg}, 1},
    {sCertExponent, {kX509Exponent}, 1}, {sFingerprint, {kX509Sha256}, 1},
    {sTlsSubject, {kX509Subject}, 1},   {sTlsIssuer, {kX509Issuer}, 1},
    {sTlsSerial, {kX509Serial}, 1},     {sTlsFingerprint, {kX509Sha1}, 1},
    {sTlsNotBefore, {kX509NotBefore}, 1}, {sTlsNotAfter, {kX509NotAfter}, 1},
};

// Equality of n bytes for short keys, inline (a memcmp call costs more than the compare).
inline bool SameBytes(const char* a, const char* b, size_t n) {
  auto load8 = [](const char* p) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    return x;
  };
  auto load4 = [](const char* p) {
    uint32_t x;
    std::memcpy(&x, p, 4);
    return x;
  };
  if (n >= 8) {
    for (size_t i = 0; i + 8 <= n; i += 8) {
      if (load8(a + i) != load8(b + i)) return false;
    }
    return load8(a + n - 8) == load8(b + n - 8);
  }
  if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A small open-addressing table over (ctx, key), built once. Keys are short and the hash looks
// at the length and three bytes, which separates this fixed key set well.
class KeyTable {
 public:
  // All of kKeys, or those `keep` accepts (by index into kKeys).
  KeyTable() : KeyTable([](size_t) { return true; }) {}
  template <typename Keep>
  explicit KeyTable(Keep keep) {
    table_.fill(-1);
    for (size_t i = 0; i < std::size(kKeys); ++i) {
      if (!keep(i)) continue;
      size_t h = Hash(kKeys[i].ctx, kKeys[i].key);
      while (table_[h] >= 0) h = (h + 1) & kMask;
      table_[h] = static_cast<int16_t>(i);
    }
  }
  const KeyDef* Find(Ctx ctx, std::string_view key) const {
    if (key.empty()) return nullptr;
    size_t h = Hash(ctx, key);
    while (table_[h] >= 0) {
      const KeyDef& d = kKeys[static_cast<size_t>(table_[h])];
      if (d.ctx == ctx && d.key.size() == key.size() && SameBytes(d.key.data(), key.data(),
                                                                  key.size())) {
        return &d;
      }
      h = (h + 1) & kMask;
    }
    return nullptr;
  }

 private:
  // About 100 keys in 1,024 slots: an unknown key (most of an event's) nearly always lands on
  // an empty slot at once.
  static constexpr size_t kBits = 10;
  static constexpr size_t kSize = size_t{1} << kBits;
  static constexpr size_t kMask = kSize - 1;
  // Mixes the context, the length and the first and last (up to) four bytes.
  static size_t Hash(Ctx ctx, std::string_view k) {
    const size_t n = k.size();
    uint64_t head = 0, tail = 0;
    if (n >= 4) {
      uint32_t a, b;
      std::memcpy(&a, k.data(), 4);
      std::memcpy(&b, k.data() + n - 4, 4);
      head = a;
      tail = b;
    } else {
      for (size_t i = 0; i < n; ++i) head = head << 8 | static_cast<unsigned char>(k[i]);
    }
    uint64_t h = (head | tail << 32) ^ (static_cast<uint64_t>(n) << 3 | static_cast<uint64_t>(ctx));
    h *= 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> (64 - kBits));
  }
  std::array<int16_t, kSize> table_;
};

const KeyTable& Keys() {
  static const KeyTable* table = new KeyTable();
  return *table;
}

// Whether a Zeek `_path` names a log type ZeekType() maps without looking at other fields.
bool KnownZeekPath(std::string_view path) {
  return path.starts_with("conn") || path.starts_with("dns") || path.starts_with("http") ||
         path.starts_with("ssl") || path.starts_with("files") || path.starts_with("x509");
}

// Slots whose mere presence creates an object (an x509-certificate) even when their value is
// not read: never dropped from the reduced key table (see EventReader::Impl::reduced_keys).
bool PresenceMakesObject(S s) {
  return s == sSubject || s == sIssuer || s == sTlsSubject || s == sTlsIssuer ||
         s == sTlsSerial || s == sTlsFingerprint;
}

// ---- Address texts (per byte class, sixteen bytes at a time) -----------------------------------
//
// AddIp classifies every address-like value of every event, and a loop that branches on each
// byte's class mispredicts on random addresses; these read the text into SSE2 registers (x86-64
// baseline) and work on byte-class masks. Loads never pass the text's end: a text of 8..16 bytes
// is read as two overlapping 8-byte words, a longer one in 16-byte blocks with the last block
// overlapping its predecessor. Other targets, and the rare shapes below, take the byte loop.

// The byte loop (the definition; the vector paths answer exactly as it does).
bool ScanIpv4Bytes(std::string_view s, int32_t* net16) {
  *net16 = -1;
  if (s.size() < 7 || s.size() > 18) return false;
  int dots = 0;
  bool slash = false;
  unsigned octet = 0;  // the current octet's value, capped at 256
  unsigned digits = 0;
  unsigned first = 256;
  unsigned second = 256;
  for (char c : s) {
    const unsigned d = static_cast<unsigned>(c - '0');
    if (d <= 9) {
      octet = octet * 10 + d;
      if (octet > 256) octet = 256;
      ++digits;
    } else if (c == '.') {
      const unsigned v = digits == 0 ? 256 : octet;
      if (dots == 0) first = v;
      if (dots == 1) second = v;
      ++dots;
      octet = 0;
      digits = 0;
    } else if (c == '/') {
      slash = true;
    } else {
      return false;
    }
  }
  if (dots != 3) return false;
  if (!slash && first <= 255 && second <= 255) *net16 = static_cast<int32_t>(first << 8 | second);
  return true;
}

bool IsIpv6Bytes(std::string_view s) {
  if (s.size() < 2 || s.size() > 49) return false;
  bool colon = false;
  for (char c : s) {
    if (c == ':') {
      colon = true;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                 c == '.' || c == '/')) {
      return false;
    }
  }
  return colon;
}

#if defined(__SSE2__)
inline uint64_t Load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
inline uint32_t Load4(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

// Bytes [0, n) of `s` for 7 <= n <= 16, zeros after.
inline __m128i LoadShort(const char* s, size_t n) {
  uint64_t lo, hi = 0;
  if (n >= 8) {
    lo = Load8(s);
    if (n > 8) hi = Load8(s + n - 8) >> (8 * (16 - n));
  } else {  // n == 7: bytes 0..3 and 3..6 (byte 3 twice, the same value)
    lo = static_cast<uint64_t>(Load4(s)) | static_cast<uint64_t>(Load4(s + 3)) << 24;
  }
  return _mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(lo));
}

inline unsigned Mask(__m128i m) { return static_cast<unsigned>(_mm_movemask_epi8(m)); }
inline __m128i IsDigit(__m128i v) {
  const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
  return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
}
#endif

// Whether `s` looks like an IPv4 address or block (digits, three dots, maybe a '/'), and, in one
// pass, *net16 = a << 8 | b for a text "a.b.<rest>" with a and b non-empty decimal <= 255 and no
// '/' anywhere (exactly what CidrTrie::MayContainV4Text reads), else -1.
bool ScanIpv4(std::string_view s, int32_t* net16) {
#if defined(__SSE2__)
  const size_t n = s.size();
  if (n < 7 || n > 15) return n >= 7 && n <= 18 && ScanIpv4Bytes(s, net16);
  *net16 = -1;
  const __m128i v = LoadShort(s.data(), n);
  const unsigned all = (1u << n) - 1;
  const unsigned digit = Mask(IsDigit(v));
  const unsigned dot = Mask(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
  const unsigned slash = Mask(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')));
  if (((digit | dot | slash) & all) != all) return false;  // bytes past n are zeros: no class
  if (dot == 0) return false;
  const unsigned p1 = static_cast<unsigned>(__builtin_ctz(dot));
  unsigned rest = dot & (dot - 1);
  if (rest == 0) return false;
  const unsigned p2 = static_cast<unsigned>(__builtin_ctz(rest));
  rest &= rest - 1;
  if (rest == 0 || (rest & (rest - 1)) != 0) return false;  // not exactly three dots
  if (slash != 0) return true;
  const unsigned len1 = p1;
  const unsigned len2 = p2 - p1 - 1;
  if (len1 > 3 || len2 > 3) return ScanIpv4Bytes(s, net16);  // leading zeros: rare
  alignas(16) unsigned char b[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(b), _mm_sub_epi8(v, _mm_set1_epi8('0')));
  auto octet = [&](unsigned at, unsigned len) {
    // len <= 3 and at + 2 < 16; the bytes read past the octet are not used.
    const unsigned c0 = b[at], c1 = b[at + 1], c2 = b[at + 2];
    const unsigned two = c0 * 10 + c1;
    const unsigned values[4] = {256, c0, two, two * 10 + c2};
    return values[len];
  };
  const unsigned first = octet(0, len1);
  const unsigned second = octet(p1 + 1, len2);
  if (first <= 255 && second <= 255) *net16 = static_cast<int32_t>(first << 8 | second);
  return true;
#else
  return ScanIpv4Bytes(s, net16);
#endif
}

bool IsIpv6(std::string_view s) {
#if defined(__SSE2__)
  const size_t n = s.size();
  if (n < 7 || n > 49) return IsIpv6Bytes(s);
  auto classes = [](__m128i v, unsigned* colon) {
    const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i a = _mm_sub_epi8(lower, _mm_set1_epi8('a'));
    const __m128i hex = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(5)), a);
    const __m128i c = _mm_cmpeq_epi8(v, _mm_set1_epi8(':'));
    *colon = Mask(c);
    const __m128i ok = _mm_or_si128(
        _mm_or_si128(IsDigit(v), hex),
        _mm_or_si128(c, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('/')))));
    return Mask(ok);
  };
  unsigned colon = 0;
  if (n <= 16) {
    const unsigned all = n == 16 ? 0xFFFFu : (1u << n) - 1;
    if ((classes(LoadShort(s.data(), n), &colon) & all) != all) return false;
    return (colon & all) != 0;
  }
  bool any_colon = false;
  for (size_t i = 0;; i += 16) {
    const size_t at = i + 16 <= n ? i : n - 16;  // the last block overlaps the one before
    unsigned c;
    if (classes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + at)), &c) != 0xFFFFu) {
      return false;
    }
    any_colon |= c != 0;
    if (at + 16 >= n) break;
  }
  return any_colon;
#else
  return IsIpv6Bytes(s);
#endif
}

bool HasUpper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

std::string_view Lower(Arena* arena, std::string_view s) {
  if (!HasUpper(s)) return s;
  std::string_view copy = arena->Copy(s);
  char* p = const_cast<char*>(copy.data());
  for (size_t i = 0; i < copy.size(); ++i) {
    if (p[i] >= 'A' && p[i] <= 'Z') p[i] = static_cast<char>(p[i] - 'A' + 'a');
  }
  return copy;
}

// "a:b:c" -> "abc" (Suricata writes fingerprints colon-separated).
std::string_view StripColons(Arena* arena, std::string_view s) {
  if (s.find(':') == std::string_view::npos) return s;
  std::string tmp;
  tmp.reserve(s.size());
  for (char c : s) {
    if (c != ':') tmp.push_back(c);
  }
  return arena->Copy(tmp);
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

Status JsonError(simdjson::error_code e) {
  return InvalidArgumentError(std::string("invalid JSON: ") + simdjson::error_message(e));
}

// Longest key we look for is 28 bytes; scanning a little further than that finds the quote of
// every key we know, and a longer key is unknown anyway.
constexpr size_t kMaxKeyScan = 40;

struct SlotValue {
  uint32_t gen = 0;
  Value value;
};

}  // namespace

base::Result<EventFormat> ParseEventFormat(std::string_view name) {
  if (name == "auto") return EventFormat::kAuto;
  if (name == "stix") return EventFormat::kStix;
  if (name == "zeek") return EventFormat::kZeek;
  if (name == "suricata" || name == "eve") return EventFormat::kSuricata;
  return InvalidArgumentError("unknown event format '" + std::string(name) +
                              "' (expected auto, stix, zeek or suricata)");
}

std::string_view EventFormatName(EventFormat format) {
  switch (format) {
    case EventFormat::kAuto: return "auto";
    case EventFormat::kStix: return "stix";
    case EventFormat::kZeek: return "zeek";
    case EventFormat::kSuricata: return "suricata";
  }
  return "auto";
}

EventFormat SniffFormat(std::string_view doc) {
  // A cheap textual look: the formats differ in their signature members.
  if (doc.find("\"event_type\"") != std::string_view::npos) return EventFormat::kSuricata;
  size_t t = doc.find("\"type\"");
  if (t != std::string_view::npos) {
    size_t colon = doc.find(':', t + 6);
    if (colon != std::string_view::npos) {
      size_t q = doc.find('"', colon);
      if (q != std::string_view::npos && q - colon < 16) {
        std::string_view rest = doc.substr(q + 1, 40);
        if (rest.starts_with("bundle\"") || rest.starts_with("observed-data\"") ||
            rest.find("\"") != std::string_view::npos) {
          // Any string-valued "type" that is not a Zeek field: treat as STIX.
          if (doc.find("\"_path\"") == std::string_view::npos &&
              doc.find("\"ts\"") == std::string_view::npos) {
            return EventFormat::kStix;
          }
        }
      }
    }
  }
  return EventFormat::kZeek;
}

struct EventReader::Impl {
  Impl(const PathRegistry& registry, bool indexed_only)
      : paths(registry), indexed_paths_only(indexed_only) {
    for (int i = 0; i < kPathCount; ++i) {
      std::string full = std::string(kPathDefs[i].type) + ":" + std::string(kPathDefs[i].name);
      ids[static_cast<size_t>(i)] = paths.Find(full);
    }
    for (int i = 0; i < kPathCount; ++i) {
      if (kPathDefs[i].type == kNt && ids[static_cast<size_t>(i)] != kNoPath) nt_needed = true;
    }
    if (!indexed_paths_only) nt_needed = true;
    if (indexed_paths_only) {
      for (const SlotPaths& sp : kSlotPaths) {
        bool used = false;
        for (int i = 0; i < sp.count; ++i) used |= ids[static_cast<size_t>(sp.paths[i])] != kNoPath;
        skip_value[sp.slot] = !used;
      }
    }
    if (indexed_paths_only) {
      reduced_keys = std::make_unique<KeyTable>([this](size_t i) {
        const KeyDef& d = kKeys[i];
        if (d.kind == Kind::kPresence) return d.slot == sEventType;
        if (d.kind == Kind::kScalar && skip_value[d.slot]) return PresenceMakesObject(d.slot);
        return true;
      });
    }
    for (int i = 0; i < 2 && alloc_error == simdjson::SUCCESS; ++i) {
      alloc_error = od_parsers[i].allocate(1 << 16, kMaxDepth);
      if (alloc_error == simdjson::SUCCESS) alloc_error = flat_doms[i].allocate(1 << 16, kMaxDepth);
    }
  }

  const PathRegistry& paths;
  const bool indexed_paths_only;
  std::array<bool, kSlotCount> skip_value{};  // see kSlotPaths
  // Whether the network-traffic object is built: with indexed_paths_only, only when some
  // network-traffic path is indexed (otherwise it would carry no property at all).
  bool nt_needed = false;
  simdjson::error_code alloc_error = simdjson::SUCCESS;
  std::array<uint32_t, kPathCount> ids{};
  // Zeek/Suricata lines: the DOM fast path (depth-limited to kMaxDepth) and the On-Demand
  // fallback (see ReadFlat). Two of each, used by turns, so that the strings of one event stay
  // valid while the next is read (the caller may overlap matching an event with reading the
  // next; event_reader.h).
  od::parser od_parsers[2] = {od::parser{kMaxDocumentBytes}, od::parser{kMaxDocumentBytes}};
  simdjson::dom::parser flat_doms[2] = {simdjson::dom::parser{kMaxDocumentBytes},
                                        simdjson::dom::parser{kMaxDocumentBytes}};
  int turn = 0;
  simdjson::dom::parser dom{kMaxDocumentBytes};
  std::array<SlotValue, kSlotCount> slots{};
  uint32_t gen = 0;
  std::vector<std::pair<S, std::string_view>> multi;
  Observation* obs = nullptr;
  int32_t nt = -1;  // the network-traffic object of the current event

  // STIX: SCOs seen on earlier lines, by id (bounded).
  std::unordered_map<std::string, std::string> sco_cache;
  std::deque<std::string> sco_order;
  std::string scratch;

  bool Has(S s) const { return slots[s].gen == gen; }
  const Value& Get(S s) const { return slots[s].value; }
  std::string_view Str(S s) const {
    return Has(s) && slots[s].value.kind == ValueKind::kString ? slots[s].value.s
                                                               : std::string_view();
  }

  // ---- On-Demand pass ----
  simdjson::error_code ReadScalar(od::value& v, Value* out) {
    od::json_type t;
    if (auto e = v.type().get(t)) return e;
    switch (t) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return e;
        *out = Value::String(s);
        return simdjson::SUCCESS;
      }
      case od::json_type::number: {
        od::number_type nt_;
        if (auto e = v.get_number_type().get(nt_)) return e;
        if (nt_ == od::number_type::signed_integer) {
          int64_t i;
          if (auto e = v.get_int64().get(i)) return e;
          *out = Value::Int(i);
        } else if (nt_ == od::number_type::unsigned_integer) {
          uint64_t u;
          if (auto e = v.get_uint64().get(u)) return e;
          *out = Value::Float(static_cast<double>(u));
        } else {
          double d;
          if (auto e = v.get_double().get(d)) return e;
          *out = Value::Float(d);
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return e;
        *out = Value::Bool(b);
        return simdjson::SUCCESS;
      }
      case od::json_type::null:
        *out = Value::Null();
        return simdjson::SUCCESS;
      default:
        *out = Value::Null();  // array/object where a scalar was expected: ignored
        return simdjson::SUCCESS;
    }
  }

  simdjson::error_code ReadList(od::value& v, S slot) {
    od::json_type t;
    if (auto e = v.type().get(t)) return e;
    if (t == od::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return e;
      multi.emplace_back(slot, s);
      return simdjson::SUCCESS;
    }
    if (t != od::json_type::array) return simdjson::SUCCESS;
    od::array arr;
    if (auto e = v.get_array().get(arr)) return e;
    for (auto el : arr) {
      od::value item;
      if (auto e = el.get(item)) return e;
      od::json_type it;
      if (auto e = item.type().get(it)) return e;
      if (it != od::json_type::string) continue;
      std::string_view s;
      if (auto e = item.get_string().get(s)) return e;
      if (multi.size() < kMaxProperties) multi.emplace_back(slot, s);
    }
    return simdjson::SUCCESS;
  }

  // Reads the members of an object in context `ctx`. Nested objects are handled by the caller's
  // fixed structure (at most three levels), never by recursion on the input.
  simdjson::error_code ReadObject(od::object& object, Ctx ctx, int level) {
    for (auto f : object) {
      od::field field;
      if (auto e = std::move(f).get(field)) return e;
      // The raw key up to its closing quote (stage 1 has checked that the string is closed);
      // a key with an escape is unescaped first (the DOM path sees unescaped keys too).
      const char* raw = field.key().raw();
      size_t len = 0;
      while (len < kMaxKeyScan && raw[len] != '"' && raw[len] != '\\') ++len;
      if (len == kMaxKeyScan) continue;
      std::string_view key(raw, len);
      if (raw[len] != '"') {
        // An escaped key: compare its unescaped text, as the DOM path does.
        if (auto e = field.unescaped_key().get(key)) return e;
      }
      const KeyDef* def = Keys().Find(ctx, key);
      if (def == nullptr) continue;
      od::value v = field.value();
      switch (def->kind) {
        case Kind::kPresence:
          slots[def->slot].gen = gen;
          break;
        case Kind::kScalar: {
          if (skip_value[def->slot]) {
            // Only presence matters (no indicator uses what this value maps to).
            bool is_null = false;
            if (auto e = v.is_null().get(is_null)) return e;
            if (!is_null) {
              slots[def->slot].value = Value::Null();
              slots[def->slot].gen = gen;
            }
            break;
          }
          Value val;
          if (auto e = ReadScalar(v, &val)) return e;
          if (val.kind != ValueKind::kNull) {
            slots[def->slot].value = val;
            slots[def->slot].gen = gen;
          }
          break;
        }
        case Kind::kList:
          if (auto e = ReadList(v, def->slot)) return e;
          break;
        case Kind::kObject: {
          if (level >= 1) break;
          od::json_type t;
          if (auto e = v.type().get(t)) return e;
          if (t != od::json_type::object) break;
          od::object child;
          if (auto e = v.get_object().get(child)) return e;
          slots[def->slot].gen = gen;
          if (auto e = ReadObject(child, def->child, level + 1)) return e;
          break;
        }
        case Kind::kObjArray: {
          if (level >= 2) break;
          od::json_type t;
          if (auto e = v.type().get(t)) return e;
          if (t != od::json_type::array) break;
          od::array arr;
          if (auto e = v.get_array().get(arr)) return e;
          for (auto el : arr) {
            od::value item;
            if (auto e = el.get(item)) return e;
            od::json_type it;
            if (auto e = item.type().get(it)) return e;
            if (it != od::json_type::object) continue;
            od::object child;
            if (auto e = item.get_object().get(child)) return e;
            if (auto e = ReadObject(child, def->child, level + 1)) return e;
          }
          break;
        }
        case Kind::kGrouped: {
          od::json_type t;
          if (auto e = v.type().get(t)) return e;
          if (t != od::json_type::object) break;
          od::object grouped;
          if (auto e = v.get_object().get(grouped)) return e;
          for (auto g : grouped) {
            od::field gf;
            if (auto e = std::move(g).get(gf)) return e;
            od::value gv = gf.value();
            if (auto e = ReadList(gv, sDnsRdata)) return e;
          }
          break;
        }
      }
    }
    return simdjson::SUCCESS;
  }

  // ---- Tape pass (the fast path; same mapping as ReadObject) ----
  //
  // Reads the simdjson DOM tape of the line just parsed by flat_dom directly: the tape format is
  // simdjson's documented one (doc/tape.md: one 64-bit word per node, the type in the top byte;
  // '{' / '[' carry the index after their end in the low 32 bits; strings are an offset into the
  // string buffer, which holds a 32-bit length then the bytes; 'l' / 'u' / 'd' are followed by
  // a word with the number). It is stable across simdjson 3.x (checked below); the dom::element
  // API over the same tape costs a call per value.
  static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3, "tape layout checked against simdjson 3.x");
  static constexpr uint64_t kPayload = simdjson::internal::JSON_VALUE_MASK;

  const KeyTable* key_table = &Keys();
  // With indexed_paths_only: kKeys without the keys whose only use is their presence (the Zeek
  // log type inference of ZeekType(), and values skip_value ignores). The tape walk switches to
  // it once `_path` has named a log type ZeekType() maps by name (or from the start for
  // Suricata input, whose emission never reads those slots); a second `_path` seen after the
  // switch (which could name no known type) makes ReadFlat walk the event again in full.
  std::unique_ptr<KeyTable> reduced_keys;
  bool walk_again = false;
  const uint64_t* tape = nullptr;
  const uint8_t* tape_strings = nullptr;

  static char TapeType(uint64_t word) { return static_cast<char>(word >> 56); }
  std::string_view TapeString(size_t i) const {
    const uint8_t* p = tape_strings + (tape[i] & kPayload);
    uint32_t len;
    std::memcpy(&len, p, sizeof(len));
    return std::string_view(reinterpret_cast<const char*>(p + sizeof(len)), len);
  }
  // The index of the node after the value at i.
  size_t TapeNext(size_t i) const {
    switch (TapeType(tape[i])) {
      case '{':
      case '[':
        return static_cast<uint32_t>(tape[i] & kPayload);
      case 'l':
      case 'u':
      case 'd':
        return i + 2;
      default:
        return i + 1;
    }
  }
  Value TapeScalar(size_t i) const {
    switch (TapeType(tape[i])) {
      case '"':
        return Value::String(TapeString(i));
      case 'l':
        return Value::Int(static_cast<int64_t>(tape[i + 1]));
      case 'u':
        return Value::Float(static_cast<double>(tape[i + 1]));
      case 'd': {
        double d;
        std::memcpy(&d, &tape[i + 1], sizeof(d));
        return Value::Float(d);
      }
      case 't':
        return Value::Bool(true);
      case 'f':
        return Value::Bool(false);
      default:
        return Value::Null();  // null, or an array/object where a scalar was expected
    }
  }

  void TapeList(size_t i, S slot) {
    char type = TapeType(tape[i]);
    if (type == '"') {
      multi.emplace_back(slot, TapeString(i));
      return;
    }
    if (type != '[') return;
    const size_t end = TapeNext(i) - 1;  // the ']'
    for (size_t j = i + 1; j < end; j = TapeNext(j)) {
      if (TapeType(tape[j]) != '"') continue;
      if (multi.size() < kMaxProperties) multi.emplace_back(slot, TapeString(j));
    }
  }

  // Reads the object whose '{' is at tape index i. Nested objects follow the fixed structure of
  // kKeys (at most three levels), never the input.
  void ReadObjectTape(size_t i, Ctx ctx, int level) {
    const size_t end = TapeNext(i) - 1;  // the '}'
    size_t j = i + 1;
    while (j < end) {
      const size_t v = j + 1;  // j is the key, v its value
      const size_t next = TapeNext(v);
      const KeyDef* def = key_table->Find(ctx, TapeString(j));
      j = next;
      if (def == nullptr) continue;
      const char type = TapeType(tape[v]);
      if (def->slot == sPath && reduced_keys != nullptr) {
        if (key_table == reduced_keys.get()) {
          walk_again = true;
        } else if (type == '"' && KnownZeekPath(TapeString(v))) {
          key_table = reduced_keys.get();
        }
      }
      switch (def->kind) {
        case Kind::kPresence:
          slots[def->slot].gen = gen;
          break;
        case Kind::kScalar: {
          if (type == 'n') break;
          SlotValue& slot = slots[def->slot];
          if (skip_value[def->slot]) {
            // Only presence matters (no indicator uses what this value maps to).
            slot.value.kind = ValueKind::kNull;
            slot.gen = gen;
            break;
          }
          if (type == '{' || type == '[') break;
          slot.value = TapeScalar(v);
          slot.gen = gen;
          break;
        }
        case Kind::kList:
          TapeList(v, def->slot);
          break;
        case Kind::kObject:
          if (level >= 1 || type != '{') break;
          slots[def->slot].gen = gen;
          ReadObjectTape(v, def->child, level + 1);
          break;
        case Kind::kObjArray: {
          if (level >= 2 || type != '[') break;
          const size_t aend = next - 1;
          for (size_t k = v + 1; k < aend; k = TapeNext(k)) {
            if (TapeType(tape[k]) == '{') ReadObjectTape(k, def->child, level + 1);
          }
          break;
        }
        case Kind::kGrouped: {
          if (type != '{') break;
          const size_t gend = next - 1;
          for (size_t k = v + 1; k < gend; k = TapeNext(k + 1)) TapeList(k + 1, sDnsRdata);
          break;
        }
      }
    }
  }

  // ---- Emission ----
  uint32_t Id(P p) const { return ids[static_cast<size_t>(p)]; }
  std::string_view Name(P p) const { return kPathDefs[p].name; }
  void Add(uint32_t obj, P p, const Value& v) {
    if (indexed_paths_only && Id(p) == kNoPath) return;
    obs->Add(obj, Id(p), Name(p), v);
  }
  // Add for a string value, without building a Value on the stack first.
  void AddS(uint32_t obj, P p, std::string_view s) {
    if (indexed_paths_only && Id(p) == kNoPath) return;
    obs->AddString(obj, Id(p), Name(p), s);
  }
  void AddDerived(uint32_t obj, P p, Value v, uint32_t from) {
    if (indexed_paths_only && Id(p) == kNoPath) return;
    obs->AddDerived(obj, Id(p), Name(p), v, from);
  }

  // Adds an ipv4-addr / ipv6-addr object; returns its index (or -1 for a non-address).
  int32_t AddIp(std::string_view ip) {
    int32_t net16;
    if (ScanIpv4(ip, &net16)) {
      uint32_t o = obs->AddObject(kIpv4);
      if (!indexed_paths_only || Id(kIpv4Value) != kNoPath) {
        obs->AddIpv4String(o, Id(kIpv4Value), Name(kIpv4Value), ip, net16);
      }
      return static_cast<int32_t>(o);
    }
    if (IsIpv6(ip)) {
      uint32_t o = obs->AddObject(kIpv6);
      AddS(o, kIpv6Value, ip);
      return static_cast<int32_t>(o);
    }
    return -1;
  }

  uint32_t Nt() {
    if (nt < 0) nt = static_cast<int32_t>(obs->AddObject(kNt));
    return static_cast<uint32_t>(nt);
  }

  void AddEndpoint(std::string_view ip, P ref, P ref_value) {
    int32_t o = AddIp(ip);
    if (o < 0 || !nt_needed) return;
    uint32_t n = Nt();
    obs->AddRef(n, Id(ref), Name(ref), static_cast<uint32_t>(o));
    AddDerived(n, ref_value, Value::String(ip), static_cast<uint32_t>(o));
  }

  void AddInt(uint32_t obj, P p, S s) {
    if (!Has(s)) return;
    const Value& v = Get(s);
    if (v.kind == ValueKind::kInt) {
      Add(obj, p, v);
    } else if (v.kind == ValueKind::kFloat && v.f >= 0 && v.f < 9.2e18) {
      Add(obj, p, Value::Int(static_cast<int64_t>(v.f)));
    } else if (v.kind == ValueKind::kString) {
      int64_t x = 0;
      bool ok = !v.s.empty() && v.s.size() < 19;
      for (char c : v.s) {
        if (c < '0' || c > '9') {
          ok = false;
          break;
        }
        x = x * 10 + (c - '0');
      }
      if (ok) Add(obj, p, Value::Int(x));
    }
  }

  void AddStr(uint32_t obj, P p, std::string_view s) {
    if (!s.empty()) AddS(obj, p, s);
  }

  void AddProtocols(std::string_view list) {
    // "ssl,http" (Zeek service) -> protocols "ssl", "http"; all lower-case (STIX 2.1 3.4.11).
    if (!nt_needed) return;
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string_view::npos) comma = list.size();
      std::string_view p = list.substr(start, comma - start);
      if (!p.empty() && p != "-" && p != "failed") {
        AddS(Nt(), kNtProtocols, Lower(&obs->arena, p));
      }
      start = comma + 1;
    }
  }

  void AddDomainOrIp(std::string_view name) {
    if (name.empty()) return;
    if (AddIp(name) >= 0) return;
    uint32_t d = obs->AddObject(kDomain);
    AddS(d, kDomainValue, name);
  }

  void AddTime(S s) {
    if (!Has(s)) return;
    const Value& v = Get(s);
    EventTime t;
    if (v.kind == ValueKind::kFloat) t = TimeFromEpochDouble(v.f);
    if (v.kind == ValueKind::kInt) t = TimeFromEpochDouble(static_cast<double>(v.i));
    if (v.kind == ValueKind::kString) t = ParseTimeText(v.s);
    if (t.valid) {
      obs->first_observed = t;
      obs->last_observed = t;
    }
  }

  // A certificate validity time: Zeek writes epoch seconds, Suricata "2016-05-12T00:00:00".
  void AddCertTime(uint32_t obj, P p, S s) {
    if (!Has(s)) return;
    const Value& v = Get(s);
    EventTime t;
    if (v.kind == ValueKind::kFloat) t = TimeFromEpochDouble(v.f);
    if (v.kind == ValueKind::kInt) t = TimeFromEpochDouble(static_cast<double>(v.i));
    if (v.kind == ValueKind::kString) t = ParseTimeText(v.s);
    if (!t.valid) return;
    t.digits = 0;
    AddS(obj, p, obs->arena.Copy(FormatStixTime(t)));
  }

  enum class ZeekLog { kConn, kDns, kHttp, kSsl, kFiles, kX509, kOther };

  ZeekLog ZeekType() const {
    std::string_view path = Str(sPath);
    if (!path.empty()) {
      if (path.starts_with("conn")) return ZeekLog::kConn;
      if (path.starts_with("dns")) return ZeekLog::kDns;
      if (path.starts_with("http")) return ZeekLog::kHttp;
      if (path.starts_with("ssl")) return ZeekLog::kSsl;
      if (path.starts_with("files")) return ZeekLog::kFiles;
      if (path.starts_with("x509")) return ZeekLog::kX509;
    }
    // No (or an unknown) _path: infer from the fields each log has and the others lack.
    if (Has(sCertSerial) || Has(sCertSubject) || Has(sCertVersion)) return ZeekLog::kX509;
    if (Has(sFuid) && (Has(sMd5) || Has(sSha1) || Has(sSha256) || Has(sMimeType) ||
                       Has(sSource) || Has(sSeenBytes) || Has(sTotalBytes) || Has(sFilename))) {
      return ZeekLog::kFiles;
    }
    if (Has(sQuery) || Has(sQtypeName) || Has(sRcodeName) || Has(sTransId)) return ZeekLog::kDns;
    if (Has(sMethod) || Has(sUri) || Has(sUserAgent) || Has(sStatusCode)) return ZeekLog::kHttp;
    if (Has(sServerName) || Has(sCipher) || Has(sEstablished)) return ZeekLog::kSsl;
    if (Has(sConnState) || Has(sHistory) || Has(sOrigBytes) || Has(sDuration) ||
        Has(sService)) {
      return ZeekLog::kConn;
    }
    return ZeekLog::kOther;
  }

  bool EmitZeek() {
    AddTime(sTs);
    ZeekLog log = ZeekType();
    if (Has(sOrigH)) AddEndpoint(Str(sOrigH), kNtSrcRef, kNtSrcRefValue);
    if (Has(sRespH)) AddEndpoint(Str(sRespH), kNtDstRef, kNtDstRefValue);
    if (nt >= 0) {
      AddInt(Nt(), kNtSrcPort, sOrigP);
      AddInt(Nt(), kNtDstPort, sRespP);
      if (Has(sProto)) AddProtocols(Str(sProto));
    }
    switch (log) {
      case ZeekLog::kConn:
        if (Has(sService)) AddProtocols(Str(sService));
        if (nt >= 0) {
          AddInt(Nt(), kNtSrcBytes, sOrigBytes);
          AddInt(Nt(), kNtDstBytes, sRespBytes);
          AddInt(Nt(), kNtSrcPackets, sOrigPkts);
          AddInt(Nt(), kNtDstPackets, sRespPkts);
        }
        break;
      case ZeekLog::kDns: {
        std::string_view q = Str(sQuery);
        int32_t domain = -1;
        if (!q.empty()) {
          domain = static_cast<int32_t>(obs->AddObject(kDomain));
          AddS(static_cast<uint32_t>(domain), kDomainValue, q);
        }
        for (const auto& [slot, s] : multi) {
          if (slot != sAnswers) continue;
          int32_t ip = AddIp(s);
          if (ip >= 0) {
            if (domain >= 0) {
              obs->AddRef(static_cast<uint32_t>(domain), Id(kDomainResolves),
                          Name(kDomainResolves), static_cast<uint32_t>(ip));
              AddDerived(static_cast<uint32_t>(domain), kDomainResolvesValue, Value::String(s),
                         static_cast<uint32_t>(ip));
            }
          } else if (s.find(' ') == std::string_view::npos && s.find('.') != s.npos) {
            uint32_t d = obs->AddObject(kDomain);
            AddS(d, kDomainValue, s);
          }
        }
        break;
      }
      case ZeekLog::kHttp: {
        std::string_view host = Str(sHost);
        std::string_view uri = Str(sUri);
        std::string_view bare = host;
        // Strip a ":port" from the Host header (not from a bare IPv6 address).
        size_t colon = host.rfind(':');
        if (colon != std::string_view::npos && host.find(':') == colon) {
          bare = host.substr(0, colon);
        }
        AddDomainOrIp(bare);
        if (!uri.empty() && (uri.starts_with("http://") || uri.starts_with("https://"))) {
          uint32_t u = obs->AddObject(kUrl);
          AddS(u, kUrlValue, uri);
        } else if (!host.empty()) {
          uint32_t u = obs->AddObject(kUrl);
          AddS(u, kUrlValue, obs->arena.Concat("http://", host, uri));
        }
        if (!nt_needed) break;
        uint32_t n = Nt();
        AddStr(n, kHttpMethod, Str(sMethod));
        AddStr(n, kHttpValue, uri);
        if (Has(sVersion) && Get(sVersion).kind == ValueKind::kString) {
          AddS(n, kHttpVersion, obs->arena.Concat("http/", Str(sVersion)));
        }
        AddStr(n, kHttpHost, host);
        AddStr(n, kHttpUserAgent, Str(sUserAgent));
        AddStr(n, kHttpReferer, Str(sReferrer));
        break;
      }
      case ZeekLog::kSsl: {
        AddDomainOrIp(Str(sServerName));
        if (Has(sSubject) || Has(sIssuer)) {
          uint32_t x = obs->AddObject(kX509);
          AddStr(x, kX509Subject, Str(sSubject));
          AddStr(x, kX509Issuer, Str(sIssuer));
        }
        break;
      }
      case ZeekLog::kFiles: {
        uint32_t f = obs->AddObject(kFile);
        AddStr(f, kFileMd5, Str(sMd5));
        AddStr(f, kFileSha1, Str(sSha1));
        AddStr(f, kFileSha256, Str(sSha256));
        AddStr(f, kFileName, Str(sFilename));
        AddStr(f, kFileMime, Str(sMimeType));
        if (Has(sTotalBytes)) {
          AddInt(f, kFileSize, sTotalBytes);
        }
        for (const auto& [slot, s] : multi) {
          if (slot == sTxHosts || slot == sRxHosts) AddIp(s);
        }
        break;
      }
      case ZeekLog::kX509: {
        uint32_t x = obs->AddObject(kX509);
        if (Has(sCertVersion)) {
          const Value& v = Get(sCertVersion);
          if (v.kind == ValueKind::kInt) {
            AddS(x, kX509Version, obs->arena.Copy(std::to_string(v.i)));
          } else if (v.kind == ValueKind::kString) {
            Add(x, kX509Version, v);
          }
        }
        AddStr(x, kX509Serial, Str(sCertSerial));
        AddStr(x, kX509Subject, Str(sCertSubject));
        AddStr(x, kX509Issuer, Str(sCertIssuer));
        AddCertTime(x, kX509NotBefore, sCertNotBefore);
        AddCertTime(x, kX509NotAfter, sCertNotAfter);
        AddStr(x, kX509SigAlg, Str(sCertSigAlg));
        AddStr(x, kX509KeyAlg, Str(sCertKeyAlg));
        AddInt(x, kX509Exponent, sCertExponent);
        AddStr(x, kX509Sha256, Str(sFingerprint));
        for (const auto& [slot, s] : multi) {
          if (slot == sSanDns) {
            uint32_t d = obs->AddObject(kDomain);
            AddS(d, kDomainValue, s);
          } else if (slot == sSanIp) {
            AddIp(s);
          } else if (slot == sSanEmail) {
            uint32_t e = obs->AddObject(kEmail);
            AddS(e, kEmailValue, s);
          }
        }
        break;
      }
      case ZeekLog::kOther:
        break;
    }
    return !obs->objects().empty();
  }

  bool EmitSuricata() {
    AddTime(sTimestamp);
    if (Has(sSrcIp)) AddEndpoint(Str(sSrcIp), kNtSrcRef, kNtSrcRefValue);
    if (Has(sDestIp)) AddEndpoint(Str(sDestIp), kNtDstRef, kNtDstRefValue);
    if (nt >= 0) {
      AddInt(Nt(), kNtSrcPort, sSrcPort);
      AddInt(Nt(), kNtDstPort, sDestPort);
      if (Has(sProto)) AddProtocols(Str(sProto));
      if (Has(sAppProto)) AddProtocols(Str(sAppProto));
    }
    if (Has(sDnsObj)) {
      for (const auto& [slot, s] : multi) {
        if (slot == sDnsRrname) {
          AddDomainOrIp(s);
        } else if (slot == sDnsRdata) {
          if (AddIp(s) < 0 && s.find('.') != s.npos && s.find(' ') == s.npos) {
            uint32_t d = obs->AddObject(kDomain);
            AddS(d, kDomainValue, s);
          }
        }
      }
    }
    if (Has(sHttpObj)) {
      std::string_view host = Str(sHttpHostname);
      std::string_view url = Str(sHttpUrl);
      AddDomainOrIp(host);
      if (!url.empty() && (url.starts_with("http://") || url.starts_with("https://"))) {
        uint32_t u = obs->AddObject(kUrl);
        AddS(u, kUrlValue, url);
      } else if (!host.empty()) {
        uint32_t u = obs->AddObject(kUrl);
        AddS(u, kUrlValue, obs->arena.Concat("http://", host, url));
      }
      if (nt_needed) {
        uint32_t n = Nt();
        AddStr(n, kHttpMethod, Str(sHttpMethod));
        AddStr(n, kHttpValue, url);
        if (Has(sHttpProtocol)) {
          AddS(n, kHttpVersion, Lower(&obs->arena, Str(sHttpProtocol)));
        }
        AddStr(n, kHttpHost, host);
        AddStr(n, kHttpUserAgent, Str(sHttpUa));
        AddStr(n, kHttpReferer, Str(sHttpRefer));
      }
    }
    if (Has(sTlsObj)) {
      AddDomainOrIp(Str(sTlsSni));
      if (Has(sTlsSubject) || Has(sTlsIssuer) || Has(sTlsSerial) || Has(sTlsFingerprint)) {
        uint32_t x = obs->AddObject(kX509);
        AddStr(x, kX509Subject, Str(sTlsSubject));
        AddStr(x, kX509Issuer, Str(sTlsIssuer));
        AddStr(x, kX509Serial, Str(sTlsSerial));
        if (Has(sTlsFingerprint)) {
          AddStr(x, kX509Sha1, StripColons(&obs->arena, Str(sTlsFingerprint)));
        }
        AddCertTime(x, kX509NotBefore, sTlsNotBefore);
        AddCertTime(x, kX509NotAfter, sTlsNotAfter);
      }
    }
    if (Has(sFileObj)) {
      uint32_t f = obs->AddObject(kFile);
      AddStr(f, kFileName, Str(sFiFilename));
      AddStr(f, kFileMd5, Str(sFiMd5));
      AddStr(f, kFileSha1, Str(sFiSha1));
      AddStr(f, kFileSha256, Str(sFiSha256));
      AddInt(f, kFileSize, sFiSize);
    }
    if (Has(sFlowObj) && nt >= 0) {
      AddInt(Nt(), kNtSrcBytes, sFlowBytesToServer);
      AddInt(Nt(), kNtDstBytes, sFlowBytesToClient);
      AddInt(Nt(), kNtSrcPackets, sFlowPktsToServer);
      AddInt(Nt(), kNtDstPackets, sFlowPktsToClient);
    }
    return !obs->objects().empty();
  }

  // Emits the SCOs from the slots filled by ReadObject / ReadObjectDom.
  Status Finish(EventFormat format, ReaderStats* stats) {
    bool suricata = format == EventFormat::kSuricata ||
                    (format != EventFormat::kZeek && Has(sEventType));
    bool any = suricata ? EmitSuricata() : EmitZeek();
    if (!any) {
      ++stats->unrecognised_events;
    } else if (suricata) {
      ++stats->suricata_events;
    } else {
      ++stats->zeek_events;
    }
    return base::OkStatus();
  }

  // ---- STIX (DOM) ----

  // Canonical pattern form of one property name: bare when an identifier, else quoted.
  void AppendStep(std::string* out, std::string_view name) {
    if (!out->empty()) out->push_back('.');
    if (IsIdentifier(name)) {
      out->append(name);
    } else {
      out->push_back('\'');
      out->append(name);
      out->push_back('\'');
    }
  }

  uint32_t FindPath(std::string_view type, std::string_view name) {
    scratch.assign(type);
    scratch.push_back(':');
    scratch.append(name);
    return paths.Find(scratch);
  }

  Status FlattenSco(uint32_t index, simdjson::dom::object sco,
                    const std::unordered_map<std::string_view, uint32_t>& local_ids) {
    std::string_view type = obs->objects()[index].type;
    struct Frame {
      simdjson::dom::element el;
      std::string prefix;  // canonical path so far
      size_t depth;
    };
    std::vector<Frame> stack;
    for (auto [key, value] : sco) {
      if (key == "type" || key == "id" || key == "spec_version" || key == "defanged" ||
          key == "object_marking_refs" || key == "granular_markings") {
        continue;
      }
      std::string name;
      AppendStep(&name, key);
      bool is_ref = key.ends_with("_ref");
      bool is_refs = key.ends_with("_refs");
      if (is_ref && value.is_string()) {
        auto it = local_ids.find(std::string_view(value.get_string().value_unsafe()));
        if (it != local_ids.end()) {
          std::string_view n = obs->arena.Copy(name);
          obs->AddRef(index, FindPath(type, n), n, it->second);
        }
        continue;
      }
      if (is_refs && value.is_array()) {
        std::string_view n = obs->arena.Concat(name, "[*]");
        simdjson::dom::array ref_list;
        if (value.get_array().get(ref_list) != simdjson::SUCCESS) continue;
        for (auto item : ref_list) {
          if (!item.is_string()) continue;
          auto it = local_ids.find(std::string_view(item.get_string().value_unsafe()));
          if (it != local_ids.end()) obs->AddRef(index, FindPath(type, n), n, it->second);
        }
        continue;
      }
      stack.push_back({value, std::move(name), 1});
    }
    while (!stack.empty()) {
      Frame f = std::move(stack.back());
      stack.pop_back();
      if (obs->properties().size() >= kMaxProperties) {
        return InvalidArgumentError("observation has more than " +
                                    std::to_string(kMaxProperties) + " properties");
      }
      if (f.depth > kMaxDepth) {
        return InvalidArgumentError("property '" + f.prefix + "' nested deeper than " +
                                    std::to_string(kMaxDepth));
      }
      switch (f.el.type()) {
        case simdjson::dom::element_type::OBJECT: {
          simdjson::dom::object members;
          if (f.el.get(members) != simdjson::SUCCESS) break;
          for (auto [key, value] : members) {
            std::string name = f.prefix;
            AppendStep(&name, key);
            stack.push_back({value, std::move(name), f.depth + 1});
          }
          break;
        }
        case simdjson::dom::element_type::ARRAY: {
          simdjson::dom::array items;
          if (f.el.get(items) != simdjson::SUCCESS) break;
          for (auto item : items) {
            stack.push_back({item, f.prefix + "[*]", f.depth + 1});
          }
          break;
        }
        default: {
          Value v;
          simdjson::dom::element el = f.el;
          switch (el.type()) {
            case simdjson::dom::element_type::STRING:
              v = Value::String(el.get_string().value_unsafe());
              break;
            case simdjson::dom::element_type::INT64:
              v = Value::Int(el.get_int64().value_unsafe());
              break;
            case simdjson::dom::element_type::UINT64:
              v = Value::Float(static_cast<double>(el.get_uint64().value_unsafe()));
              break;
            case simdjson::dom::element_type::DOUBLE:
              v = Value::Float(el.get_double().value_unsafe());
              break;
            case simdjson::dom::element_type::BOOL:
              v = Value::Bool(el.get_bool().value_unsafe());
              break;
            default:
              v = Value::Null();
          }
          std::string_view n = obs->arena.Copy(f.prefix);
          obs->Add(index, FindPath(type, n), n, v);
        }
      }
    }
    return base::OkStatus();
  }

  // Adds the dereferenced copies: for each ref property "x_ref" of object o pointing at t, each
  // plain property "p" of t becomes "x_ref.p" on o (one level; deeper chains are left to the
  // reference evaluator).
  void AddDerived() {
    const size_t n = obs->properties().size();
    // Properties grouped by object, so the work is linear in the properties (not quadratic).
    std::vector<std::vector<uint32_t>> by_object(obs->objects().size());
    for (size_t i = 0; i < n; ++i) {
      const Property& p = obs->properties()[i];
      if (p.ref < 0 && !p.derived) by_object[p.object].push_back(static_cast<uint32_t>(i));
    }
    for (size_t i = 0; i < n; ++i) {
      Property ref = obs->properties()[i];
      if (ref.ref < 0) continue;
      std::string_view otype = obs->objects()[ref.object].type;
      for (uint32_t j : by_object[static_cast<size_t>(ref.ref)]) {
        if (obs->properties().size() >= kMaxProperties) return;
        const Property p = obs->properties()[j];
        std::string_view name = obs->arena.Concat(ref.name, ".", p.name);
        obs->AddDerived(ref.object, FindPath(otype, name), name, p.value,
                        static_cast<uint32_t>(ref.ref));
      }
    }
  }

  Status BuildStixObservation(simdjson::dom::object od_obj,
                              const std::unordered_map<std::string_view, simdjson::dom::object>&
                                  bundle_objects,
                              const std::function<Status(Observation&)>& fn) {
    obs->Clear();
    std::string_view id;
    if (od_obj["id"].get(id) == simdjson::SUCCESS) obs->observed_data_id = id;
    std::string_view first, last;
    if (od_obj["first_observed"].get(first) == simdjson::SUCCESS) {
      obs->first_observed = ParseTimeText(first);
    }
    if (od_obj["last_observed"].get(last) == simdjson::SUCCESS) {
      obs->last_observed = ParseTimeText(last);
    }
    if (!obs->last_observed.valid) obs->last_observed = obs->first_observed;
    int64_t number = 1;
    if (od_obj["number_observed"].get(number) == simdjson::SUCCESS && number > 0) {
      obs->number_observed = number;
    }
    std::vector<std::pair<uint32_t, simdjson::dom::object>> scos;
    std::unordered_map<std::string_view, uint32_t> local_ids;
    simdjson::dom::array refs;
    simdjson::dom::object embedded;
    if (od_obj["object_refs"].get(refs) == simdjson::SUCCESS) {
      for (auto r : refs) {
        std::string_view ref;
        if (r.get(ref) != simdjson::SUCCESS) continue;
        if (scos.size() >= kMaxObjects) {
          return InvalidArgumentError("observed-data " + std::string(id) + " has more than " +
                                      std::to_string(kMaxObjects) + " objects");
        }
        auto it = bundle_objects.find(ref);
        simdjson::dom::object sco;
        if (it != bundle_objects.end()) {
          sco = it->second;
        } else {
          auto c = sco_cache.find(std::string(ref));
          if (c == sco_cache.end()) continue;  // a dangling ref: nothing to match against
          // Each cached SCO is parsed by its own parser so that all stay valid together.
          cache_parsers.push_back(std::make_unique<simdjson::dom::parser>());
          simdjson::dom::element el;
          if (cache_parsers.back()->parse(c->second).get(el) != simdjson::SUCCESS) continue;
          if (el.get(sco) != simdjson::SUCCESS) continue;
        }
        std::string_view type;
        if (sco["type"].get(type) != simdjson::SUCCESS) continue;
        uint32_t index = obs->AddObject(type, ref);
        local_ids.emplace(ref, index);
        scos.emplace_back(index, sco);
      }
    } else if (od_obj["objects"].get(embedded) == simdjson::SUCCESS) {
      // STIX 2.0: objects keyed by local names, refs use those names.
      for (auto [key, value] : embedded) {
        simdjson::dom::object sco;
        if (value.get(sco) != simdjson::SUCCESS) continue;
        std::string_view type;
        if (sco["type"].get(type) != simdjson::SUCCESS) continue;
        if (scos.size() >= kMaxObjects) {
          return InvalidArgumentError("observed-data has more than " +
                                      std::to_string(kMaxObjects) + " objects");
        }
        uint32_t index = obs->AddObject(type, {});
        local_ids.emplace(key, index);
        scos.emplace_back(index, sco);
      }
    }
    for (auto& [index, sco] : scos) {
      RETURN_IF_ERROR(FlattenSco(index, sco, local_ids));
    }
    AddDerived();
    ++stix_count;
    Status s = fn(*obs);
    cache_parsers.clear();
    return s;
  }

  void Remember(std::string_view id, std::string_view raw) {
    if (sco_cache.count(std::string(id)) != 0) return;
    if (sco_order.size() >= kMaxStixCache) {
      sco_cache.erase(sco_order.front());
      sco_order.pop_front();
    }
    sco_order.emplace_back(id);
    sco_cache.emplace(std::string(id), std::string(raw));
  }

  std::vector<std::unique_ptr<simdjson::dom::parser>> cache_parsers;
  uint64_t stix_count = 0;
};

EventReader::EventReader(const PathRegistry& paths, bool indexed_paths_only)
    : impl_(std::make_unique<Impl>(paths, indexed_paths_only)) {}
EventReader::~EventReader() = default;

Status EventReader::ReadFlat(std::string_view line, EventFormat format, Observation* obs) {
  Impl& m = *impl_;
  obs->Clear();
  obs->source_text = line;
  if (line.size() > kMaxDocumentBytes) {
    return InvalidArgumentError("event larger than " + std::to_string(kMaxDocumentBytes) +
                                " bytes");
  }
  ++m.gen;
  if (m.gen == 0) {  // wrapped: reset the generations
    for (auto& s : m.slots) s.gen = 0;
    m.gen = 1;
  }
  m.multi.clear();
  m.obs = obs;
  m.nt = -1;
  if (m.alloc_error != simdjson::SUCCESS) return JsonError(m.alloc_error);
  // Fast path: the DOM parser (simdjson's runtime-dispatched SIMD kernels, strings unescaped
  // and numbers parsed in its stage 2) and a walk of its tape. It validates the whole line and
  // refuses nesting deeper than kMaxDepth; a line it refuses goes through the On-Demand reader
  // below, which skips unknown values unparsed (so a deep or malformed value in a field we do
  // not map is no error there) and produces the error message otherwise.
  m.turn ^= 1;
  simdjson::dom::parser& flat_dom = m.flat_doms[m.turn];
  simdjson::dom::element dom_root;
  if (flat_dom.parse(line.data(), line.size(), false).get(dom_root) == simdjson::SUCCESS) {
    if (!dom_root.is_object()) return InvalidArgumentError("event is not a JSON object");
    m.tape = flat_dom.doc.tape.get();
    m.tape_strings = flat_dom.doc.string_buf.get();
    m.walk_again = false;
    m.key_table = m.reduced_keys != nullptr && format == EventFormat::kSuricata
                      ? m.reduced_keys.get()
                      : &Keys();
    m.ReadObjectTape(1, kTop, 0);  // tape[0] is the root word, tape[1] the event's '{'
    if (m.walk_again) {  // see reduced_keys
      m.multi.clear();
      m.key_table = &Keys();
      m.ReadObjectTape(1, kTop, 0);
    }
    return m.Finish(format, &stats_);
  }
  od::document doc;
  if (auto e = m.od_parsers[m.turn].iterate(line.data(), line.size(),
                                            line.size() + simdjson::SIMDJSON_PADDING)
                   .get(doc)) {
    return JsonError(e);
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    if (e == simdjson::INCORRECT_TYPE) return InvalidArgumentError("event is not a JSON object");
    return JsonError(e);
  }
  if (auto e = m.ReadObject(root, kTop, 0)) return JsonError(e);
  return m.Finish(format, &stats_);
}

Status EventReader::ReadStix(std::string_view document,
                             const std::function<Status(Observation&)>& fn) {
  Impl& m = *impl_;
  if (document.size() > kMaxDocumentBytes) {
    return InvalidArgumentError("STIX document larger than " +
                                std::to_string(kMaxDocumentBytes) + " bytes");
  }
  simdjson::dom::element root;
  if (auto e = m.dom.parse(document.data(), document.size(), true).get(root)) return JsonError(e);
  simdjson::dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) {
    return InvalidArgumentError("STIX document is not a JSON object");
  }
  std::string_view type;
  if (obj["type"].get(type) != simdjson::SUCCESS) {
    return InvalidArgumentError("STIX object has no string 'type'");
  }
  Observation local;
  m.obs = &local;
  uint64_t before = m.stix_count;
  Status status;
  if (type == "bundle") {
    simdjson::dom::array objects;
    if (obj["objects"].get(objects) != simdjson::SUCCESS) {
      return InvalidArgumentError("bundle has no 'objects' array");
    }
    std::unordered_map<std::string_view, simdjson::dom::object> by_id;
    std::vector<simdjson::dom::object> observed;
    for (auto el : objects) {
      simdjson::dom::object o;
      if (el.get(o) != simdjson::SUCCESS) continue;
      std::string_view t, id;
      if (o["type"].get(t) != simdjson::SUCCESS) continue;
      if (o["id"].get(id) == simdjson::SUCCESS) by_id.emplace(id, o);
      if (t == "observed-data") observed.push_back(o);
    }
    for (auto& o : observed) {
      status = m.BuildStixObservation(o, by_id, fn);
      if (!status.ok()) break;
    }
  } else if (type == "observed-data") {
    status = m.BuildStixObservation(obj, {}, fn);
  } else {
    std::string_view id;
    if (obj["id"].get(id) == simdjson::SUCCESS) {
      m.Remember(id, document);
    }
  }
  stats_.stix_observations += m.stix_count - before;
  return status;
}

}  // namespace detente::match
