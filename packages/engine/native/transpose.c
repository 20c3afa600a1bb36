// Cache-friendly transpose: 8x8 register tiles (AVX) inside 64-wide blocks,
// scalar for ragged edges. Used to convert batch rows to feature-major
// panels (and back) around the sparse kernels, where a naive strided loop
// cost more than the sparse arithmetic itself.
#include "transpose.h"
#if defined(__AVX__)
#include <immintrin.h>

static inline void tr8x8(const float *s, size_t ss, float *d, size_t ds) {
  __m256 r0 = _mm256_loadu_ps(s + 0 * ss), r1 = _mm256_loadu_ps(s + 1 * ss);
  __m256 r2 = _mm256_loadu_ps(s + 2 * ss), r3 = _mm256_loadu_ps(s + 3 * ss);
  __m256 r4 = _mm256_loadu_ps(s + 4 * ss), r5 = _mm256_loadu_ps(s + 5 * ss);
  __m256 r6 = _mm256_loadu_ps(s + 6 * ss), r7 = _mm256_loadu_ps(s + 7 * ss);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  _mm256_storeu_ps(d + 0 * ds, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(d + 1 * ds, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(d + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(d + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(d + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(d + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(d + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(d + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif

#define BLK 64

void imp_transpose(const float *src, size_t ss, float *dst, size_t ds, int rows, int cols) {
  for (int i0 = 0; i0 < rows; i0 += BLK) {
    int i1 = i0 + BLK < rows ? i0 + BLK : rows;
    for (int j0 = 0; j0 < cols; j0 += BLK) {
      int j1 = j0 + BLK < cols ? j0 + BLK : cols;
      int i = i0;
#if defined(__AVX__)
      for (; i + 8 <= i1; i += 8) {
        int j = j0;
        for (; j + 8 <= j1; j += 8) tr8x8(src + (size_t)i * ss + j, ss, dst + (size_t)j * ds + i, ds);
        for (; j < j1; j++)
          for (int k = i; k < i + 8; k++) dst[(size_t)j * ds + k] = src[(size_t)k * ss + j];
      }
#endif
      for (; i < i1; i++)
        for (int j = j0; j < j1; j++) dst[(size_t)j * ds + i] = src[(size_t)i * ss + j];
    }
  }
}
