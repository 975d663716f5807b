// Compiles the LibTorch precompiled header (see cmake/torch_pch.h).
