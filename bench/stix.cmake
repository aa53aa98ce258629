# stix benchmarks: validation throughput on a generated 100 MB NDJSON (docs/performance/stix.md).
detente_bench(stix_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/stix_bench.cc
  DEPS detente_stix)
