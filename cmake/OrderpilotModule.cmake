# op_module(NAME [DEPS module...] [LIBS target...])
#
# Declares src/NAME as the static library op_NAME built from src/NAME/*.cc and
# src/NAME/internal/*.cc. DEPS are the orderpilot modules NAME may include and link (the arrows of
# DESIGN.md); LIBS are third-party targets. The declared DEPS are written to
# ${CMAKE_BINARY_DIR}/module_deps.txt, which cmake/check_includes.cmake reads to fail any
# `#include "x/..."` of an undeclared module.
function(op_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS;PRIVATE_LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/src/${name}/*.cc ${PROJECT_SOURCE_DIR}/src/${name}/internal/*.cc)
  # A module's main.cc is an executable's entry point, never library code: in the library it would
  # hand every test binary that links the module the program's main() instead of GoogleTest's.
  list(FILTER srcs EXCLUDE REGEX "/src/${name}/main\\.cc$")
  add_library(op_${name} STATIC ${srcs})
  target_include_directories(op_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(dep_targets)
  foreach(d ${M_DEPS})
    list(APPEND dep_targets op_${d})
  endforeach()
  target_link_libraries(op_${name} PUBLIC ${dep_targets} ${M_LIBS} PRIVATE ${M_PRIVATE_LIBS})
  string(REPLACE ";" " " deps_str "${M_DEPS}")
  file(APPEND ${CMAKE_BINARY_DIR}/module_deps.txt "${name}: ${deps_str}\n")
endfunction()
