# Components are added as they exist, so that the tree builds while parts are
# still being written and a missing part is a clear configure message, not an error.
function(add_component dir)
  if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt")
    add_subdirectory(${dir})
  else()
    message(STATUS "component ${dir}: not present")
  endif()
endfunction()
