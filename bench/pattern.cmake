# pattern benchmarks: patterns compiled per second, evaluation time per (pattern, observation).
detente_bench(pattern_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/pattern_bench.cc
  DEPS detente_pattern)
