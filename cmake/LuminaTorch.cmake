# Finds LibTorch and decides whether CUDA sources are built.
#
# LibTorch comes from the project's virtual environment (.venv, made by packaging/setup.sh) unless Torch_DIR or
# CMAKE_PREFIX_PATH already point at one. The PyPI wheel is a CUDA build; its CMake config (Caffe2Config.cmake,
# public/cuda.cmake) insists on a CUDA toolkit, which most machines with an NVIDIA card do not have (the driver
# is enough to run the wheel's own CUDA libraries). So:
#   - a CUDA toolkit whose major version matches LibTorch's (nvcc on PATH, CMAKE_CUDA_COMPILER, CUDACXX,
#     CUDA_HOME or /usr/local/cuda): LibTorch's config runs as written and LUMINA_CUDA_SOURCES is ON (the .cu
#     files are compiled);
#   - no toolkit, a toolkit of another major version, or LUMINA_CUDA_TOOLKIT=OFF: LibTorch's CUDA runtime
#     target (torch::cudart, whose presence is the include guard of public/cuda.cmake) is declared empty before
#     find_package(Torch), so no toolkit is looked for; libtorch_cuda is still linked and finds its CUDA
#     libraries at run time; LUMINA_CUDA_SOURCES is OFF.
# Either way the executables carry an RPATH to the wheel's nvidia/*/lib folders (the CUDA runtime, cuBLAS,
# cuDNN, ... that LibTorch was built against), so they start without LD_LIBRARY_PATH and without a toolkit.
set(LUMINA_PYTHON "${CMAKE_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH
    "Python of the reference environment (torch, diffusers, transformers)")
set(LUMINA_CUDA_TOOLKIT AUTO CACHE STRING
    "AUTO: compile the CUDA sources when a CUDA toolkit matching LibTorch's CUDA version is found; OFF: never")
set_property(CACHE LUMINA_CUDA_TOOLKIT PROPERTY STRINGS AUTO OFF)

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

# The LibTorch install root (the folder with lib/ and include/), before find_package runs.
set(LUMINA_TORCH_CONFIG "")
foreach(_dir "${Torch_DIR}" ${CMAKE_PREFIX_PATH} $ENV{CMAKE_PREFIX_PATH})
    foreach(_sub "" /Torch /share/cmake/Torch)
        if(NOT LUMINA_TORCH_CONFIG AND _dir AND EXISTS "${_dir}${_sub}/TorchConfig.cmake")
            set(LUMINA_TORCH_CONFIG "${_dir}${_sub}/TorchConfig.cmake")
        endif()
    endforeach()
endforeach()
if(NOT LUMINA_TORCH_CONFIG)
    message(FATAL_ERROR "LibTorch was not found: run packaging/setup.sh (it installs the torch wheel into .venv), "
                        "or pass -DTorch_DIR=/path/to/libtorch/share/cmake/Torch")
endif()
get_filename_component(_torch_root "${LUMINA_TORCH_CONFIG}/../../../.." ABSOLUTE)

# LibTorch's CUDA version: "2.11.0+cu130" in the wheel's version.py or the official download's build-version.
set(LUMINA_TORCH_CUDA "")
foreach(_f "${_torch_root}/version.py" "${_torch_root}/build-version")
    if(EXISTS "${_f}")
        file(STRINGS "${_f}" _v REGEX "\\+cu[0-9]+")
        if(_v MATCHES "\\+cu([0-9]+)([0-9])")
            set(LUMINA_TORCH_CUDA "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
        endif()
        file(STRINGS "${_f}" _v REGEX "^cuda.*= *'[0-9.]+'")
        if(_v MATCHES "'([0-9]+\\.[0-9]+)'")
            set(LUMINA_TORCH_CUDA "${CMAKE_MATCH_1}")
        endif()
    endif()
endforeach()
set(_torch_is_cuda OFF)
if(EXISTS "${_torch_root}/lib/libtorch_cuda.so" OR EXISTS "${_torch_root}/lib/torch_cuda.dll")
    set(_torch_is_cuda ON)
endif()

# The CUDA toolkit, if any, and its version.
set(LUMINA_CUDA_SOURCES OFF)
set(_nvcc "")
if(_torch_is_cuda AND LUMINA_CUDA_TOOLKIT STREQUAL "AUTO")
    if(CMAKE_CUDA_COMPILER)
        set(_nvcc "${CMAKE_CUDA_COMPILER}")
    elseif(DEFINED ENV{CUDACXX})
        set(_nvcc "$ENV{CUDACXX}")
    else()
        find_program(_nvcc_found nvcc HINTS "$ENV{CUDA_HOME}/bin" "$ENV{CUDA_PATH}/bin" /usr/local/cuda/bin
                     NO_CACHE)
        if(_nvcc_found)
            set(_nvcc "${_nvcc_found}")
        endif()
    endif()
endif()
set(_toolkit_version "")
if(_nvcc AND EXISTS "${_nvcc}")
    execute_process(COMMAND "${_nvcc}" --version OUTPUT_VARIABLE _nvcc_out RESULT_VARIABLE _rc ERROR_QUIET)
    if(_rc EQUAL 0 AND _nvcc_out MATCHES "release ([0-9]+)\\.([0-9]+)")
        set(_toolkit_version "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
        set(_toolkit_major "${CMAKE_MATCH_1}")
    endif()
endif()
string(REGEX REPLACE "\\..*" "" _torch_cuda_major "${LUMINA_TORCH_CUDA}")
string(REPLACE "." "-" _torch_cuda_package "${LUMINA_TORCH_CUDA}")

if(NOT _torch_is_cuda)
    string(CONCAT LUMINA_CUDA_STATUS "LibTorch is a CPU-only build: no CUDA")
elseif(LUMINA_CUDA_TOOLKIT STREQUAL "OFF")
    string(CONCAT LUMINA_CUDA_STATUS "CUDA toolkit not used (LUMINA_CUDA_TOOLKIT=OFF): CUDA sources off, "
                           "LibTorch's CUDA ${LUMINA_TORCH_CUDA} used at run time")
elseif(NOT _toolkit_version)
    string(CONCAT LUMINA_CUDA_STATUS "no CUDA toolkit found: CUDA sources off; LibTorch's CUDA ${LUMINA_TORCH_CUDA} "
                           "runtime (from the wheel) is still used at run time when a GPU is present")
elseif(_torch_cuda_major AND _toolkit_major STREQUAL _torch_cuda_major)
    set(LUMINA_CUDA_SOURCES ON)
    set(CMAKE_CUDA_COMPILER "${_nvcc}")
    get_filename_component(CUDA_TOOLKIT_ROOT_DIR "${_nvcc}/../.." ABSOLUTE) # for public/cuda.cmake
    string(CONCAT LUMINA_CUDA_STATUS "CUDA toolkit ${_toolkit_version} (${_nvcc}) matches LibTorch's CUDA "
                           "${LUMINA_TORCH_CUDA}: CUDA sources on")
else()
    string(CONCAT LUMINA_CUDA_STATUS "CUDA toolkit ${_toolkit_version} (${_nvcc}) does not match LibTorch's CUDA "
                           "${LUMINA_TORCH_CUDA}: CUDA sources off (the GPU is still used through LibTorch)")
    message(WARNING "CUDA toolkit ${_toolkit_version} at ${_nvcc} does not match the CUDA version LibTorch was "
                    "built with (${LUMINA_TORCH_CUDA}). The build goes on without the CUDA sources. To build them, "
                    "install CUDA toolkit ${_torch_cuda_major}.x (Debian/Ubuntu with NVIDIA's repository: "
                    "apt install cuda-toolkit-${_torch_cuda_package}) and configure with "
                    "-DCMAKE_CUDA_COMPILER=/usr/local/cuda-${LUMINA_TORCH_CUDA}/bin/nvcc, or install a torch "
                    "wheel built for CUDA ${_toolkit_major}.")
endif()

if(_torch_is_cuda AND NOT LUMINA_CUDA_SOURCES AND NOT TARGET torch::cudart)
    # public/cuda.cmake returns at once when this target exists ("poor man's include guard"), so LibTorch's
    # config neither looks for a toolkit nor fails. libtorch_cuda links its CUDA runtime itself.
    add_library(torch::cudart INTERFACE IMPORTED)
endif()
if(LUMINA_CUDA_SOURCES AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT TORCH_CUDA_ARCH_LIST)
    # Naming the architectures skips LibTorch's GPU probe (a CUDA try_run that fails on machines without a GPU).
    set(TORCH_CUDA_ARCH_LIST "8.0;8.6;8.9;9.0")
endif()


find_package(Torch REQUIRED)
if(NOT TARGET torch)
    message(FATAL_ERROR "LibTorch was found but defines no 'torch' target: ${Torch_DIR}")
endif()
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")
message(STATUS "CUDA: ${LUMINA_CUDA_STATUS}")

if(LUMINA_CUDA_SOURCES)
    enable_language(CUDA) # public/cuda.cmake did so already; repeated so that the dependency is visible here
    # LibTorch's config clears CMAKE_CUDA_ARCHITECTURES (it uses TORCH_CUDA_ARCH_LIST); our .cu targets use it.
    if(NOT LUMINA_CUDA_ARCHITECTURES)
        set(LUMINA_CUDA_ARCHITECTURES 80-real 86-real 89-real 90) # Ampere to Hopper, PTX for newer GPUs
    endif()
    set(CMAKE_CUDA_ARCHITECTURES ${LUMINA_CUDA_ARCHITECTURES})
endif()

# The wheel's CUDA libraries (site-packages/nvidia/*/lib) are found by Python through preloading; a C++
# executable needs a search path. DT_RPATH (not DT_RUNPATH) because libtorch_cuda.so, which needs them, has
# no search path of its own and only DT_RPATH of the executable applies to indirect dependencies.
get_filename_component(_site_packages "${_torch_root}/.." ABSOLUTE)
file(GLOB LUMINA_TORCH_CUDA_LIBRARY_DIRS LIST_DIRECTORIES true "${_site_packages}/nvidia/*/lib")
if(_torch_is_cuda AND LUMINA_TORCH_CUDA_LIBRARY_DIRS AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
    list(APPEND CMAKE_BUILD_RPATH ${LUMINA_TORCH_CUDA_LIBRARY_DIRS})
    list(APPEND CMAKE_INSTALL_RPATH ${LUMINA_TORCH_CUDA_LIBRARY_DIRS})
    add_link_options("LINKER:--disable-new-dtags")
endif()
