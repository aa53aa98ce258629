# pattern fuzz targets: pattern_parse (lexer, parser, validator, printer round trip;
# corpus/pattern_parse/) and pattern_eval (Match over fuzzed patterns and observations;
# corpus/pattern_eval/).
detente_fuzzer(pattern_parse
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/pattern_parse_fuzzer.cc
  DEPS detente_pattern)
detente_fuzzer(pattern_eval
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/pattern_eval_fuzzer.cc
  DEPS detente_pattern)
