# crypto benchmarks: SHA-256 throughput and small-input rate, Ed25519 sign/verify.
detente_bench(crypto_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/crypto_bench.cc
  DEPS detente_crypto)
