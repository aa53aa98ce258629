# store benchmarks: batched inserts (SQLite WAL) and point lookups.
detente_bench(store_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/store_bench.cc
  DEPS detente_store)
