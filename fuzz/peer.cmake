# peer fuzz targets: peer_inbox_fuzzer (the /peer/v1/ endpoint's HTTP input: arbitrary method,
# target, headers and body, optionally correctly signed so the input reaches the decoders and
# the Exchange; over an in-memory SQLite Exchange; corpus/peer_inbox/).
detente_fuzzer(peer_inbox
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/peer_inbox_fuzzer.cc
  DEPS detente_peer detente_accord)
