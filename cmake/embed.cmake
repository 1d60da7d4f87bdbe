# Files embedded in the binary at build time (migrations, mail templates): one C++ initializer
# entry per file, {"<file name>", R"<delimiter>(<contents>)<delimiter>"}, in file-name order, for
# a configure_file template to place. Every file is a configure dependency.
#
#   lms_embedded_entries(<out var> <glob> <raw-string delimiter>)
function(lms_embedded_entries out pattern delimiter)
  file(GLOB files CONFIGURE_DEPENDS ${pattern})
  list(SORT files)
  set(entries "")
  foreach(f IN LISTS files)
    get_filename_component(name ${f} NAME)
    file(READ ${f} body)
    string(APPEND entries "        {\"${name}\", R\"${delimiter}(${body})${delimiter}\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  endforeach()
  set(${out} "${entries}" PARENT_SCOPE)
endfunction()
