# Warnings for detente's own targets: strict, and errors by default.
# Third-party headers are included as SYSTEM so their warnings do not count.
option(DETENTE_WERROR "Treat warnings in detente's own code as errors" ON)

function(detente_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers)
  if(DETENTE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
