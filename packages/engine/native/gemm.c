// GEMM on OpenBLAS. Multi-threading is done here, not by OpenBLAS: the
// product is split into one slab per thread and each slab is a
// single-threaded cblas_sgemm on our fork-join workers. OpenBLAS' own worker
// threads busy-wait (sched_yield) for a long time after every call, which on
// a 2-core box steals the second core from the elementwise kernels and the
// JS thread between GEMMs. IMP_GEMM_THREADS=openblas restores its threading.
#include "gemm.h"
#include "parallel.h"
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

static int g_max_threads = 1;
static int g_use_openblas_threads = -1;
static int g_openblas_current = -1;

// Below this many multiply-adds a second thread costs more than it saves
// (spawn + split overhead, cache sharing): LeNet-300-100 at batch 100 (24M
// multiply-adds per product) steps 10-20% faster with one-thread GEMMs than
// with two (our split or OpenBLAS' threads), measured.
#define GEMM_MT_MIN_MACS (64L * 1024 * 1024)

void imp_gemm_set_max_threads(int n) { g_max_threads = n < 1 ? 1 : n; }

static void set_openblas_threads(int t) {
  if (t != g_openblas_current) {
    openblas_set_num_threads(t);
    g_openblas_current = t;
  }
}

typedef struct {
  int transA, transB, M, N, K;
  const float *A, *B;
  float *C;
  float beta;
  int split_m, parts;
} gemm_job;

static void gemm_task(void *vctx, int t, int worker) {
  gemm_job *j = (gemm_job *)vctx;
  int lda = j->transA ? j->M : j->K;
  int ldb = j->transB ? j->K : j->N;
  CBLAS_TRANSPOSE ta = j->transA ? CblasTrans : CblasNoTrans, tb = j->transB ? CblasTrans : CblasNoTrans;
  if (j->split_m) {
    // Rows [m0, m1) of C: rows of op(A) = rows of A, or columns of A if transposed.
    int m0 = (int)((long)j->M * t / j->parts), m1 = (int)((long)j->M * (t + 1) / j->parts);
    if (m1 <= m0) return;
    const float *A = j->transA ? j->A + m0 : j->A + (size_t)m0 * lda;
    cblas_sgemm(CblasRowMajor, ta, tb, m1 - m0, j->N, j->K, 1.0f, A, lda, j->B, ldb, j->beta,
                j->C + (size_t)m0 * j->N, j->N);
  } else {
    int n0 = (int)((long)j->N * t / j->parts), n1 = (int)((long)j->N * (t + 1) / j->parts);
    if (n1 <= n0) return;
    const float *B = j->transB ? j->B + (size_t)n0 * ldb : j->B + n0;
    cblas_sgemm(CblasRowMajor, ta, tb, j->M, n1 - n0, j->K, 1.0f, j->A, lda, B, ldb, j->beta, j->C + n0, j->N);
  }
}

void imp_sgemm(int transA, int transB, int M, int N, int K, const float *A, const float *B, float *C, float beta,
               int threads) {
  if (M <= 0 || N <= 0) return;
  if (g_use_openblas_threads < 0) {
    const char *e = getenv("IMP_GEMM_THREADS");
    g_use_openblas_threads = e != NULL && strcmp(e, "openblas") == 0;
  }
  if (threads <= 0) threads = (long)M * N * K >= GEMM_MT_MIN_MACS ? g_max_threads : 1;
  if (threads > g_max_threads) threads = g_max_threads;
  if (g_use_openblas_threads || threads == 1) {
    set_openblas_threads(threads);
    gemm_task(&(gemm_job){transA, transB, M, N, K, A, B, C, beta, 1, 1}, 0, 0);
    return;
  }
  set_openblas_threads(1);
  // Split the larger output dimension so each slab keeps a healthy shape.
  gemm_job j = {transA, transB, M, N, K, A, B, C, beta, M >= N, threads};
  imp_parallel_for(threads, threads, gemm_task, &j);
}
