# Each library publishes only its own headers from include/: a target sees the
# headers of what it links and nothing else, so a layer that reaches the wrong
# way (the runtime including an order header, a handler including another's)
# fails to compile instead of passing unnoticed.
#
# orders_public_headers(<target> <path under include/>...) links each header
# into ${CMAKE_BINARY_DIR}/include/<target>/ (the same relative path, so the
# sources keep writing #include "lr/json.h") and gives the target that folder
# as its PUBLIC include directory; linking passes it on.
function(orders_public_headers target)
  set(dir ${CMAKE_BINARY_DIR}/include/${target})
  foreach(h IN LISTS ARGN)
    set(src ${PROJECT_SOURCE_DIR}/include/${h})
    if(NOT EXISTS ${src})
      message(FATAL_ERROR "${target}: no header include/${h}")
    endif()
    get_filename_component(sub ${dir}/${h} DIRECTORY)
    file(MAKE_DIRECTORY ${sub})
    file(CREATE_LINK ${src} ${dir}/${h} SYMBOLIC)
  endforeach()
  target_include_directories(${target} PUBLIC ${dir})
endfunction()
