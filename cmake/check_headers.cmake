# Every header compiles on its own (ScyllaDB's check_headers, raft/CMakeLists.txt).
#
# lms_check_headers(TARGET PATH...): for each *.hpp under the PATHs (relative to the repository
# root: folders, searched recursively, or header files), writes a one-line .cpp that includes it, and compiles them all in an OBJECT
# library TARGET_headers linked to TARGET, so they see TARGET's include directories, definitions and
# usage requirements. A header that leans on an include it does not make itself fails the build.
function(lms_check_headers target)
  set(headers "")
  foreach(path IN LISTS ARGN)
    if(path MATCHES "\\.hpp$")
      list(APPEND headers ${path})
    else()
      file(GLOB_RECURSE found CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/${path}/*.hpp)
      list(APPEND headers ${found})
    endif()
  endforeach()
  if(NOT headers)
    message(FATAL_ERROR "lms_check_headers(${target}): no *.hpp under ${ARGN}")
  endif()
  list(SORT headers)
  set(stub_dir ${CMAKE_BINARY_DIR}/check_headers/${target})
  file(GLOB stale ${stub_dir}/*.cpp)
  set(stubs "")
  foreach(header IN LISTS headers)
    string(MAKE_C_IDENTIFIER ${header} stem)
    set(stub ${stub_dir}/${stem}.cpp)
    file(CONFIGURE OUTPUT ${stub} CONTENT "#include \"${header}\"\n")  # rewritten only when it changes
    list(APPEND stubs ${stub})
  endforeach()
  list(REMOVE_ITEM stale ${stubs})
  if(stale)
    file(REMOVE ${stale})  # stubs of headers that were deleted or moved
  endif()
  add_library(${target}_headers OBJECT ${stubs})
  target_link_libraries(${target}_headers PRIVATE ${target})
endfunction()
