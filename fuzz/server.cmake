# server fuzz targets: server_auth_fuzzer (Authorization header parsing, percent-decoding,
# routing of hostile paths, listen addresses and config.toml; corpus/server_auth/).
detente_fuzzer(server_auth
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/server_auth_fuzzer.cc
  DEPS detente_server)
