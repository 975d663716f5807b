# Helpers that keep every core module, executable and test built the same way.

# One precompiled LibTorch header, reused by every target that links LibTorch.
if(LUMINA_USE_PCH)
    add_library(lumina_torch_pch OBJECT ${CMAKE_SOURCE_DIR}/cmake/torch_pch.cpp)
    target_link_libraries(lumina_torch_pch PUBLIC torch)
    target_precompile_headers(lumina_torch_pch PRIVATE ${CMAKE_SOURCE_DIR}/cmake/torch_pch.h)
endif()

function(lumina_use_torch target)
    target_link_libraries(${target} PUBLIC torch)
    if(LUMINA_USE_PCH)
        target_precompile_headers(${target} REUSE_FROM lumina_torch_pch)
    endif()
endfunction()

# lumina_add_core_module(NAME SOURCES ... [DEPS ...] [TORCH])
# A static library lumina_<NAME> from core/. core must never see Qt: its sources are scanned at configure
# time and its link interface is checked after generation (tests/unit/core_has_no_qt.cmake checks binaries).
function(lumina_add_core_module name)
    cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS" ${ARGN})
    set(target lumina_${name})
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE lumina_warnings)
    if(ARG_TORCH)
        lumina_use_torch(${target})
    endif()
    foreach(src IN LISTS ARG_SOURCES)
        get_filename_component(abs ${src} ABSOLUTE)
        get_filename_component(hdr_base ${abs} NAME_WLE)
        get_filename_component(dir ${abs} DIRECTORY)
        foreach(f ${abs} ${dir}/${hdr_base}.h)
            if(EXISTS ${f})
                file(STRINGS ${f} qt_includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]Q[A-Za-z]")
                if(qt_includes)
                    message(FATAL_ERROR "core must stay Qt-free, but ${f} includes: ${qt_includes}")
                endif()
            endif()
        endforeach()
    endforeach()
    set_property(GLOBAL APPEND PROPERTY LUMINA_CORE_MODULES ${target})
endfunction()

# Fails the configure step if any core module links a Qt target, directly or through another module.
function(lumina_check_core_has_no_qt)
    get_property(modules GLOBAL PROPERTY LUMINA_CORE_MODULES)
    foreach(m IN LISTS modules)
        get_target_property(libs ${m} LINK_LIBRARIES)
        get_target_property(ilibs ${m} INTERFACE_LINK_LIBRARIES)
        foreach(l IN LISTS libs ilibs)
            if(l MATCHES "^Qt[56]?::")
                message(FATAL_ERROR "core module ${m} links ${l}: core must stay Qt-free")
            endif()
        endforeach()
    endforeach()
endfunction()

# lumina_add_test(NAME SOURCES ... LIBS ... LABELS ... [GUI] [TIMEOUT s] [FIXTURES_REQUIRED ...] [TORCH])
# A Qt Test executable registered with ctest. GUI tests run offscreen.
function(lumina_add_test name)
    cmake_parse_arguments(ARG "GUI;TORCH" "TIMEOUT" "SOURCES;LIBS;LABELS;FIXTURES_REQUIRED;ARGS;ENV" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests AUTOMOC ON)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/tests)
    target_link_libraries(${name} PRIVATE ${ARG_LIBS} Qt6::Test lumina_warnings)
    if(ARG_TORCH)
        lumina_use_torch(${name})
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    add_test(NAME ${name} COMMAND ${name} ${ARG_ARGS})
    set(env "QTEST_DISABLE_STACK_DUMP=1" "LUMINA_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
            "LUMINA_FIXTURES_DIR=${CMAKE_BINARY_DIR}/fixtures" "LUMINA_PYTHON=${LUMINA_PYTHON}" ${ARG_ENV})
    if(ARG_GUI)
        list(APPEND env "QT_QPA_PLATFORM=offscreen")
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${env}")
    if(ARG_FIXTURES_REQUIRED)
        set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES_REQUIRED}")
    endif()
endfunction()

# lumina_add_python_fixture(NAME SCRIPT ARGS ...): runs a reference-environment script that writes tiny
# random models and reference tensors under build/fixtures/NAME before the tests that require it.
function(lumina_add_python_fixture name script)
    add_test(NAME fixture_${name}
             COMMAND ${LUMINA_PYTHON} ${CMAKE_SOURCE_DIR}/tests/python/${script}
                     --out ${CMAKE_BINARY_DIR}/fixtures/${name} ${ARGN})
    set_tests_properties(fixture_${name} PROPERTIES FIXTURES_SETUP ${name} LABELS "parity" TIMEOUT 900
                         ENVIRONMENT "OMP_NUM_THREADS=1;HF_HUB_OFFLINE=1;TRANSFORMERS_VERBOSITY=error")
endfunction()
