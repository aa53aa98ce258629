# DETENTE_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer
# (the `make asan` configuration). DETENTE_FUZZ=ON adds libFuzzer instrumentation (clang only).
option(DETENTE_SANITIZE "Build with ASan + UBSan" OFF)
option(DETENTE_FUZZ "Build libFuzzer targets (requires clang)" OFF)

if(DETENTE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(DETENTE_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
