# crypto fuzzers: strict PEM/DER parsing of Ed25519 key files (hostile input).
detente_fuzzer(key_pem
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/key_pem_fuzzer.cc
  DEPS detente_crypto)
