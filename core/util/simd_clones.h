#pragma once
// For the plain loops outside the products (Adam, bias + ReLU): compiled three times, for
// AVX-512, for AVX2 + FMA and for baseline x86-64, and the CPU's best picked when the program
// loads. A portable build then runs them as fast as a -march=native one does. Eigen's code
// cannot do this (its vector width is fixed by the build's own flags), so these loops are
// written as plain loops over pointers.
#if defined(__x86_64__) && !defined(__AVX512F__) && !defined(LORA_NO_CLONES) &&                    \
    (defined(__GNUC__) || defined(__clang__))
#define LORA_SIMD_CLONES                                                                           \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LORA_SIMD_CLONES
#endif
