# Small helpers shared by every CMakeLists.txt in the tree.

# Uses ccache when it is installed: rebuilds after a clean clone are then cheap.
function(polku_enable_ccache)
  find_program(POLKU_CCACHE ccache)
  if(POLKU_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${POLKU_CCACHE} PARENT_SCOPE)
    set(CMAKE_C_COMPILER_LAUNCHER ${POLKU_CCACHE} PARENT_SCOPE)
  endif()
endfunction()

# AddressSanitizer + UndefinedBehaviorSanitizer for the whole build.
macro(polku_enable_sanitizers)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endmacro()

# ThreadSanitizer for the whole build (the tsan preset builds only core
# targets: Debian's gRPC is not instrumented and TSan reports races inside
# it).
macro(polku_enable_thread_sanitizer)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endmacro()

# polku_core_library(NAME SOURCES ... DEPS ...)
# A library of the pure core. It must not include gRPC, protobuf, Prometheus,
# SQLite or libpq headers; the include check test enforces that for every
# target registered here.
function(polku_core_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/services)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY POLKU_CORE_TARGETS ${name})
endfunction()

# polku_test(NAME SOURCES ... DEPS ... [LABELS ...])
# One GoogleTest executable; each TEST becomes its own CTest entry.
function(polku_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
      POLKU_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      POLKU_SHARED_DIR="${POLKU_SHARED_DIR}"
      POLKU_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 300)
endfunction()

# polku_label_discovered_tests(TARGET LABEL...)
# gtest_discover_tests() cannot pass a list as a property (two labels become
# a label and a stray property name), so the tests it discovers from TARGET
# are labelled afterwards: a CTest include file, run after discovery, sets
# LABELS on every name in the TARGET_TESTS list.
function(polku_label_discovered_tests target)
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  list(JOIN ARGN ";" labels)
  file(WRITE ${script}
    "foreach(t IN LISTS ${target}_TESTS)\n"
    "  set_tests_properties(\"\${t}\" PROPERTIES LABELS \"${labels}\")\n"
    "endforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
endfunction()
