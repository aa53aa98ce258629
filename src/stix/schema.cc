// stix/schema.cc: the STIX 2.1 property tables and per-type rules. Tested by validate_test.cc
// (a valid base object per type, then one mutation per rule).
//
// Transcribed from the STIX 2.1 specification (OASIS, with Errata 01): section 2 (data
// types), 3.2 (common properties), 4 (SDOs), 5 (SROs), 6 (SCOs and their predefined
// extensions), 7 (meta objects), 10 (vocabularies and enumerations). Where the official JSON
// schemas disagree with the text, the text wins (e.g. malware.is_family is optional in the
// text we follow; location requires region, country or latitude+longitude).
#include "stix/schema.h"

#include <algorithm>
#include <string>

#include "stix/checker.h"

namespace detente::stix::internal {
namespace {

using simdjson::dom::object;

// ---------------------------------------------------------------------------------------------
// Section 10: vocabularies and enumerations (Errata 01 additions included: rust, legal,
// incident, private-sector).

constexpr std::string_view kAccountTypeVocabValues[] = {
    "facebook", "ldap",    "nis",  "openid",        "radius",         "skype",
    "tacacs",   "twitter", "unix", "windows-local", "windows-domain",
};
constexpr Vocab kAccountTypeVocab{"account-type-ov", kAccountTypeVocabValues};

constexpr std::string_view kAttackMotivationVocabValues[] = {
    "accidental",    "coercion",
    "dominance",     "ideology",
    "notoriety",     "organizational-gain",
    "personal-gain", "personal-satisfaction",
    "revenge",       "unpredictable",
};
constexpr Vocab kAttackMotivationVocab{"attack-motivation-ov", kAttackMotivationVocabValues};

constexpr std::string_view kAttackResourceLevelVocabValues[] = {
    "club", "contest", "team", "organization", "government",
};
constexpr Vocab kAttackResourceLevelVocab{"attack-resource-level-ov",
                                          kAttackResourceLevelVocabValues};

constexpr std::string_view kEncryptionAlgorithmEnumValues[] = {
    "AES-256-GCM",
    "ChaCha20-Poly1305",
    "mime-type-indicated",
};
constexpr Vocab kEncryptionAlgorithmEnum{"encryption-algorithm-enum",
                                         kEncryptionAlgorithmEnumValues};

constexpr std::string_view kExtensionTypeEnumValues[] = {
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension",
};
constexpr Vocab kExtensionTypeEnum{"extension-type-enum", kExtensionTypeEnumValues};

constexpr std::string_view kGroupingContextVocabValues[] = {
    "suspicious-activity",
    "malware-analysis",
    "unspecified",
};
constexpr Vocab kGroupingContextVocab{"grouping-context-ov", kGroupingContextVocabValues};

constexpr std::string_view kHashAlgorithmVocabValues[] = {
    "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH",
};
constexpr Vocab kHashAlgorithmVocab{"hash-algorithm-ov", kHashAlgorithmVocabValues};

constexpr std::string_view kIdentityClassVocabValues[] = {
    "individual", "group", "system", "organization", "class", "unknown",
};
constexpr Vocab kIdentityClassVocab{"identity-class-ov", kIdentityClassVocabValues};

constexpr std::string_view kImplementationLanguageVocabValues[] = {
    "applescript", "bash",         "c",      "c++",         "c#",    "go",
    "java",        "javascript",   "lua",    "objective-c", "perl",  "php",
    "powershell",  "python",       "ruby",   "rust",        "scala", "swift",
    "typescript",  "visual-basic", "x86-32", "x86-64",
};
constexpr Vocab kImplementationLanguageVocab{"implementation-language-ov",
                                             kImplementationLanguageVocabValues};

constexpr std::string_view kIndicatorTypeVocabValues[] = {
    "anomalous-activity", "anonymization", "benign",  "compromised",
    "malicious-activity", "attribution",   "unknown",
};
constexpr Vocab kIndicatorTypeVocab{"indicator-type-ov", kIndicatorTypeVocabValues};

constexpr std::string_view kIndustrySectorVocabValues[] = {
    "agriculture",
    "aerospace",
    "automotive",
    "chemical",
    "commercial",
    "communications",
    "construction",
    "defense",
    "education",
    "energy",
    "entertainment",
    "financial-services",
    "government",
    "emergency-services",
    "government-local",
    "government-national",
    "government-public-services",
    "government-regional",
    "healthcare",
    "hospitality-leisure",
    "infrastructure",
    "dams",
    "nuclear",
    "water",
    "insurance",
    "legal",
    "manufacturing",
    "mining",
    "non-profit",
    "pharmaceuticals",
    "retail",
    "technology",
    "telecommunications",
    "transportation",
    "utilities",
};
constexpr Vocab kIndustrySectorVocab{"industry-sector-ov", kIndustrySectorVocabValues};

constexpr std::string_view kInfrastructureTypeVocabValues[] = {
    "amplification",
    "anonymization",
    "botnet",
    "command-and-control",
    "control-system",
    "exfiltration",
    "firewall",
    "hosting-malware",
    "hosting-target-lists",
    "phishing",
    "reconnaissance",
    "routers-switches",
    "staging",
    "workstation",
    "unknown",
};
constexpr Vocab kInfrastructureTypeVocab{"infrastructure-type-ov", kInfrastructureTypeVocabValues};

constexpr std::string_view kMalwareCapabilitiesVocabValues[] = {
    "accesses-remote-machines",
    "anti-debugging",
    "anti-disassembly",
    "anti-emulation",
    "anti-memory-forensics",
    "anti-sandbox",
    "anti-vm",
    "captures-input-peripherals",
    "captures-output-peripherals",
    "captures-system-state-data",
    "cleans-traces-of-infection",
    "commits-fraud",
    "communicates-with-c2",
    "compromises-data-availability",
    "compromises-data-integrity",
    "compromises-system-availability",
    "controls-local-machine",
    "degrades-security-software",
    "degrades-system-updates",
    "determines-c2-server",
    "emails-spam",
    "escalates-privileges",
    "evades-av",
    "exfiltrates-data",
    "fingerprints-host",
    "hides-artifacts",
    "hides-executing-code",
    "infects-files",
    "infects-remote-machines",
    "installs-other-components",
    "persists-after-system-reboot",
    "prevents-artifact-access",
    "prevents-artifact-deletion",
    "probes-network-environment",
    "self-modifies",
    "steals-authentication-credentials",
    "violates-system-operational-integrity",
};
constexpr Vocab kMalwareCapabilitiesVocab{"malware-capabilities-ov",
                                          kMalwareCapabilitiesVocabValues};

constexpr std::string_view kMalwareResultVocabValues[] = {
    "malicious",
    "suspicious",
    "benign",
    "unknown",
};
constexpr Vocab kMalwareResultVocab{"malware-result-ov", kMalwareResultVocabValues};

constexpr std::string_view kMalwareTypeVocabValues[] = {
    "adware",
    "backdoor",
    "bot",
    "bootkit",
    "ddos",
    "downloader",
    "dropper",
    "exploit-kit",
    "keylogger",
    "ransomware",
    "remote-access-trojan",
    "resource-exploitation",
    "rogue-security-software",
    "rootkit",
    "screen-capture",
    "spyware",
    "trojan",
    "unknown",
    "virus",
    "webshell",
    "wiper",
    "worm",
};
constexpr Vocab kMalwareTypeVocab{"malware-type-ov", kMalwareTypeVocabValues};

constexpr std::string_view kNetworkSocketAddressFamilyEnumValues[] = {
    "AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH",
};
constexpr Vocab kNetworkSocketAddressFamilyEnum{"network-socket-address-family-enum",
                                                kNetworkSocketAddressFamilyEnumValues};

constexpr std::string_view kNetworkSocketTypeEnumValues[] = {
    "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET",
};
constexpr Vocab kNetworkSocketTypeEnum{"network-socket-type-enum", kNetworkSocketTypeEnumValues};

constexpr std::string_view kOpinionEnumValues[] = {
    "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree",
};
constexpr Vocab kOpinionEnum{"opinion-enum", kOpinionEnumValues};

constexpr std::string_view kPatternTypeVocabValues[] = {
    "stix", "pcre", "sigma", "snort", "suricata", "yara",
};
constexpr Vocab kPatternTypeVocab{"pattern-type-ov", kPatternTypeVocabValues};

constexpr std::string_view kProcessorArchitectureVocabValues[] = {
    "alpha", "arm", "ia-64", "mips", "powerpc", "sparc", "x86", "x86-64",
};
constexpr Vocab kProcessorArchitectureVocab{"processor-architecture-ov",
                                            kProcessorArchitectureVocabValues};

constexpr std::string_view kRegionVocabValues[] = {
    "africa",
    "eastern-africa",
    "middle-africa",
    "northern-africa",
    "southern-africa",
    "western-africa",
    "americas",
    "caribbean",
    "central-america",
    "latin-america-caribbean",
    "northern-america",
    "south-america",
    "asia",
    "central-asia",
    "eastern-asia",
    "southern-asia",
    "south-eastern-asia",
    "western-asia",
    "europe",
    "eastern-europe",
    "northern-europe",
    "southern-europe",
    "western-europe",
    "oceania",
    "antarctica",
    "australia-new-zealand",
    "melanesia",
    "micronesia",
    "polynesia",
};
constexpr Vocab kRegionVocab{"region-ov", kRegionVocabValues};

constexpr std::string_view kReportTypeVocabValues[] = {
    "attack-pattern", "campaign",      "identity", "incident",
    "indicator",      "intrusion-set", "malware",  "observed-data",
    "threat-actor",   "threat-report", "tool",     "vulnerability",
};
constexpr Vocab kReportTypeVocab{"report-type-ov", kReportTypeVocabValues};

constexpr std::string_view kThreatActorTypeVocabValues[] = {
    "activist",
    "competitor",
    "crime-syndicate",
    "criminal",
    "hacker",
    "insider-accidental",
    "insider-disgruntled",
    "nation-state",
    "private-sector",
    "sensationalist",
    "spy",
    "terrorist",
    "unknown",
};
constexpr Vocab kThreatActorTypeVocab{"threat-actor-type-ov", kThreatActorTypeVocabValues};

constexpr std::string_view kThreatActorRoleVocabValues[] = {
    "agent",
    "director",
    "independent",
    "infrastructure-architect",
    "infrastructure-operator",
    "malware-author",
    "sponsor",
};
constexpr Vocab kThreatActorRoleVocab{"threat-actor-role-ov", kThreatActorRoleVocabValues};

constexpr std::string_view kThreatActorSophisticationVocabValues[] = {
    "none", "minimal", "intermediate", "advanced", "expert", "innovator", "strategic",
};
constexpr Vocab kThreatActorSophisticationVocab{"threat-actor-sophistication-ov",
                                                kThreatActorSophisticationVocabValues};

constexpr std::string_view kToolTypeVocabValues[] = {
    "denial-of-service",       "exploitation",  "information-gathering",  "network-capture",
    "credential-exploitation", "remote-access", "vulnerability-scanning", "unknown",
};
constexpr Vocab kToolTypeVocab{"tool-type-ov", kToolTypeVocabValues};

constexpr std::string_view kWindowsIntegrityLevelEnumValues[] = {
    "low",
    "medium",
    "high",
    "system",
};
constexpr Vocab kWindowsIntegrityLevelEnum{"windows-integrity-level-enum",
                                           kWindowsIntegrityLevelEnumValues};

constexpr std::string_view kWindowsPebinaryTypeVocabValues[] = {
    "dll",
    "exe",
    "sys",
};
constexpr Vocab kWindowsPebinaryTypeVocab{"windows-pebinary-type-ov",
                                          kWindowsPebinaryTypeVocabValues};

constexpr std::string_view kWindowsRegistryDatatypeEnumValues[] = {
    "REG_NONE",
    "REG_SZ",
    "REG_EXPAND_SZ",
    "REG_BINARY",
    "REG_DWORD",
    "REG_DWORD_BIG_ENDIAN",
    "REG_DWORD_LITTLE_ENDIAN",
    "REG_LINK",
    "REG_MULTI_SZ",
    "REG_RESOURCE_LIST",
    "REG_FULL_RESOURCE_DESCRIPTION",
    "REG_RESOURCE_REQUIREMENTS_LIST",
    "REG_QWORD",
    "REG_INVALID_TYPE",
};
constexpr Vocab kWindowsRegistryDatatypeEnum{"windows-registry-datatype-enum",
                                             kWindowsRegistryDatatypeEnumValues};

constexpr std::string_view kWindowsServiceStartTypeEnumValues[] = {
    "SERVICE_AUTO_START", "SERVICE_BOOT_START",   "SERVICE_DEMAND_START",
    "SERVICE_DISABLED",   "SERVICE_SYSTEM_ALERT",
};
constexpr Vocab kWindowsServiceStartTypeEnum{"windows-service-start-type-enum",
                                             kWindowsServiceStartTypeEnumValues};

constexpr std::string_view kWindowsServiceTypeEnumValues[] = {
    "SERVICE_KERNEL_DRIVER",
    "SERVICE_FILE_SYSTEM_DRIVER",
    "SERVICE_WIN32_OWN_PROCESS",
    "SERVICE_WIN32_SHARE_PROCESS",
};
constexpr Vocab kWindowsServiceTypeEnum{"windows-service-type-enum", kWindowsServiceTypeEnumValues};

constexpr std::string_view kWindowsServiceStatusEnumValues[] = {
    "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED",  "SERVICE_RUNNING",
    "SERVICE_START_PENDING",    "SERVICE_STOP_PENDING",  "SERVICE_STOPPED",
};
constexpr Vocab kWindowsServiceStatusEnum{"windows-service-status-enum",
                                          kWindowsServiceStatusEnumValues};

// ---------------------------------------------------------------------------------------------
// Table helpers.

constexpr PropSpec P(std::string_view name, Kind kind, uint8_t flags = 0) {
  return PropSpec{.name = name, .kind = kind, .flags = flags};
}
constexpr PropSpec Str(std::string_view name, uint8_t flags = 0) {
  return P(name, Kind::kString, flags);
}
constexpr PropSpec Strs(std::string_view name, uint8_t flags = 0) {
  return P(name, Kind::kString, flags | kList);
}
constexpr PropSpec Ts(std::string_view name, uint8_t flags = 0) {
  return P(name, Kind::kTimestamp, flags);
}
constexpr PropSpec Bool(std::string_view name, uint8_t flags = 0) {
  return P(name, Kind::kBoolean, flags);
}
constexpr PropSpec Int(std::string_view name, int64_t min = -kMaxStixInteger,
                       int64_t max = kMaxStixInteger, uint8_t flags = 0) {
  return PropSpec{.name = name, .kind = Kind::kInteger, .flags = flags, .min = min, .max = max};
}
constexpr PropSpec NonNeg(std::string_view name) { return Int(name, 0); }
constexpr PropSpec Ref(std::string_view name, std::string_view refs, uint8_t flags = 0) {
  return PropSpec{.name = name, .kind = Kind::kIdentifier, .flags = flags, .refs = refs};
}
constexpr PropSpec Refs(std::string_view name, std::string_view refs, uint8_t flags = 0) {
  return Ref(name, refs, flags | kList);
}
constexpr PropSpec Ov(std::string_view name, const Vocab& vocab, uint8_t flags = 0) {
  return PropSpec{.name = name, .kind = Kind::kOpenVocab, .flags = flags, .vocab = &vocab};
}
constexpr PropSpec Ovs(std::string_view name, const Vocab& vocab, uint8_t flags = 0) {
  return Ov(name, vocab, flags | kList);
}
constexpr PropSpec En(std::string_view name, const Vocab& vocab, uint8_t flags = 0) {
  return PropSpec{.name = name, .kind = Kind::kEnum, .flags = flags, .vocab = &vocab};
}
constexpr PropSpec Obj(std::string_view name, const ObjectSpec& spec, uint8_t flags = 0) {
  return PropSpec{.name = name, .kind = Kind::kObject, .flags = flags, .nested = &spec};
}
constexpr PropSpec Objs(std::string_view name, const ObjectSpec& spec, uint8_t flags = 0) {
  return Obj(name, spec, flags | kList);
}
constexpr PropSpec Hashes(std::string_view name, uint8_t flags = 0) {
  return P(name, Kind::kHashes, flags);
}

// Rules implemented in code, below the tables.
void CheckExternalReference(Checker& c, const object& o);
void CheckKillChainPhase(Checker& c, const object& o);
void CheckGranularMarking(Checker& c, const object& o);
void CheckAttackPattern(Checker& c, const object& o);
void CheckVulnerability(Checker& c, const object& o);
void CheckLocation(Checker& c, const object& o);
void CheckGrouping(Checker& c, const object& o);
void CheckMalware(Checker& c, const object& o);
void CheckMalwareAnalysis(Checker& c, const object& o);
void CheckObservedData(Checker& c, const object& o);
void CheckRelationship(Checker& c, const object& o);
void CheckArtifact(Checker& c, const object& o);
void CheckEmailMessage(Checker& c, const object& o);
void CheckMimePart(Checker& c, const object& o);
void CheckFile(Checker& c, const object& o);
void CheckMacAddr(Checker& c, const object& o);
void CheckIpv4Addr(Checker& c, const object& o);
void CheckNetworkTraffic(Checker& c, const object& o);
void CheckMarkingDefinition(Checker& c, const object& o);
void CheckExtensionDefinition(Checker& c, const object& o);

// ---------------------------------------------------------------------------------------------
// Section 2: structured data types.

constexpr PropSpec kExternalReferenceProps[] = {
    Str("source_name", kRequired),
    Str("description"),
    Str("url"),
    Hashes("hashes"),
    Str("external_id"),
};
constexpr ObjectSpec kExternalReferenceSpec{"external-reference", Category::kNested,
                                            kExternalReferenceProps, CheckExternalReference};

constexpr PropSpec kKillChainPhaseProps[] = {
    Str("kill_chain_name", kRequired),
    Str("phase_name", kRequired),
};
constexpr ObjectSpec kKillChainPhaseSpec{"kill-chain-phase", Category::kNested,
                                         kKillChainPhaseProps, CheckKillChainPhase};

constexpr PropSpec kGranularMarkingProps[] = {
    P("lang", Kind::kString),  // RFC 5646 checked in CheckGranularMarking
    Ref("marking_ref", "marking-definition"),
    Strs("selectors", kRequired),
};
constexpr ObjectSpec kGranularMarkingSpec{"granular-marking", Category::kNested,
                                          kGranularMarkingProps, CheckGranularMarking};

// ---------------------------------------------------------------------------------------------
// Section 3.2: common properties, per kind of object (the table at the end of 3.2).

constexpr PropSpec kSdoCommon[] = {
    P("type", Kind::kType, kRequired),
    P("spec_version", Kind::kSpecVersion, kRequired),
    Ref("id", "", kRequired),
    Ref("created_by_ref", "identity"),
    Ts("created", kRequired | kMillis),
    Ts("modified", kRequired | kMillis),
    Bool("revoked"),
    Strs("labels"),
    Int("confidence", 0, 100),
    P("lang", Kind::kString),
    Objs("external_references", kExternalReferenceSpec),
    Refs("object_marking_refs", "marking-definition"),
    Objs("granular_markings", kGranularMarkingSpec),
    P("extensions", Kind::kExtensions),
    Bool("defanged", kForbidden),
};

constexpr PropSpec kScoCommon[] = {
    P("type", Kind::kType, kRequired),
    P("spec_version", Kind::kSpecVersion),
    Ref("id", "", kRequired),
    Refs("object_marking_refs", "marking-definition"),
    Objs("granular_markings", kGranularMarkingSpec),
    Bool("defanged"),
    P("extensions", Kind::kExtensions),
    // Not applicable to SCOs (versioning properties, section 3.6).
    Ref("created_by_ref", "identity", kNotApplicable),
    Ts("created", kNotApplicable),
    Ts("modified", kNotApplicable),
    Bool("revoked", kNotApplicable),
    Strs("labels", kNotApplicable),
    Int("confidence", 0, 100, kNotApplicable),
    P("lang", Kind::kString, kNotApplicable),
    Objs("external_references", kExternalReferenceSpec, kNotApplicable),
};

constexpr PropSpec kLanguageContentCommon[] = {
    P("type", Kind::kType, kRequired),
    P("spec_version", Kind::kSpecVersion, kRequired),
    Ref("id", "", kRequired),
    Ref("created_by_ref", "identity"),
    Ts("created", kRequired | kMillis),
    Ts("modified", kRequired | kMillis),
    Bool("revoked"),
    Strs("labels"),
    Int("confidence", 0, 100),
    Objs("external_references", kExternalReferenceSpec),
    Refs("object_marking_refs", "marking-definition"),
    Objs("granular_markings", kGranularMarkingSpec),
    P("extensions", Kind::kExtensions),
    P("lang", Kind::kString, kNotApplicable),
    Bool("defanged", kForbidden),
};

constexpr PropSpec kMarkingDefinitionCommon[] = {
    P("type", Kind::kType, kRequired),
    P("spec_version", Kind::kSpecVersion, kRequired),
    Ref("id", "", kRequired),
    Ref("created_by_ref", "identity"),
    Ts("created", kRequired | kMillis),
    Objs("external_references", kExternalReferenceSpec),
    Refs("object_marking_refs", "marking-definition"),
    Objs("granular_markings", kGranularMarkingSpec),
    P("extensions", Kind::kExtensions),
    Ts("modified", kNotApplicable),
    Bool("revoked", kNotApplicable),
    Strs("labels", kNotApplicable),
    Int("confidence", 0, 100, kNotApplicable),
    P("lang", Kind::kString, kNotApplicable),
    Bool("defanged", kForbidden),
};

constexpr PropSpec kExtensionDefinitionCommon[] = {
    P("type", Kind::kType, kRequired),
    P("spec_version", Kind::kSpecVersion, kRequired),
    Ref("id", "", kRequired),
    Ref("created_by_ref", "identity", kRequired),
    Ts("created", kRequired | kMillis),
    Ts("modified", kRequired | kMillis),
    Bool("revoked"),
    Strs("labels"),
    Objs("external_references", kExternalReferenceSpec),
    Refs("object_marking_refs", "marking-definition"),
    Objs("granular_markings", kGranularMarkingSpec),
    Int("confidence", 0, 100, kNotApplicable),
    P("lang", Kind::kString, kNotApplicable),
    P("extensions", Kind::kExtensions, kNotApplicable),
    Bool("defanged", kForbidden),
};

constexpr OrderRule kFirstLastSeen[] = {{"first_seen", "last_seen", false}};

// ---------------------------------------------------------------------------------------------
// Section 4: SDOs.

constexpr PropSpec kAttackPatternProps[] = {
    Str("name", kRequired),
    Str("description"),
    Strs("aliases"),
    Objs("kill_chain_phases", kKillChainPhaseSpec),
};
constexpr PropSpec kCampaignProps[] = {
    Str("name", kRequired), Str("description"), Strs("aliases"),
    Ts("first_seen"),       Ts("last_seen"),    Str("objective"),
};
constexpr PropSpec kCourseOfActionProps[] = {
    Str("name", kRequired), Str("description"), P("action", Kind::kAny, kForbidden),  // RESERVED
};
constexpr PropSpec kGroupingProps[] = {
    // The 2.1 Markdown text marks name required; the OASIS schemas and python-stix2 do not.
    // We follow the tools (a grouping without a name is valid) and warn (CheckGrouping).
    Str("name"),
    Str("description"),
    Ov("context", kGroupingContextVocab, kRequired),
    Refs("object_refs", "", kRequired),
};
constexpr PropSpec kIdentityProps[] = {
    Str("name", kRequired),
    Str("description"),
    Strs("roles"),
    Ov("identity_class", kIdentityClassVocab),
    Ovs("sectors", kIndustrySectorVocab),
    Str("contact_information"),
};
constexpr PropSpec kIncidentProps[] = {
    Str("name", kRequired),
    Str("description"),
    Objs("kill_chain_phases", kKillChainPhaseSpec),
};
constexpr PropSpec kIndicatorProps[] = {
    Str("name"),
    Str("description"),
    Ovs("indicator_types", kIndicatorTypeVocab),
    Str("pattern", kRequired),
    Ov("pattern_type", kPatternTypeVocab, kRequired),
    Str("pattern_version"),
    Ts("valid_from", kRequired),
    Ts("valid_until"),
    Objs("kill_chain_phases", kKillChainPhaseSpec),
};
constexpr OrderRule kIndicatorOrder[] = {{"valid_from", "valid_until", true}};
constexpr PropSpec kInfrastructureProps[] = {
    Str("name", kRequired),
    Str("description"),
    Ovs("infrastructure_types", kInfrastructureTypeVocab),
    Strs("aliases"),
    Objs("kill_chain_phases", kKillChainPhaseSpec),
    Ts("first_seen"),
    Ts("last_seen"),
};
constexpr PropSpec kIntrusionSetProps[] = {
    Str("name", kRequired),
    Str("description"),
    Strs("aliases"),
    Ts("first_seen"),
    Ts("last_seen"),
    Strs("goals"),
    Ov("resource_level", kAttackResourceLevelVocab),
    Ov("primary_motivation", kAttackMotivationVocab),
    Ovs("secondary_motivations", kAttackMotivationVocab),
};
constexpr PropSpec kLocationProps[] = {
    Str("name"),
    Str("description"),
    P("latitude", Kind::kFloat),
    P("longitude", Kind::kFloat),
    P("precision", Kind::kFloat),
    Ov("region", kRegionVocab),
    Str("country"),
    Str("administrative_area"),
    Str("city"),
    Str("street_address"),
    Str("postal_code"),
};
constexpr PropSpec kMalwareProps[] = {
    Str("name"),
    Str("description"),
    Ovs("malware_types", kMalwareTypeVocab),
    Bool("is_family", kRequired),  // required by the OS schemas and python-stix2
    Strs("aliases"),
    Objs("kill_chain_phases", kKillChainPhaseSpec),
    Ts("first_seen"),
    Ts("last_seen"),
    Refs("operating_system_refs", "software"),
    Ovs("architecture_execution_envs", kProcessorArchitectureVocab),
    Ovs("implementation_languages", kImplementationLanguageVocab),
    Ovs("capabilities", kMalwareCapabilitiesVocab),
    Refs("sample_refs", "file,artifact"),
};
constexpr PropSpec kMalwareAnalysisProps[] = {
    Str("product", kRequired),
    Str("version"),
    Ref("host_vm_ref", "software"),
    Ref("operating_system_ref", "software"),
    Refs("installed_software_refs", "software"),
    Str("configuration_version"),
    Strs("modules"),
    Str("analysis_engine_version"),
    Str("analysis_definition_version"),
    Ts("submitted"),
    Ts("analysis_started"),
    Ts("analysis_ended"),
    Str("result_name"),
    Ov("result", kMalwareResultVocab),
    Refs("analysis_sco_refs", "@sco"),
    Ref("sample_ref", "file,artifact,network-traffic"),
};
constexpr OrderRule kMalwareAnalysisOrder[] = {{"analysis_started", "analysis_ended", false}};
constexpr PropSpec kNoteProps[] = {
    Str("abstract"),
    Str("content", kRequired),
    Strs("authors"),
    Refs("object_refs", "", kRequired),
};
constexpr PropSpec kObservedDataProps[] = {
    Ts("first_observed", kRequired),
    Ts("last_observed", kRequired),
    Int("number_observed", 1, 999'999'999, kRequired),
    P("objects", Kind::kObservableContainer, kDeprecated),
    Refs("object_refs", "@sco,relationship,sighting"),
};
constexpr OrderRule kObservedDataOrder[] = {{"first_observed", "last_observed", false}};
constexpr PropSpec kOpinionProps[] = {
    Str("explanation"),
    Strs("authors"),
    En("opinion", kOpinionEnum, kRequired),
    Refs("object_refs", "", kRequired),
};
constexpr PropSpec kReportProps[] = {
    Str("name", kRequired),
    Str("description"),
    Ovs("report_types", kReportTypeVocab),
    Ts("published", kRequired),
    Refs("object_refs", "", kRequired),
};
constexpr PropSpec kThreatActorProps[] = {
    Str("name", kRequired),
    Str("description"),
    Ovs("threat_actor_types", kThreatActorTypeVocab),
    Strs("aliases"),
    Ts("first_seen"),
    Ts("last_seen"),
    Ovs("roles", kThreatActorRoleVocab),
    Strs("goals"),
    Ov("sophistication", kThreatActorSophisticationVocab),
    Ov("resource_level", kAttackResourceLevelVocab),
    Ov("primary_motivation", kAttackMotivationVocab),
    Ovs("secondary_motivations", kAttackMotivationVocab),
    Ovs("personal_motivations", kAttackMotivationVocab),
};
constexpr PropSpec kToolProps[] = {
    Str("name", kRequired),
    Str("description"),
    Ovs("tool_types", kToolTypeVocab),
    Strs("aliases"),
    Objs("kill_chain_phases", kKillChainPhaseSpec),
    Str("tool_version"),
};
constexpr PropSpec kVulnerabilityProps[] = {
    Str("name", kRequired),
    Str("description"),
};

// ---------------------------------------------------------------------------------------------
// Section 5: SROs.

constexpr PropSpec kRelationshipProps[] = {
    Str("relationship_type", kRequired),
    Str("description"),
    Ref("source_ref", "@sdo-sco", kRequired),
    Ref("target_ref", "@sdo-sco", kRequired),
    Ts("start_time"),
    Ts("stop_time"),
};
constexpr OrderRule kRelationshipOrder[] = {{"start_time", "stop_time", true}};
constexpr PropSpec kSightingProps[] = {
    Str("description"),
    Ts("first_seen"),
    Ts("last_seen"),
    Int("count", 0, 999'999'999),
    Ref("sighting_of_ref", "@sdo", kRequired),
    Refs("observed_data_refs", "observed-data"),
    Refs("where_sighted_refs", "identity,location"),
    Bool("summary"),
};

// ---------------------------------------------------------------------------------------------
// Section 6: SCOs, their nested types and predefined extensions.

constexpr PropSpec kArtifactProps[] = {
    Str("mime_type"),
    P("payload_bin", Kind::kBinary),
    Str("url"),
    Hashes("hashes"),
    En("encryption_algorithm", kEncryptionAlgorithmEnum),
    Str("decryption_key"),
};
constexpr std::string_view kArtifactIdProps[] = {"hashes", "payload_bin"};

constexpr PropSpec kAutonomousSystemProps[] = {
    Int("number", -kMaxStixInteger, kMaxStixInteger, kRequired),
    Str("name"),
    Str("rir"),
};
constexpr std::string_view kAutonomousSystemIdProps[] = {"number"};

constexpr PropSpec kDirectoryProps[] = {
    Str("path", kRequired),
    Str("path_enc"),
    Ts("ctime"),
    Ts("mtime"),
    Ts("atime"),
    Refs("contains_refs", "file,directory"),
};
constexpr std::string_view kDirectoryIdProps[] = {"path"};

constexpr PropSpec kDomainNameProps[] = {
    Str("value", kRequired),
    Refs("resolves_to_refs", "ipv4-addr,ipv6-addr,domain-name"),
};
constexpr std::string_view kValueIdProps[] = {"value"};

constexpr PropSpec kEmailAddrProps[] = {
    Str("value", kRequired),
    Str("display_name"),
    Ref("belongs_to_ref", "user-account"),
};

constexpr PropSpec kMimePartProps[] = {
    Str("body"),
    Ref("body_raw_ref", "artifact,file"),
    Str("content_type"),
    Str("content_disposition"),
};
constexpr ObjectSpec kMimePartSpec{"email-mime-part-type", Category::kNested, kMimePartProps,
                                   CheckMimePart};
constexpr PropSpec kEmailMessageProps[] = {
    Bool("is_multipart", kRequired),
    Ts("date"),
    Str("content_type"),
    Ref("from_ref", "email-addr"),
    Ref("sender_ref", "email-addr"),
    Refs("to_refs", "email-addr"),
    Refs("cc_refs", "email-addr"),
    Refs("bcc_refs", "email-addr"),
    Str("message_id"),
    Str("subject"),
    Strs("received_lines"),
    P("additional_header_fields", Kind::kDictStringLists),
    Str("body"),
    Objs("body_multipart", kMimePartSpec),
    Ref("raw_email_ref", "artifact"),
};
constexpr std::string_view kEmailMessageIdProps[] = {"from_ref", "subject", "body"};

// 6.7.2 - 6.7.6: file extensions.
constexpr PropSpec kArchiveExtProps[] = {
    Refs("contains_refs", "file,directory", kRequired),
    Str("comment"),
};
constexpr ObjectSpec kArchiveExtSpec{"archive-ext", Category::kNested, kArchiveExtProps};
constexpr PropSpec kAlternateDataStreamProps[] = {
    Str("name", kRequired),
    Hashes("hashes"),
    NonNeg("size"),
};
constexpr ObjectSpec kAlternateDataStreamSpec{"alternate-data-stream-type", Category::kNested,
                                              kAlternateDataStreamProps};
constexpr PropSpec kNtfsExtProps[] = {
    Str("sid"),
    Objs("alternate_data_streams", kAlternateDataStreamSpec),
};
constexpr ObjectSpec kNtfsExtSpec{"ntfs-ext", Category::kNested, kNtfsExtProps, nullptr,
                                  kAtLeastOneProperty};
constexpr PropSpec kPdfExtProps[] = {
    Str("version"), Bool("is_optimized"), P("document_info_dict", Kind::kDictStrings),
    Str("pdfid0"),  Str("pdfid1"),
};
constexpr ObjectSpec kPdfExtSpec{"pdf-ext", Category::kNested, kPdfExtProps, nullptr,
                                 kAtLeastOneProperty};
constexpr PropSpec kRasterImageExtProps[] = {
    NonNeg("image_height"),
    NonNeg("image_width"),
    NonNeg("bits_per_pixel"),
    P("exif_tags", Kind::kDictIntOrString),
};
constexpr ObjectSpec kRasterImageExtSpec{"raster-image-ext", Category::kNested,
                                         kRasterImageExtProps, nullptr, kAtLeastOneProperty};
constexpr PropSpec kPeOptionalHeaderProps[] = {
    P("magic_hex", Kind::kHex),
    Int("major_linker_version"),
    Int("minor_linker_version"),
    NonNeg("size_of_code"),
    NonNeg("size_of_initialized_data"),
    NonNeg("size_of_uninitialized_data"),
    Int("address_of_entry_point"),
    Int("base_of_code"),
    Int("base_of_data"),
    Int("image_base"),
    Int("section_alignment"),
    Int("file_alignment"),
    Int("major_os_version"),
    Int("minor_os_version"),
    Int("major_image_version"),
    Int("minor_image_version"),
    Int("major_subsystem_version"),
    Int("minor_subsystem_version"),
    P("win32_version_value_hex", Kind::kHex),
    NonNeg("size_of_image"),
    NonNeg("size_of_headers"),
    P("checksum_hex", Kind::kHex),
    P("subsystem_hex", Kind::kHex),
    P("dll_characteristics_hex", Kind::kHex),
    NonNeg("size_of_stack_reserve"),
    NonNeg("size_of_stack_commit"),
    NonNeg("size_of_heap_reserve"),
    NonNeg("size_of_heap_commit"),
    P("loader_flags_hex", Kind::kHex),
    Int("number_of_rva_and_sizes"),
    Hashes("hashes"),
};
constexpr ObjectSpec kPeOptionalHeaderSpec{"windows-pe-optional-header-type", Category::kNested,
                                           kPeOptionalHeaderProps, nullptr, kAtLeastOneProperty};
constexpr PropSpec kPeSectionProps[] = {
    Str("name", kRequired),
    NonNeg("size"),
    P("entropy", Kind::kFloat),
    Hashes("hashes"),
};
constexpr ObjectSpec kPeSectionSpec{"windows-pe-section-type", Category::kNested, kPeSectionProps};
constexpr PropSpec kPeBinaryExtProps[] = {
    Ov("pe_type", kWindowsPebinaryTypeVocab, kRequired),
    Str("imphash"),
    P("machine_hex", Kind::kHex),
    NonNeg("number_of_sections"),
    Ts("time_date_stamp"),
    P("pointer_to_symbol_table_hex", Kind::kHex),
    NonNeg("number_of_symbols"),
    NonNeg("size_of_optional_header"),
    P("characteristics_hex", Kind::kHex),
    Hashes("file_header_hashes"),
    Obj("optional_header", kPeOptionalHeaderSpec),
    Objs("sections", kPeSectionSpec),
};
constexpr ObjectSpec kPeBinaryExtSpec{"windows-pebinary-ext", Category::kNested, kPeBinaryExtProps,
                                      nullptr, kAtLeastOneBesidesRequired};
constexpr ExtensionEntry kFileExtensions[] = {
    {"archive-ext", &kArchiveExtSpec},
    {"ntfs-ext", &kNtfsExtSpec},
    {"pdf-ext", &kPdfExtSpec},
    {"raster-image-ext", &kRasterImageExtSpec},
    {"windows-pebinary-ext", &kPeBinaryExtSpec},
};
constexpr PropSpec kFileProps[] = {
    Hashes("hashes"),
    NonNeg("size"),
    Str("name"),
    Str("name_enc"),
    P("magic_number_hex", Kind::kHex),
    Str("mime_type"),
    Ts("ctime"),
    Ts("mtime"),
    Ts("atime"),
    Ref("parent_directory_ref", "directory"),
    Refs("contains_refs", "@sco"),
    Ref("content_ref", "artifact"),
};
constexpr std::string_view kFileIdProps[] = {"hashes", "name", "extensions",
                                             "parent_directory_ref"};

constexpr PropSpec kIpv4AddrProps[] = {
    Str("value", kRequired),
    Refs("resolves_to_refs", "mac-addr"),
    Refs("belongs_to_refs", "autonomous-system"),
};
constexpr PropSpec kIpv6AddrProps[] = {
    Str("value", kRequired),
    Refs("resolves_to_refs", "mac-addr"),
    Refs("belongs_to_refs", "autonomous-system"),
};
constexpr PropSpec kMacAddrProps[] = {Str("value", kRequired)};
constexpr PropSpec kMutexProps[] = {Str("name", kRequired)};
constexpr std::string_view kNameIdProps[] = {"name"};

// 6.12.2 - 6.12.5: network traffic extensions.
constexpr PropSpec kHttpRequestExtProps[] = {
    Str("request_method", kRequired), Str("request_value", kRequired),
    Str("request_version"),           P("request_header", Kind::kDictStringLists),
    NonNeg("message_body_length"),    Ref("message_body_data_ref", "artifact"),
};
constexpr ObjectSpec kHttpRequestExtSpec{"http-request-ext", Category::kNested,
                                         kHttpRequestExtProps};
constexpr PropSpec kIcmpExtProps[] = {
    P("icmp_type_hex", Kind::kHex, kRequired),
    P("icmp_code_hex", Kind::kHex, kRequired),
};
constexpr ObjectSpec kIcmpExtSpec{"icmp-ext", Category::kNested, kIcmpExtProps};
constexpr PropSpec kSocketExtProps[] = {
    En("address_family", kNetworkSocketAddressFamilyEnum, kRequired),
    Bool("is_blocking"),
    Bool("is_listening"),
    P("options", Kind::kDictionary),
    En("socket_type", kNetworkSocketTypeEnum),
    NonNeg("socket_descriptor"),
    NonNeg("socket_handle"),
};
constexpr ObjectSpec kSocketExtSpec{"socket-ext", Category::kNested, kSocketExtProps};
constexpr PropSpec kTcpExtProps[] = {
    P("src_flags_hex", Kind::kHex),
    P("dst_flags_hex", Kind::kHex),
};
constexpr ObjectSpec kTcpExtSpec{"tcp-ext", Category::kNested, kTcpExtProps, nullptr,
                                 kAtLeastOneProperty};
constexpr ExtensionEntry kNetworkTrafficExtensions[] = {
    {"http-request-ext", &kHttpRequestExtSpec},
    {"icmp-ext", &kIcmpExtSpec},
    {"socket-ext", &kSocketExtSpec},
    {"tcp-ext", &kTcpExtSpec},
};
constexpr PropSpec kNetworkTrafficProps[] = {
    Ts("start"),
    Ts("end"),
    Bool("is_active"),
    Ref("src_ref", "ipv4-addr,ipv6-addr,mac-addr,domain-name"),
    Ref("dst_ref", "ipv4-addr,ipv6-addr,mac-addr,domain-name"),
    Int("src_port", 0, 65535),
    Int("dst_port", 0, 65535),
    Strs("protocols", kRequired),
    NonNeg("src_byte_count"),
    NonNeg("dst_byte_count"),
    NonNeg("src_packets"),
    NonNeg("dst_packets"),
    P("ipfix", Kind::kDictIntOrString),
    Ref("src_payload_ref", "artifact"),
    Ref("dst_payload_ref", "artifact"),
    Refs("encapsulates_refs", "network-traffic"),
    Ref("encapsulated_by_ref", "network-traffic"),
};
constexpr OrderRule kNetworkTrafficOrder[] = {{"start", "end", false}};
constexpr std::string_view kNetworkTrafficIdProps[] = {
    "start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"};

// 6.13.2 - 6.13.3: process extensions.
constexpr PropSpec kWindowsProcessExtProps[] = {
    Bool("aslr_enabled"),
    Bool("dep_enabled"),
    Str("priority"),
    Str("owner_sid"),
    Str("windows_title"),
    P("startup_info", Kind::kDictionary),
    En("integrity_level", kWindowsIntegrityLevelEnum),
};
constexpr ObjectSpec kWindowsProcessExtSpec{"windows-process-ext", Category::kNested,
                                            kWindowsProcessExtProps, nullptr, kAtLeastOneProperty};
constexpr PropSpec kWindowsServiceExtProps[] = {
    Str("service_name"),
    Strs("descriptions"),
    Str("display_name"),
    Str("group_name"),
    En("start_type", kWindowsServiceStartTypeEnum),
    Refs("service_dll_refs", "file"),
    En("service_type", kWindowsServiceTypeEnum),
    En("service_status", kWindowsServiceStatusEnum),
};
constexpr ObjectSpec kWindowsServiceExtSpec{"windows-service-ext", Category::kNested,
                                            kWindowsServiceExtProps, nullptr, kAtLeastOneProperty};
constexpr ExtensionEntry kProcessExtensions[] = {
    {"windows-process-ext", &kWindowsProcessExtSpec},
    {"windows-service-ext", &kWindowsServiceExtSpec},
};
constexpr PropSpec kProcessProps[] = {
    Bool("is_hidden"),
    Int("pid"),
    Ts("created_time"),
    Str("cwd"),
    Str("command_line"),
    P("environment_variables", Kind::kDictStrings),
    Refs("opened_connection_refs", "network-traffic"),
    Ref("creator_user_ref", "user-account"),
    Ref("image_ref", "file"),
    Ref("parent_ref", "process"),
    Refs("child_refs", "process"),
};

constexpr PropSpec kSoftwareProps[] = {
    Str("name", kRequired), Str("cpe"),    Str("swid"),
    Strs("languages"),      Str("vendor"), Str("version"),
};
constexpr std::string_view kSoftwareIdProps[] = {"name", "cpe", "swid", "vendor", "version"};

constexpr PropSpec kUrlProps[] = {Str("value", kRequired)};

constexpr PropSpec kUnixAccountExtProps[] = {
    Int("gid"),
    Strs("groups"),
    Str("home_dir"),
    Str("shell"),
};
constexpr ObjectSpec kUnixAccountExtSpec{"unix-account-ext", Category::kNested,
                                         kUnixAccountExtProps, nullptr, kAtLeastOneProperty};
constexpr ExtensionEntry kUserAccountExtensions[] = {{"unix-account-ext", &kUnixAccountExtSpec}};
constexpr PropSpec kUserAccountProps[] = {
    Str("user_id"),
    Str("credential"),
    Str("account_login"),
    Ov("account_type", kAccountTypeVocab),
    Str("display_name"),
    Bool("is_service_account"),
    Bool("is_privileged"),
    Bool("can_escalate_privs"),
    Bool("is_disabled"),
    Ts("account_created"),
    Ts("account_expires"),
    Ts("credential_last_changed"),
    Ts("account_first_login"),
    Ts("account_last_login"),
};
constexpr std::string_view kUserAccountIdProps[] = {"account_type", "user_id", "account_login"};

constexpr PropSpec kRegistryValueProps[] = {
    Str("name"),
    Str("data"),
    En("data_type", kWindowsRegistryDatatypeEnum),
};
constexpr ObjectSpec kRegistryValueSpec{"windows-registry-value-type", Category::kNested,
                                        kRegistryValueProps, nullptr, kAtLeastOneProperty};
constexpr PropSpec kWindowsRegistryKeyProps[] = {
    Str("key"),
    Objs("values", kRegistryValueSpec),
    Ts("modified_time"),
    Ref("creator_user_ref", "user-account"),
    NonNeg("number_of_subkeys"),
};
constexpr std::string_view kWindowsRegistryKeyIdProps[] = {"key", "values"};

constexpr PropSpec kX509V3ExtensionsProps[] = {
    Str("basic_constraints"),
    Str("name_constraints"),
    Str("policy_constraints"),
    Str("key_usage"),
    Str("extended_key_usage"),
    Str("subject_key_identifier"),
    Str("authority_key_identifier"),
    Str("subject_alternative_name"),
    Str("issuer_alternative_name"),
    Str("subject_directory_attributes"),
    Str("crl_distribution_points"),
    Str("inhibit_any_policy"),
    Ts("private_key_usage_period_not_before"),
    Ts("private_key_usage_period_not_after"),
    Str("certificate_policies"),
    Str("policy_mappings"),
};
constexpr ObjectSpec kX509V3ExtensionsSpec{"x509-v3-extensions-type", Category::kNested,
                                           kX509V3ExtensionsProps, nullptr, kAtLeastOneProperty};
constexpr PropSpec kX509CertificateProps[] = {
    Bool("is_self_signed"),
    Hashes("hashes"),
    Str("version"),
    Str("serial_number"),
    Str("signature_algorithm"),
    Str("issuer"),
    Ts("validity_not_before"),
    Ts("validity_not_after"),
    Str("subject"),
    Str("subject_public_key_algorithm"),
    Str("subject_public_key_modulus"),
    Int("subject_public_key_exponent"),
    Obj("x509_v3_extensions", kX509V3ExtensionsSpec),
};
constexpr std::string_view kX509CertificateIdProps[] = {"hashes", "serial_number"};

// ---------------------------------------------------------------------------------------------
// Section 7: meta objects.

constexpr PropSpec kLanguageContentProps[] = {
    Ref("object_ref", "", kRequired),
    Ts("object_modified"),
    P("contents", Kind::kLanguageContents, kRequired),
};
constexpr PropSpec kStatementMarkingProps[] = {Str("statement", kRequired)};
constexpr ObjectSpec kStatementMarkingSpec{"statement", Category::kNested, kStatementMarkingProps};
constexpr PropSpec kTlpMarkingProps[] = {Str("tlp", kRequired)};
constexpr ObjectSpec kTlpMarkingSpec{"tlp", Category::kNested, kTlpMarkingProps};
constexpr PropSpec kMarkingDefinitionProps[] = {
    Str("name"),
    // Deprecated in favour of extensions, but still how the TLP 1.0 markings of section
    // 7.2.1.4 are written: no warning.
    Str("definition_type"), P("definition", Kind::kAny),  // shape depends on definition_type
};
constexpr PropSpec kExtensionDefinitionProps[] = {
    Str("name", kRequired),
    Str("description"),
    Str("schema", kRequired),
    Str("version", kRequired),
    PropSpec{.name = "extension_types",
             .kind = Kind::kEnum,
             .flags = kRequired | kList,
             .vocab = &kExtensionTypeEnum},
    Strs("extension_properties"),
};

// ---------------------------------------------------------------------------------------------
// The registry of top-level types.

constexpr ObjectSpec kObjectSpecs[] = {
    // SDOs (section 4).
    {"attack-pattern", Category::kSdo, kAttackPatternProps, CheckAttackPattern},
    {"campaign", Category::kSdo, kCampaignProps, nullptr, 0, kFirstLastSeen},
    {"course-of-action", Category::kSdo, kCourseOfActionProps},
    {"grouping", Category::kSdo, kGroupingProps, CheckGrouping},
    {"identity", Category::kSdo, kIdentityProps},
    {"incident", Category::kSdo, kIncidentProps},
    {"indicator", Category::kSdo, kIndicatorProps, nullptr, 0, kIndicatorOrder},
    {"infrastructure", Category::kSdo, kInfrastructureProps, nullptr, 0, kFirstLastSeen},
    {"intrusion-set", Category::kSdo, kIntrusionSetProps, nullptr, 0, kFirstLastSeen},
    {"location", Category::kSdo, kLocationProps, CheckLocation},
    {"malware", Category::kSdo, kMalwareProps, CheckMalware, 0, kFirstLastSeen},
    {"malware-analysis", Category::kSdo, kMalwareAnalysisProps, CheckMalwareAnalysis, 0,
     kMalwareAnalysisOrder},
    {"note", Category::kSdo, kNoteProps},
    {"observed-data", Category::kSdo, kObservedDataProps, CheckObservedData, 0, kObservedDataOrder},
    {"opinion", Category::kSdo, kOpinionProps},
    {"report", Category::kSdo, kReportProps},
    {"threat-actor", Category::kSdo, kThreatActorProps, nullptr, 0, kFirstLastSeen},
    {"tool", Category::kSdo, kToolProps},
    {"vulnerability", Category::kSdo, kVulnerabilityProps, CheckVulnerability},
    // SROs (section 5).
    {"relationship", Category::kSro, kRelationshipProps, CheckRelationship, 0, kRelationshipOrder},
    {"sighting", Category::kSro, kSightingProps, nullptr, 0, kFirstLastSeen},
    // SCOs (section 6).
    {"artifact", Category::kSco, kArtifactProps, CheckArtifact, 0, {}, {}, kArtifactIdProps},
    {"autonomous-system",
     Category::kSco,
     kAutonomousSystemProps,
     nullptr,
     0,
     {},
     {},
     kAutonomousSystemIdProps},
    {"directory", Category::kSco, kDirectoryProps, nullptr, 0, {}, {}, kDirectoryIdProps},
    {"domain-name", Category::kSco, kDomainNameProps, nullptr, 0, {}, {}, kValueIdProps},
    {"email-addr", Category::kSco, kEmailAddrProps, nullptr, 0, {}, {}, kValueIdProps},
    {"email-message",
     Category::kSco,
     kEmailMessageProps,
     CheckEmailMessage,
     0,
     {},
     {},
     kEmailMessageIdProps},
    {"file", Category::kSco, kFileProps, CheckFile, 0, {}, kFileExtensions, kFileIdProps},
    {"ipv4-addr", Category::kSco, kIpv4AddrProps, CheckIpv4Addr, 0, {}, {}, kValueIdProps},
    {"ipv6-addr", Category::kSco, kIpv6AddrProps, nullptr, 0, {}, {}, kValueIdProps},
    {"mac-addr", Category::kSco, kMacAddrProps, CheckMacAddr, 0, {}, {}, kValueIdProps},
    {"mutex", Category::kSco, kMutexProps, nullptr, 0, {}, {}, kNameIdProps},
    {"network-traffic", Category::kSco, kNetworkTrafficProps, CheckNetworkTraffic, 0,
     kNetworkTrafficOrder, kNetworkTrafficExtensions, kNetworkTrafficIdProps},
    {"process",
     Category::kSco,
     kProcessProps,
     nullptr,
     kAtLeastOneProperty,
     {},
     kProcessExtensions},
    {"software", Category::kSco, kSoftwareProps, nullptr, 0, {}, {}, kSoftwareIdProps},
    {"url", Category::kSco, kUrlProps, nullptr, 0, {}, {}, kValueIdProps},
    {"user-account",
     Category::kSco,
     kUserAccountProps,
     nullptr,
     kAtLeastOneProperty,
     {},
     kUserAccountExtensions,
     kUserAccountIdProps},
    {"windows-registry-key",
     Category::kSco,
     kWindowsRegistryKeyProps,
     nullptr,
     kAtLeastOneProperty,
     {},
     {},
     kWindowsRegistryKeyIdProps},
    {"x509-certificate",
     Category::kSco,
     kX509CertificateProps,
     nullptr,
     kAtLeastOneProperty,
     {},
     {},
     kX509CertificateIdProps},
    // Meta objects (section 7).
    {"language-content", Category::kLanguageContent, kLanguageContentProps},
    {"marking-definition", Category::kMarkingDefinition, kMarkingDefinitionProps,
     CheckMarkingDefinition},
    {"extension-definition", Category::kExtensionDefinition, kExtensionDefinitionProps,
     CheckExtensionDefinition},
};

// ---------------------------------------------------------------------------------------------
// Rules that span properties.

bool IsLowerHyphenated(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void CheckExternalReference(Checker& c, const object& o) {
  if (!Checker::Has(o, "description") && !Checker::Has(o, "url") &&
      !Checker::Has(o, "external_id")) {
    c.Error("", "external reference must have at least one of description, url or external_id");
  }
  if (Checker::Has(o, "url") && !Checker::Has(o, "hashes")) {
    c.Warn("", "external reference with a url should have hashes of its content");
  }
}

void CheckKillChainPhase(Checker& c, const object& o) {
  for (std::string_view name : {"kill_chain_name", "phase_name"}) {
    auto v = Checker::GetString(o, name);
    if (v && !IsLowerHyphenated(*v)) {
      c.Warn(name, "should be all lower case with hyphens as word separators");
    }
  }
}

// Follows a granular-marking selector (section 7.2.3) from the root object.
bool SelectorResolves(const object& root, std::string_view selector) {
  simdjson::dom::element cur;
  bool at_root = true;
  size_t pos = 0;
  if (selector.empty()) return false;
  while (pos <= selector.size()) {
    size_t dot = selector.find('.', pos);
    if (dot == std::string_view::npos) dot = selector.size();
    std::string_view part = selector.substr(pos, dot - pos);
    if (part.empty()) return false;
    if (part.front() == '[') {
      if (part.size() < 3 || part.back() != ']') return false;
      size_t index = 0;
      for (char ch : part.substr(1, part.size() - 2)) {
        if (ch < '0' || ch > '9') return false;
        index = index * 10 + static_cast<size_t>(ch - '0');
        if (index > (size_t{1} << 40)) return false;
      }
      simdjson::dom::array arr;
      if (at_root || cur.get(arr) != simdjson::SUCCESS) return false;
      if (arr.at(index).get(cur) != simdjson::SUCCESS) return false;
    } else {
      object obj = root;
      if (!at_root && cur.get(obj) != simdjson::SUCCESS) return false;
      if (obj.at_key(part).get(cur) != simdjson::SUCCESS) return false;
    }
    at_root = false;
    pos = dot + 1;
  }
  return true;
}

void CheckGranularMarking(Checker& c, const object& o) {
  bool has_lang = Checker::Has(o, "lang");
  bool has_ref = Checker::Has(o, "marking_ref");
  if (has_lang == has_ref) {
    c.Error("", "granular marking must have exactly one of lang and marking_ref");
  }
  if (auto lang = Checker::GetString(o, "lang")) {
    if (const char* e = CheckLanguageTag(*lang)) c.Error("lang", e);
  }
  simdjson::dom::array selectors;
  if (o.at_key("selectors").get(selectors) != simdjson::SUCCESS) return;
  size_t i = 0;
  for (simdjson::dom::element s : selectors) {
    std::string_view sel;
    if (s.get(sel) == simdjson::SUCCESS && !SelectorResolves(c.root(), sel)) {
      size_t old = c.PushPath("selectors");
      c.Error(std::to_string(i), "selector \"" + std::string(sel.substr(0, 200)) +
                                     "\" does not refer to content present in the object");
      c.PopPath(old);
    }
    ++i;
  }
}

// Section 4.1 / 4.19: CAPEC and CVE external references.
void CheckSourceIdFormat(Checker& c, const object& o, std::string_view source,
                         std::string_view prefix) {
  simdjson::dom::array refs;
  if (o.at_key("external_references").get(refs) != simdjson::SUCCESS) return;
  size_t i = 0;
  for (simdjson::dom::element e : refs) {
    object ref;
    if (e.get(ref) == simdjson::SUCCESS && Checker::GetString(ref, "source_name") == source) {
      auto id = Checker::GetString(ref, "external_id");
      bool ok = id && id->size() > prefix.size() && id->substr(0, prefix.size()) == prefix;
      if (ok) {
        for (char ch : id->substr(prefix.size())) {
          if (!((ch >= '0' && ch <= '9') || (prefix == "CVE-" && ch == '-'))) ok = false;
        }
      }
      if (!ok) {
        size_t old = c.PushPath("external_references");
        size_t old2 = c.PushIndex(i);
        c.Error("external_id", std::string("external_id of a \"") + std::string(source) +
                                   "\" reference must have the form " + std::string(prefix) +
                                   (prefix == "CVE-" ? "YYYY-NNNN" : "<id>"));
        c.PopPath(old2);
        c.PopPath(old);
      }
    }
    ++i;
  }
}

void CheckAttackPattern(Checker& c, const object& o) {
  CheckSourceIdFormat(c, o, "capec", "CAPEC-");
}
void CheckVulnerability(Checker& c, const object& o) { CheckSourceIdFormat(c, o, "cve", "CVE-"); }

void CheckLocation(Checker& c, const object& o) {
  auto lat = Checker::GetNumber(o, "latitude");
  auto lon = Checker::GetNumber(o, "longitude");
  bool has_lat = Checker::Has(o, "latitude"), has_lon = Checker::Has(o, "longitude");
  if (lat && (*lat < -90.0 || *lat > 90.0)) c.Error("latitude", "must be between -90 and 90");
  if (lon && (*lon < -180.0 || *lon > 180.0)) {
    c.Error("longitude", "must be between -180 and 180");
  }
  if (has_lat && !has_lon) c.Error("longitude", "is required when latitude is present");
  if (has_lon && !has_lat) c.Error("latitude", "is required when longitude is present");
  if (Checker::Has(o, "precision") && !(has_lat && has_lon)) {
    c.Error("precision", "requires latitude and longitude");
  }
  if (!Checker::Has(o, "region") && !Checker::Has(o, "country") && !(has_lat && has_lon)) {
    c.Error("", "location must have region, country, or latitude and longitude");
  }
  if (auto country = Checker::GetString(o, "country")) {
    bool alpha2 = country->size() == 2 && (*country)[0] >= 'A' && (*country)[0] <= 'Z' &&
                  (*country)[1] >= 'A' && (*country)[1] <= 'Z';
    if (!alpha2) c.Warn("country", "should be an ISO 3166-1 alpha-2 code");
  }
}

void CheckGrouping(Checker& c, const object& o) {
  if (!Checker::Has(o, "name")) {
    c.Warn("name", "should be present (the 2.1 text lists it as required; the schemas do not)");
  }
}

void CheckMalware(Checker& c, const object& o) {
  if (Checker::GetBool(o, "is_family") == true && !Checker::Has(o, "name")) {
    c.Error("name", "is required when is_family is true");
  }
}

void CheckMalwareAnalysis(Checker& c, const object& o) {
  if (!Checker::Has(o, "result") && !Checker::Has(o, "analysis_sco_refs")) {
    c.Error("", "malware-analysis must have result or analysis_sco_refs");
  }
}

void CheckObservedData(Checker& c, const object& o) {
  bool objects = Checker::Has(o, "objects"), refs = Checker::Has(o, "object_refs");
  if (objects && refs) c.Error("objects", "must not be present together with object_refs");
  if (!objects && !refs) c.Error("", "observed-data must have object_refs (or objects)");
}

void CheckRelationship(Checker& c, const object& o) {
  if (auto t = Checker::GetString(o, "relationship_type")) {
    if (t->empty() || !IsLowerHyphenated(*t)) {
      c.Error("relationship_type", "may contain only a-z, 0-9 and '-'");
    }
  }
}

void CheckArtifact(Checker& c, const object& o) {
  bool payload = Checker::Has(o, "payload_bin"), url = Checker::Has(o, "url");
  if (payload && url) c.Error("url", "must not be present together with payload_bin");
  if (!payload && !url) c.Error("", "artifact must have one of payload_bin or url");
  if (url && !Checker::Has(o, "hashes")) c.Error("hashes", "is required when url is present");
  if (Checker::Has(o, "decryption_key") && !Checker::Has(o, "encryption_algorithm")) {
    c.Error("decryption_key", "must not be present without encryption_algorithm");
  }
}

void CheckEmailMessage(Checker& c, const object& o) {
  auto multipart = Checker::GetBool(o, "is_multipart");
  if (multipart == true && Checker::Has(o, "body")) {
    c.Error("body", "must not be present when is_multipart is true");
  }
  if (multipart == false && Checker::Has(o, "body_multipart")) {
    c.Error("body_multipart", "must not be present when is_multipart is false");
  }
}

void CheckMimePart(Checker& c, const object& o) {
  if (!Checker::Has(o, "body") && !Checker::Has(o, "body_raw_ref")) {
    c.Error("", "MIME part must have one of body or body_raw_ref");
  }
}

void CheckFile(Checker& c, const object& o) {
  if (!Checker::Has(o, "hashes") && !Checker::Has(o, "name")) {
    c.Error("", "file must have at least one of hashes or name");
  }
  if (Checker::Has(o, "name_enc") && !Checker::Has(o, "name")) {
    c.Error("name_enc", "must not be present without name");
  }
}

void CheckMacAddr(Checker& c, const object& o) {
  auto v = Checker::GetString(o, "value");
  if (!v) return;
  bool ok = v->size() == 17;
  for (size_t i = 0; ok && i < v->size(); ++i) {
    char ch = (*v)[i];
    ok = (i % 3 == 2) ? ch == ':' : ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  }
  if (!ok) c.Error("value", "must be a colon-delimited lower-case MAC-48 address");
}

void CheckIpv4Addr(Checker& c, const object& o) {
  auto v = Checker::GetString(o, "value");
  if (!v) return;
  // Dotted quad, optionally with a CIDR suffix /0-32.
  std::string_view s = *v;
  int octets = 0;
  size_t i = 0;
  bool ok = true;
  while (ok && octets < 4) {
    size_t start = i;
    int value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
      value = value * 10 + (s[i++] - '0');
    }
    ok = i > start && value <= 255;
    ++octets;
    if (ok && octets < 4) ok = i < s.size() && s[i++] == '.';
  }
  if (ok && i < s.size()) {
    ok = s[i++] == '/' && i < s.size() && s.size() - i <= 2;
    int bits = 0;
    for (; ok && i < s.size(); ++i) {
      ok = s[i] >= '0' && s[i] <= '9';
      bits = bits * 10 + (s[i] - '0');
    }
    ok = ok && bits <= 32;
  }
  if (!ok) c.Error("value", "must be an IPv4 address, optionally in CIDR notation");
}

void CheckNetworkTraffic(Checker& c, const object& o) {
  if (!Checker::Has(o, "src_ref") && !Checker::Has(o, "dst_ref")) {
    c.Error("", "network-traffic must have at least one of src_ref or dst_ref");
  }
  auto active = Checker::GetBool(o, "is_active");
  if (Checker::Has(o, "end") && active == true) {
    c.Error("is_active", "must be false when end is present");
  }
  simdjson::dom::array protocols;
  if (o.at_key("protocols").get(protocols) == simdjson::SUCCESS) {
    size_t i = 0;
    for (simdjson::dom::element p : protocols) {
      std::string_view s;
      if (p.get(s) == simdjson::SUCCESS) {
        bool lower = true;
        for (char ch : s) lower = lower && !(ch >= 'A' && ch <= 'Z');
        if (!lower) {
          size_t old = c.PushPath("protocols");
          c.Warn(std::to_string(i), "protocol names should be lower case");
          c.PopPath(old);
        }
      }
      ++i;
    }
  }
}

// Section 7.2.1: marking definitions; the TLP 1.0 instances are fixed (7.2.1.4), and TLP 2.0
// markings use the extension extension-definition--60a3c5c5-... with property tlp_2_0.
void CheckMarkingDefinition(Checker& c, const object& o) {
  bool has_ext = Checker::Has(o, "extensions");
  auto def_type = Checker::GetString(o, "definition_type");
  bool has_def = Checker::Has(o, "definition");
  if (!has_ext) {
    if (!Checker::Has(o, "definition_type")) {
      c.Error("definition_type", "is required when extensions is absent");
    }
    if (!has_def) c.Error("definition", "is required when extensions is absent");
  }
  std::string_view id = Checker::GetString(o, "id").value_or("");
  // Section 3.2: a marking definition must not mark itself (no circular references).
  simdjson::dom::array marking_refs;
  if (!id.empty() && o.at_key("object_marking_refs").get(marking_refs) == simdjson::SUCCESS) {
    size_t i = 0;
    for (simdjson::dom::element ref : marking_refs) {
      std::string_view s;
      if (ref.get(s) == simdjson::SUCCESS && s == id) {
        size_t old = c.PushPath("object_marking_refs");
        c.Error(std::to_string(i), "a marking definition must not reference itself");
        c.PopPath(old);
      }
      ++i;
    }
  }
  if (def_type && has_def) {
    object def;
    if (o.at_key("definition").get(def) != simdjson::SUCCESS) {
      c.Error("definition", "must be an object");
    } else if (*def_type == "statement") {
      c.CheckNested(kStatementMarkingSpec, def, "definition");
    } else if (*def_type == "tlp") {
      c.CheckNested(kTlpMarkingSpec, def, "definition");
      auto level = Checker::GetString(def, "tlp");
      auto tlp = TlpForMarkingId(id);
      if (level && (!tlp || tlp->tlp_version != 1 ||
                    TlpLevelName(tlp->level) != (*level == "white" ? "clear" : *level))) {
        c.Error("id",
                "TLP marking definitions must be one of the four predefined TLP 1.0 "
                "instances (section 7.2.1.4)");
      }
    } else {
      c.Warn("definition_type", "should be \"statement\" or \"tlp\"");
    }
  }
  // TLP 2.0.
  object exts;
  if (o.at_key("extensions").get(exts) == simdjson::SUCCESS) {
    object tlp2;
    if (exts.at_key(kTlp2ExtensionId).get(tlp2) == simdjson::SUCCESS) {
      auto level = Checker::GetString(tlp2, "tlp_2_0");
      auto tlp = TlpForMarkingId(id);
      size_t old = c.PushPath("extensions");
      size_t old2 = c.PushPath(kTlp2ExtensionId);
      if (!level) {
        c.Error("tlp_2_0", "is required in the TLP 2.0 extension");
      } else if (!tlp || tlp->tlp_version != 2 || TlpLevelName(tlp->level) != *level) {
        c.Error("tlp_2_0",
                "TLP 2.0 marking definitions must be one of the five published "
                "instances (clear, green, amber, amber+strict, red) with their ids");
      }
      c.PopPath(old2);
      c.PopPath(old);
    }
  }
}

void CheckExtensionDefinition(Checker& c, const object& o) {
  bool toplevel = false;
  simdjson::dom::array types;
  if (o.at_key("extension_types").get(types) == simdjson::SUCCESS) {
    for (simdjson::dom::element t : types) {
      std::string_view s;
      if (t.get(s) == simdjson::SUCCESS && s == "toplevel-property-extension") toplevel = true;
    }
  }
  bool has_props = Checker::Has(o, "extension_properties");
  if (has_props && !toplevel) {
    c.Error("extension_properties",
            "must only be used when extension_types includes toplevel-property-extension");
  }
  if (toplevel && !has_props) {
    c.Warn("extension_properties",
           "should list the property names of a toplevel-property-extension");
  }
}

constexpr std::string_view kReservedNames[] = {"severity", "username", "phone_number", "action"};

}  // namespace

const ObjectSpec* FindObjectSpec(std::string_view type) {
  for (const ObjectSpec& spec : kObjectSpecs) {
    if (spec.name.size() == type.size() && spec.name == type) return &spec;
  }
  return nullptr;
}

std::span<const PropSpec> CommonProperties(Category category) {
  switch (category) {
    case Category::kSdo:
    case Category::kSro:
      return kSdoCommon;
    case Category::kSco:
      return kScoCommon;
    case Category::kLanguageContent:
      return kLanguageContentCommon;
    case Category::kMarkingDefinition:
      return kMarkingDefinitionCommon;
    case Category::kExtensionDefinition:
      return kExtensionDefinitionCommon;
    case Category::kNested:
      return {};
  }
  return {};
}

const PropSpec* FindProperty(std::span<const PropSpec> props, std::string_view name) {
  for (const PropSpec& p : props) {
    if (p.name.size() == name.size() && p.name[0] == name[0] && p.name == name) return &p;
  }
  return nullptr;
}

bool InVocab(const Vocab& vocab, std::string_view value) {
  return std::find(vocab.values.begin(), vocab.values.end(), value) != vocab.values.end();
}

const Vocab& HashAlgorithmVocab() { return kHashAlgorithmVocab; }
const Vocab& ExtensionTypeEnum() { return kExtensionTypeEnum; }

bool IsReservedPropertyName(std::string_view name) {
  return std::find(std::begin(kReservedNames), std::end(kReservedNames), name) !=
         std::end(kReservedNames);
}

bool TypeInClass(std::string_view type, std::string_view cls) {
  if (type == "bundle") return false;  // a bundle is not a STIX object
  const ObjectSpec* spec = FindObjectSpec(type);
  if (spec == nullptr) return true;  // custom types may be anything
  if (cls == "@sdo") return spec->category == Category::kSdo;
  if (cls == "@sco") return spec->category == Category::kSco;
  if (cls == "@sdo-sco") {
    return spec->category == Category::kSdo || spec->category == Category::kSco;
  }
  return false;
}

}  // namespace detente::stix::internal
