#pragma once
#include <stddef.h>
// dst[j*ds + i] = src[i*ss + j] for i < rows, j < cols.
void imp_transpose(const float *src, size_t ss, float *dst, size_t ds, int rows, int cols);
