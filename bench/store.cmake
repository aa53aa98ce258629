# store benchmarks: batched inserts and point lookups on SQLite (WAL) and PostgreSQL (COPY,
# batched INSERTs; a private cluster started by the benchmark via tests/testing/pg_cluster.cc,
# or DETENTE_BENCH_PG_URL).
detente_bench(store_bench
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/store_bench.cc
    ${PROJECT_SOURCE_DIR}/tests/testing/pg_cluster.cc
  DEPS detente_store)
target_include_directories(store_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests)
