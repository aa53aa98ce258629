# taxii benchmarks: a page of 100 from a large collection (SQLite file, bulk-loaded; size from
# DETENTE_BENCH_TAXII_OBJECTS, default 100000) and POST ingest throughput.
detente_bench(taxii_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/taxii_bench.cc
  DEPS detente_taxii)
