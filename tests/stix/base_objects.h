// stix/base_objects.h: one valid object per STIX 2.1 type (no errors, no warnings), the bases
// the table-driven tests mutate.
#pragma once

#include <map>
#include <string>

namespace detente::stix::testing {

inline const std::map<std::string, std::string>& BaseObjects() {
  static const auto* objects =
      new std::map<std::string, std::string>{
          // SDOs.
          {"attack-pattern",
           R"({"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"Spear Phishing","external_references":[{"source_name":"capec","external_id":"CAPEC-163"}],"kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"delivery"}]})"},
          {"campaign",
           R"({"type":"campaign","spec_version":"2.1","id":"campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","name":"Green Group Attacks","first_seen":"2016-01-01T00:00:00Z","last_seen":"2016-02-01T00:00:00Z"})"},
          {"course-of-action",
           R"({"type":"course-of-action","spec_version":"2.1","id":"course-of-action--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","name":"Add TCP port 80 Filter Rule"})"},
          {"grouping",
           R"({"type":"grouping","spec_version":"2.1","id":"grouping--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3","created":"2015-12-21T19:59:11.000Z","modified":"2015-12-21T19:59:11.000Z","name":"Data Exfil","context":"suspicious-activity","object_refs":["indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2"]})"},
          {"identity",
           R"({"type":"identity","spec_version":"2.1","id":"identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e","created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","name":"John Smith","identity_class":"individual","sectors":["government"]})"},
          {"incident",
           R"({"type":"incident","spec_version":"2.1","id":"incident--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","name":"Breach"})"},
          {"indicator",
           R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","indicator_types":["malicious-activity"],"name":"Poison Ivy Malware","pattern":"[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z","valid_until":"2017-01-01T00:00:00Z","object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],"labels":["x"],"confidence":50,"lang":"en"})"},
          {"infrastructure",
           R"({"type":"infrastructure","spec_version":"2.1","id":"infrastructure--38c47d93-d984-4fd9-b87b-d69d0841628d","created":"2016-05-07T11:22:30.000Z","modified":"2016-05-07T11:22:30.000Z","name":"Poison Ivy C2","infrastructure_types":["command-and-control"]})"},
          {"intrusion-set",
           R"({"type":"intrusion-set","spec_version":"2.1","id":"intrusion-set--4e78f46f-a023-4e5f-bc24-71b3ca22ec29","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","name":"Bobcat Breakin","resource_level":"team","primary_motivation":"revenge","goals":["acquisition-theft"]})"},
          {"location",
           R"({"type":"location","spec_version":"2.1","id":"location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64","created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","latitude":48.8566,"longitude":2.3522,"precision":1000.0,"region":"northern-europe","country":"FR"})"},
          {"malware",
           R"({"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"Cryptolocker","description":"A variant","malware_types":["ransomware"],"is_family":true,"first_seen":"2016-01-01T00:00:00Z","last_seen":"2016-01-01T00:00:00Z","operating_system_refs":["software--a1827f6d-ca53-5605-9e93-4316cd22a00a"],"sample_refs":["file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1"]})"},
          {"malware-analysis",
           R"({"type":"malware-analysis","spec_version":"2.1","id":"malware-analysis--d25167b7-fed0-4068-9ccd-a73dd2c5b07c","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","product":"microsoft","analysis_engine_version":"5.1.0","result":"malicious","analysis_started":"2016-01-01T00:00:00Z","analysis_ended":"2016-01-01T00:01:00Z","sample_ref":"file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1"})"},
          {"note",
           R"({"type":"note","spec_version":"2.1","id":"note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","abstract":"Tracking","content":"This note indicates","authors":["John Doe"],"object_refs":["campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]})"},
          {"observed-data",
           R"({"type":"observed-data","spec_version":"2.1","id":"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf","created":"2016-04-06T19:58:16.000Z","modified":"2016-04-06T19:58:16.000Z","first_observed":"2015-12-21T19:00:00Z","last_observed":"2015-12-21T19:00:00Z","number_observed":50,"object_refs":["ipv4-addr--efcd5e80-570d-5131-b213-62cb18eaa6a8","relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463"]})"},
          {"opinion",
           R"({"type":"opinion","spec_version":"2.1","id":"opinion--b01efc25-77b4-4003-b18b-f6e24b5cd9f7","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","opinion":"strongly-disagree","object_refs":["relationship--16d2358f-3b0d-4c88-b047-0da2f7ed4471"]})"},
          {"report",
           R"({"type":"report","spec_version":"2.1","id":"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3","created":"2015-12-21T19:59:11.000Z","modified":"2015-12-21T19:59:11.000Z","name":"The Black Vine Cyberespionage Group","report_types":["campaign"],"published":"2016-01-20T17:00:00.000Z","object_refs":["indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2"]})"},
          {"threat-actor",
           R"({"type":"threat-actor","spec_version":"2.1","id":"threat-actor--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","threat_actor_types":["crime-syndicate"],"name":"Evil Org","roles":["director"],"sophistication":"advanced","first_seen":"2016-01-01T00:00:00Z"})"},
          {"tool",
           R"({"type":"tool","spec_version":"2.1","id":"tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","tool_types":["remote-access"],"name":"VNC"})"},
          {"vulnerability",
           R"({"type":"vulnerability","spec_version":"2.1","id":"vulnerability--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"CVE-2016-1234","external_references":[{"source_name":"cve","external_id":"CVE-2016-1234"}]})"},
          // SROs.
          {"relationship",
           R"({"type":"relationship","spec_version":"2.1","id":"relationship--57b56a43-b8b0-4cba-9deb-34e3e1faed9e","created":"2016-04-06T20:06:37.000Z","modified":"2016-04-06T20:06:37.000Z","relationship_type":"indicates","source_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","target_ref":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b","start_time":"2016-01-01T00:00:00Z","stop_time":"2016-02-01T00:00:00Z"})"},
          {"sighting",
           R"({"type":"sighting","spec_version":"2.1","id":"sighting--ee20065d-2555-424f-ad9e-0f8428623c75","created":"2016-04-06T20:08:31.000Z","modified":"2016-04-06T20:08:31.000Z","first_seen":"2015-12-21T19:00:00Z","last_seen":"2015-12-21T19:00:00Z","count":50,"sighting_of_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","observed_data_refs":["observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"],"where_sighted_refs":["identity--b67d30ff-02ac-498a-92f9-32f845f448ff"],"summary":false})"},
          // SCOs.
          {"artifact",
           R"({"type":"artifact","spec_version":"2.1","id":"artifact--ca17bcf8-9846-5ab4-8662-75c1bf6e63ee","mime_type":"image/jpeg","payload_bin":"iVBORw0KGgoAAAANSUhEUgAAADI=","hashes":{"SHA-256":"6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"}})"},
          {"autonomous-system",
           R"({"type":"autonomous-system","spec_version":"2.1","id":"autonomous-system--f720c34b-98ae-597f-ade5-27dc241e8c74","number":15139,"name":"Slime Industries","rir":"ARIN"})"},
          {"directory",
           R"({"type":"directory","spec_version":"2.1","id":"directory--93c0a9b0-520d-545d-9094-1a08ddf46b05","path":"C:\\Windows\\System32","contains_refs":["file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1"]})"},
          {"domain-name",
           R"({"type":"domain-name","spec_version":"2.1","id":"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5","value":"example.com","resolves_to_refs":["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"]})"},
          {"email-addr", R"({"type":"email-addr","spec_version":"2.1","id":"email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3","value":"john@example.com","display_name":"John Doe","belongs_to_ref":"user-account--0d5b424b-93b8-5cd8-ac36-306e1789d63c"})"},
          {"email-message",
           R"({"type":"email-message","spec_version":"2.1","id":"email-message--cf9b4b7f-14c8-5955-8065-020e0316b559","is_multipart":true,"date":"1997-11-21T15:55:06Z","from_ref":"email-addr--89f52ea8-d6ef-51e9-8fce-6a29236436ed","to_refs":["email-addr--d1b3bf0c-f02a-51a1-8102-11aba7959868"],"subject":"Check out this picture of a cat!","additional_header_fields":{"Content-Disposition":["inline"]},"body_multipart":[{"content_type":"text/plain; charset=utf-8","body":"Cats are funny!"},{"content_type":"image/png","body_raw_ref":"artifact--4cce66f8-6eaa-53cb-85d5-3a85fca3a6c5"}]})"},
          {"file",
           R"({"type":"file","spec_version":"2.1","id":"file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1","hashes":{"SHA-256":"fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db"},"size":25536,"name":"foo.dll","magic_number_hex":"4d5a","parent_directory_ref":"directory--93c0a9b0-520d-545d-9094-1a08ddf46b05","extensions":{"windows-pebinary-ext":{"pe_type":"exe","machine_hex":"014c","sections":[{"name":".text","size":1024,"entropy":6.5}]},"ntfs-ext":{"sid":"1234567"}}})"},
          {"ipv4-addr",
           R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3","resolves_to_refs":["mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00"],"belongs_to_refs":["autonomous-system--f720c34b-98ae-597f-ade5-27dc241e8c74"]})"},
          {"ipv6-addr",
           R"({"type":"ipv6-addr","spec_version":"2.1","id":"ipv6-addr--1e61d36c-a16c-53b7-a80f-2a00161c96b1","value":"2001:0db8:85a3:0000:0000:8a2e:0370:7334"})"},
          {"mac-addr",
           R"({"type":"mac-addr","spec_version":"2.1","id":"mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00","value":"d2:fb:49:24:37:18"})"},
          {"mutex",
           R"({"type":"mutex","spec_version":"2.1","id":"mutex--eba44954-d4e4-5d3b-814c-2b17dd8de300","name":"__CLEANSWEEP__"})"},
          {"network-traffic",
           R"({"type":"network-traffic","spec_version":"2.1","id":"network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d","start":"2016-01-01T00:00:00Z","end":"2016-01-01T00:01:00Z","is_active":false,"src_ref":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","dst_ref":"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5","src_port":2487,"dst_port":80,"protocols":["ipv4","tcp","http"],"extensions":{"http-request-ext":{"request_method":"get","request_value":"/download.html","request_version":"http/1.1","request_header":{"Host":["www.example.com"]}},"tcp-ext":{"src_flags_hex":"00000002"}}})"},
          {"process",
           R"({"type":"process","spec_version":"2.1","id":"process--f52a906a-0dfc-40bd-92f1-e7778ead38a9","pid":1221,"command_line":"./gedit-bin --new-window","created_time":"2016-01-20T14:11:25.55Z","image_ref":"file--aac2b2e2-5b39-5aa5-9f0e-8c2c8aa9a2e1","extensions":{"windows-process-ext":{"aslr_enabled":true,"integrity_level":"high"}}})"},
          {"software",
           R"({"type":"software","spec_version":"2.1","id":"software--a1827f6d-ca53-5605-9e93-4316cd22a00a","name":"Word","cpe":"cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*","version":"2002","vendor":"Microsoft"})"},
          {"url",
           R"({"type":"url","spec_version":"2.1","id":"url--c1477287-23ac-5971-a010-5c287877fa60","value":"https://example.com/research/index.html"})"},
          {"user-account",
           R"({"type":"user-account","spec_version":"2.1","id":"user-account--0d5b424b-93b8-5cd8-ac36-306e1789d63c","user_id":"1001","account_login":"jdoe","account_type":"unix","is_privileged":false,"extensions":{"unix-account-ext":{"gid":1001,"groups":["wheel"],"home_dir":"/home/jdoe","shell":"/bin/bash"}}})"},
          {"windows-registry-key",
           R"({"type":"windows-registry-key","spec_version":"2.1","id":"windows-registry-key--2ba37ae7-2745-5082-9dfd-9486dad41016","key":"HKEY_LOCAL_MACHINE\\System\\Foo\\Bar","values":[{"name":"Foo","data":"qwerty","data_type":"REG_SZ"}],"number_of_subkeys":2})"},
          {"x509-certificate",
           R"({"type":"x509-certificate","spec_version":"2.1","id":"x509-certificate--463d7b2a-8516-5a50-a3d7-6f801465d5de","issuer":"C=ZA, ST=Western Cape, L=Cape Town, O=Thawte Consulting cc","validity_not_before":"2016-03-12T12:00:00Z","validity_not_after":"2016-08-21T12:00:00Z","subject":"C=US, ST=Maryland, L=Pasadena, O=Brent Baccala","serial_number":"36:f7:d4:32:f4:ab:70:ea:d3:ce:98:6e:ea:99:93:49:32:0a:b7:06","x509_v3_extensions":{"basic_constraints":"critical,CA:TRUE"}})"},
          // Meta objects.
          {"language-content",
           R"({"type":"language-content","spec_version":"2.1","id":"language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d","created":"2017-02-08T21:31:22.007Z","modified":"2017-02-08T21:31:22.007Z","object_ref":"campaign--12a111f0-b824-4baf-a224-83b80237a094","object_modified":"2017-02-08T21:31:22.007Z","contents":{"de":{"name":"Bank Angriff 1","description":"Weitere Informationen"},"fr":{"name":"Attaque Bank 1"}}})"},
          {"marking-definition",
           R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd","created":"2016-08-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright 2019, Example Corp"}})"},
          {"extension-definition",
           R"({"type":"extension-definition","spec_version":"2.1","id":"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e","created_by_ref":"identity--11b76a96-5d2b-45e0-8a5a-f6994f370731","created":"2014-02-20T09:16:08.989Z","modified":"2014-02-20T09:16:08.989Z","name":"Extension Foo Bar","description":"This schema creates a new object type called my-favorite-sdo-1","schema":"https://www.example.com/schema-my-favorite-sdo-1/v1/","version":"1.2.1","extension_types":["new-sdo"]})"},
      };
  return *objects;
}

}  // namespace detente::stix::testing
