# peer benchmarks: two nodes in one process over loopback HTTP with SQLite synchronous=FULL:
# batched originate/deliver/receipt throughput and single-message Originate->receipt latency.
detente_bench(peer_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/peer_bench.cc
  DEPS detente_server detente_peer detente_accord)
