# Libraries in layers: each names the source folders it owns and the libraries it links,
# and may include headers only from its own folders and from those of the libraries below
# it. An include of a folder above fails the build (cmake/CheckLayerIncludes.cmake runs
# before the library compiles), with a message that names the file and the rule.
#
#   pitchey_layer(<target> FOLDERS <folder>... [LINKS <library>...])
#
# <target> is an existing library; its sources are checked. LINKS are linked PUBLIC; the
# folders of those that are layers themselves become includable.
set(PITCHEY_LAYER_CHECK ${CMAKE_CURRENT_LIST_DIR}/CheckLayerIncludes.cmake)

function(pitchey_layer target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "FOLDERS;LINKS")
  set(allowed ${arg_FOLDERS})
  foreach(link IN LISTS arg_LINKS)
    if(TARGET ${link})
      get_target_property(below ${link} PITCHEY_LAYER_FOLDERS)
      if(below)
        list(APPEND allowed ${below})
      endif()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES allowed)
  set_target_properties(${target} PROPERTIES PITCHEY_LAYER_FOLDERS "${allowed}")
  if(arg_LINKS)
    target_link_libraries(${target} PUBLIC ${arg_LINKS})
  endif()

  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(files "")
  foreach(source IN LISTS sources)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${source_dir} OUTPUT_VARIABLE path)
    list(APPEND files ${path})
  endforeach()
  set(spec ${CMAKE_CURRENT_BINARY_DIR}/${target}.layer.cmake)
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.layer.stamp)
  file(CONFIGURE OUTPUT ${spec} CONTENT [[
set(LAYER_TARGET "@target@")
set(LAYER_ALLOWED "@allowed@")
set(LAYER_FILES "@files@")
set(LAYER_STAMP "@stamp@")
]] @ONLY)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DSPEC=${spec} -P ${PITCHEY_LAYER_CHECK}
    DEPENDS ${files} ${spec} ${PITCHEY_LAYER_CHECK}
    COMMENT "Checking the includes of ${target} against its layer"
    VERBATIM)
  add_custom_target(${target}_layer_check DEPENDS ${stamp})
  add_dependencies(${target} ${target}_layer_check)
endfunction()
