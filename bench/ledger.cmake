# ledger benchmarks: durable batched appends, inclusion proofs from a large log, `log verify`,
# hashing and proof verification. DETENTE_LEDGER_BENCH_ENTRIES sets the large log's size
# (default 1,000,000; the report in docs/performance/ledger.md uses 10,000,000).
detente_bench(ledger_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ledger_bench.cc
  DEPS detente_ledger)
