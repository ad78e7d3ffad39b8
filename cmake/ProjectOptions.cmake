# Warnings and hardening shared by every target of the project.
# The presets choose how strict (PROJECT_WERROR) and whether sanitizers are on.
option(PROJECT_WERROR "Treat warnings as errors" OFF)
option(PROJECT_HARDEN "FORTIFY, stack protector, PIE, full RELRO" ON)
option(PROJECT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

add_library(project_options INTERFACE)
target_compile_definitions(project_options INTERFACE _GNU_SOURCE)
# Build paths out of the binaries and their debug info, so that the Lambda zip
# is the same whichever directory it was built in.
target_compile_options(project_options INTERFACE
  -ffile-prefix-map=${CMAKE_SOURCE_DIR}=. -ffile-prefix-map=${CMAKE_BINARY_DIR}=build)
target_compile_options(project_options INTERFACE
  -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
  -Wpointer-arith -Wcast-qual -Wvla -Wnull-dereference)
if(PROJECT_WERROR)
  target_compile_options(project_options INTERFACE -Werror)
endif()
if(PROJECT_HARDEN AND NOT PROJECT_SANITIZE)
  target_compile_options(project_options INTERFACE
    -fstack-protector-strong -fstack-clash-protection -fcf-protection
    $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3>)
  target_link_options(project_options INTERFACE -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
endif()
if(PROJECT_SANITIZE)
  target_compile_options(project_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(project_options INTERFACE -fsanitize=address,undefined)
endif()
