// Precompiled header for every target that uses LibTorch: parsing <torch/torch.h> costs ~15 s per
// translation unit, so it is parsed once (see cmake/LuminaTargets.cmake).
#pragma once
#include <torch/torch.h>
