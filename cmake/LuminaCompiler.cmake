# Compiler launcher, warnings and sanitizers shared by every target.
find_program(LUMINA_CCACHE ccache)
if(LUMINA_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    # ccache only reuses objects built against a precompiled header with these sloppiness settings.
    set(_lumina_launcher ${CMAKE_COMMAND} -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime" ${LUMINA_CCACHE})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${_lumina_launcher})
    set(CMAKE_C_COMPILER_LAUNCHER ${_lumina_launcher})
endif()

add_library(lumina_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(lumina_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
    # Project code builds without warnings (third-party headers come in as system headers and are exempt).
    if(LUMINA_WERROR)
        target_compile_options(lumina_warnings INTERFACE -Werror)
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
            # GCC 12 at -O3 reports std::string copies inlined from libstdc++ as -Wrestrict / -Warray-bounds
            # overflows that cannot happen (GCC bugs 105329 and 105651): kept as warnings, not errors.
            target_compile_options(lumina_warnings INTERFACE -Wno-error=restrict -Wno-error=array-bounds)
        endif()
    endif()
endif()

if(LUMINA_SANITIZE STREQUAL "address")
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
elseif(LUMINA_SANITIZE STREQUAL "thread")
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
elseif(NOT LUMINA_SANITIZE STREQUAL "")
    message(FATAL_ERROR "LUMINA_SANITIZE must be address, thread or empty, not '${LUMINA_SANITIZE}'")
endif()
