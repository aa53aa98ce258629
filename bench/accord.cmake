# accord benchmark: Exchange::Originate (single and batched) and Accept + RecordAnswer between
# two Exchanges on SQLite files in one process (no HTTP). Figures: docs/performance/accord.md.
detente_bench(accord_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/accord_bench.cc
  DEPS detente_accord)
