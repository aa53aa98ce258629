# match: the event readers (Zeek, Suricata EVE, STIX) and the stream framing, fed hostile bytes.
detente_fuzzer(match_events
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/match_events_fuzzer.cc
  DEPS detente_match)
