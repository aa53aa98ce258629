# taxii fuzz targets: the query string and match[] parser, the `next` cursor decoder,
# Accept/Content-Type parsing, and POSTed envelope bodies (no crash, bounded memory).
detente_fuzzer(taxii_query
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/taxii_query_fuzzer.cc
  DEPS detente_taxii)
detente_fuzzer(taxii_cursor
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/taxii_cursor_fuzzer.cc
  DEPS detente_taxii)
detente_fuzzer(taxii_media
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/taxii_media_fuzzer.cc
  DEPS detente_taxii)
detente_fuzzer(taxii_envelope
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/taxii_envelope_fuzzer.cc
  DEPS detente_taxii)
