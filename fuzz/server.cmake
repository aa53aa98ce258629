# server fuzz targets: server_auth_fuzzer (Authorization header parsing, percent-decoding,
# routing of hostile paths, listen addresses and config.toml; corpus/server_auth/).
detente_fuzzer(server_auth
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/server_auth_fuzzer.cc
  DEPS detente_server)
# server_config_fuzzer: config.toml with the focus on the [clock] table (ParseConfig,
# CheckClockConfig, FormatConfig round trip, the ScaledClock it configures; corpus/server_config/).
detente_fuzzer(server_config
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/server_config_fuzzer.cc
  DEPS detente_server)
# api_request_fuzzer: the JSON API (/api/v1/, ApiMount) through Router and Dispatch over a node
# directory in a temp dir (fuzz_node.h); any 5xx aborts (corpus/api_request/).
# share_input_fuzzer: Workflows::Share / SendSightings / Retract on that node, delivered to and
# applied by the partners (corpus/share_input/).
if(EXISTS ${PROJECT_SOURCE_DIR}/src/server/api_mount.cc)
  detente_fuzzer(api_request
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/api_request_fuzzer.cc
    DEPS detente_server Boost::json)
endif()
detente_fuzzer(share_input
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/share_input_fuzzer.cc
  DEPS detente_server Boost::json)
