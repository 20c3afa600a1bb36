#include "gemm.h"
#include <cblas.h>

static int g_max_threads = 1;
static int g_current = -1;

// Below this many multiply-adds a second thread costs more than it saves on
// the 2-core box (measured, see README: LeNet-sized products are faster on one).
#define GEMM_MT_MIN_MACS (8L * 1024 * 1024)

void imp_gemm_set_max_threads(int n) { g_max_threads = n < 1 ? 1 : n; }

void imp_sgemm(int transA, int transB, int M, int N, int K, const float *A, const float *B, float *C, float beta,
               int threads) {
  if (M <= 0 || N <= 0) return;
  if (threads <= 0) threads = (long)M * N * K >= GEMM_MT_MIN_MACS ? g_max_threads : 1;
  if (threads > g_max_threads) threads = g_max_threads;
  if (threads != g_current) {
    openblas_set_num_threads(threads);
    g_current = threads;
  }
  int lda = transA ? M : K;
  int ldb = transB ? K : N;
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A,
              lda, B, ldb, beta, C, N);
}
