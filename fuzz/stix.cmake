# stix fuzz target: any bytes through the streaming reader and the validator (no crash, no
# unbounded memory), and through the deterministic SCO id computation.
detente_fuzzer(stix
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/stix_fuzzer.cc
  DEPS detente_stix)
