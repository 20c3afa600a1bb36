#pragma once
void imp_gemm_set_max_threads(int n);
// Row-major C[M,N] = op(A) op(B) + beta*C. threads <= 0: choose by size.
void imp_sgemm(int transA, int transB, int M, int N, int K, const float *A, const float *B, float *C, float beta,
               int threads);
