# The arrows between modules, enforced by the compiler. Includes are written from the repository
# root (#include "eventstore/pg.hpp"), but no target sees the root: each target exposes only the
# paths it owns, through a folder of links of its own (build/include/<target>/), to itself and to
# whoever links it. A module that includes a header of a module it does not link fails to
# compile, not just (perhaps) to link.
#
#   lms_module_paths(<target> <path>...)   # paths relative to the repository root: a folder
#                                          # (every header below it) or a header file
function(lms_module_paths target)
  set(root ${CMAKE_BINARY_DIR}/include/${target})
  foreach(path IN LISTS ARGN)
    get_filename_component(parent ${root}/${path} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    if(NOT EXISTS ${root}/${path})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${path} ${root}/${path} SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(${target} PUBLIC ${root})
endfunction()

# The headers directly in a folder (not in its subfolders), as paths relative to the root.
function(lms_headers_in out folder)
  file(GLOB found CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/${folder}/*.hpp)
  set(${out} ${found} PARENT_SCOPE)
endfunction()
