# Fails if a file of a layer (cmake/PitcheyLayers.cmake) includes a header of a folder that
# is neither its own nor one of the layers below it. Run as
#   cmake -DSPEC=<target>.layer.cmake -P CheckLayerIncludes.cmake
# where SPEC sets LAYER_TARGET, LAYER_ALLOWED (folders), LAYER_FILES and LAYER_STAMP.
# Only quoted includes with a folder ("storage/DbWorker.h") are project headers; system
# and Qt headers are included with <>.
cmake_minimum_required(VERSION 3.21)
include(${SPEC})
set(violations "")
foreach(file IN LISTS LAYER_FILES)
  file(STRINGS ${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*/")
  foreach(line IN LISTS includes)
    string(REGEX MATCH "\"(([^\"/]*)/[^\"]*)\"" match "${line}")
    set(header ${CMAKE_MATCH_1})
    set(folder ${CMAKE_MATCH_2})
    if(NOT folder IN_LIST LAYER_ALLOWED)
      string(APPEND violations "\n  ${file} includes ${header}")
    endif()
  endforeach()
endforeach()
if(violations)
  string(REPLACE ";" " " folders "${LAYER_ALLOWED}")
  message(FATAL_ERROR "upward or sideways include in ${LAYER_TARGET}:${violations}\n"
                      "${LAYER_TARGET} may include only these folders: ${folders}\n"
                      "(its own and those of the libraries it links; cmake/PitcheyLayers.cmake)")
endif()
if(LAYER_STAMP)
  file(TOUCH ${LAYER_STAMP})
endif()
