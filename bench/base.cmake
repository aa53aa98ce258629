# base benchmarks: canonicalization throughput, number formatting, encodings, UUIDs, time.
detente_bench(base_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/base_bench.cc
  DEPS detente_base)
