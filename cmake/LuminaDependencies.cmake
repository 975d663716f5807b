# Finds every third-party dependency once. LibTorch comes from the project's virtual environment
# (.venv, made by packaging/setup.sh) unless Torch_DIR or CMAKE_PREFIX_PATH already point at one.
set(LUMINA_PYTHON "${CMAKE_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH
    "Python of the reference environment (torch, diffusers, transformers)")

if(NOT Torch_DIR)
    foreach(_py "${LUMINA_PYTHON}" python3)
        execute_process(COMMAND ${_py} -c "import torch, sys; sys.stdout.write(torch.utils.cmake_prefix_path)"
                        OUTPUT_VARIABLE _torch_prefix RESULT_VARIABLE _rc ERROR_QUIET)
        if(_rc EQUAL 0 AND EXISTS "${_torch_prefix}/Torch")
            list(APPEND CMAKE_PREFIX_PATH "${_torch_prefix}")
            break()
        endif()
    endforeach()
endif()
# The CUDA build of LibTorch looks for the CUDA toolkit; say where nvcc is when it is not on PATH.
if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
endif()
# We compile no CUDA code; naming the architectures skips LibTorch's GPU probe (a CUDA try_run that fails on
# machines without a GPU and with compilers CMake does not know).
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT TORCH_CUDA_ARCH_LIST)
    set(TORCH_CUDA_ARCH_LIST "8.0;8.6;8.9;9.0")
endif()
find_package(Torch REQUIRED)
if(NOT TARGET torch)
    message(FATAL_ERROR "LibTorch was found but defines no 'torch' target: ${Torch_DIR}")
endif()
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")

find_package(PkgConfig REQUIRED)
pkg_check_modules(SentencePiece REQUIRED IMPORTED_TARGET sentencepiece)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)

if(LUMINA_WITH_OIIO)
    find_package(OpenImageIO CONFIG REQUIRED)
    # Debian's OpenImageIO target names /usr/include/opencv4, which nothing installs; drop missing dirs.
    foreach(_oiio_target OpenImageIO::OpenImageIO OpenImageIO::OpenImageIO_Util)
        if(TARGET ${_oiio_target})
            get_target_property(_dirs ${_oiio_target} INTERFACE_INCLUDE_DIRECTORIES)
            if(_dirs)
                set(_kept)
                foreach(_d IN LISTS _dirs)
                    if(EXISTS "${_d}" OR _d MATCHES "^\\$<")
                        list(APPEND _kept "${_d}")
                    endif()
                endforeach()
                set_target_properties(${_oiio_target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_kept}")
            endif()
        endif()
    endforeach()
endif()

if(LUMINA_BUILD_UI OR LUMINA_BUILD_TESTS)
    set(_qt_components Core)
    if(LUMINA_BUILD_UI)
        list(APPEND _qt_components Gui Widgets Sql LinguistTools)
    endif()
    if(LUMINA_BUILD_TESTS)
        list(APPEND _qt_components Gui Test) # Gui: tests read the PNGs the CLI writes through QImage
    endif()
    find_package(Qt6 6.4 COMPONENTS ${_qt_components})
    if(NOT Qt6_FOUND)
        if(LUMINA_BUILD_UI)
            message(FATAL_ERROR "Qt 6 was not found: install qt6-base-dev qt6-tools-dev (packaging/setup.sh does), "
                                "or configure with -DLUMINA_BUILD_UI=OFF -DLUMINA_BUILD_TESTS=OFF")
        endif()
        message(WARNING "Qt 6 Test not found: tests are off")
        set(LUMINA_BUILD_TESTS OFF CACHE BOOL "" FORCE)
    endif()
endif()
