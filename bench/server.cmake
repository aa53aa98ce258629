# server benchmarks: routing, Authorization checks (cached vs Argon2id interactive), and
# keep-alive GET /healthz round trips against an in-process server on 127.0.0.1:0, and TAXII
# object GETs through the serialised vs the pooled TaxiiMount.
detente_bench(server_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/server_bench.cc
  DEPS detente_server)
