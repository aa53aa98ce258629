# base fuzz targets: jcs_fuzzer (RFC 8785 canonicalization, corpus/jcs/) and
# base_parsers_fuzzer (timestamps, base64, hex, UUIDs; corpus/base_parsers/).
detente_fuzzer(jcs
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/base_jcs_fuzzer.cc
  DEPS detente_base)
detente_fuzzer(base_parsers
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/base_parsers_fuzzer.cc
  DEPS detente_base)
