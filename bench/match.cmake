# match: events/s and MB/s of the bulk matcher on generated Zeek-like JSON (fixed seed), with
# 1k / 100k / 1M equality indicators plus 1,000 LIKE/MATCHES/CIDR patterns; the raw simdjson
# parse rate of the same data as the floor; bytes per indicator.
detente_bench(match_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/match_bench.cc
  DEPS detente_match)
