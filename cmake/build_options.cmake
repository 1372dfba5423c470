# Interface targets for warnings and sanitizers; link them PRIVATE, never set directory-wide flags.
add_library(anliegen_warnings INTERFACE)
add_library(anliegen::warnings ALIAS anliegen_warnings)
target_compile_options(anliegen_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                   -Wno-missing-field-initializers)

add_library(anliegen_sanitizers INTERFACE)
add_library(anliegen::sanitizers ALIAS anliegen_sanitizers)
if(ANLIEGEN_SANITIZE)
  target_compile_options(anliegen_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                      -fno-sanitize-recover=undefined)
  target_link_options(anliegen_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
