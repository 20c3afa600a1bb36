// Fused training step of the FCN of spec §1.1 (BN → masked Linear → ReLU per
// hidden layer, output BN → Linear, softmax CE, SGD with momentum and L2 weight
// decay). Why fused: at 784-300-100-10, batch 100 the arithmetic is ~1 ms but
// tfjs dispatches ~90 kernels per step; here one call does it all on buffers
// allocated once (the arena), single-threaded (deterministic by construction).
//
// layout (int32): [L, n, d0..dL, then FCN_FIELDS offsets per layer] where an
// offset is an index into the float arena, -1 = absent (no mask, no momentum).
// hyper (f64): lr, momentum, weightDecay, eps, bnDecay.
// Semantics follow packages/train (model.ts, optimizer.ts): the EMA is
// m·decay + batch·(1-decay) with the biased batch variance; g = grad + wd·p
// for W and b only; v = v·momentum + g; p = p - lr·v. Masked gradients are
// multiplied by the mask, so masked W/b (zero at start) stay exactly 0.
#include "fused_fcn.h"
#include "batchnorm.h"
#include "gemm.h"
#include "sparse.h"
#include <math.h>
#include <string.h>
#include <xmmintrin.h>

#define P(l, f) (off[(l) * FCN_FIELDS + (f)] < 0 ? (float *)0 : arena + off[(l) * FCN_FIELDS + (f)])

static void update(float *p, float *v, const float *g, const float *mask, int len, float lr, float mom, float wd) {
  for (int i = 0; i < len; i++) {
    float gi = mask ? g[i] * mask[i] : g[i];
    if (wd != 0.0f) gi = gi + p[i] * wd;
    if (v) {
      v[i] = v[i] * mom + gi;
      p[i] = p[i] - v[i] * lr;
    } else
      p[i] = p[i] - gi * lr;
  }
}

static double fcn_run(float *arena, const int *iarena, const int *layout, const int *labels, const double *hyper, int mode,
                      int threads);

// Denormals (decaying momenta, near-dead units of sparse masks) cost ~100 cycles each on x86:
// flush them to zero inside the step (FTZ|DAZ), restoring the caller's MXCSR after.
double imp_fcn_run(float *arena, const int *iarena, const int *layout, const int *labels, const double *hyper, int mode,
                   int threads) {
  unsigned int csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040);
  double r = fcn_run(arena, iarena, layout, labels, hyper, mode, threads < 1 ? 1 : threads);
  _mm_setcsr(csr);
  return r;
}

// Threads of a product: the caller's count for the big ones, one below FCN_MT_MIN_MACS (the
// measured bound of gemm.c: smaller products lose to the split's thread start and cache
// sharing). Results are bitwise reproducible for a given thread count (static splits), not
// across thread counts (OpenBLAS sums a split GEMM's edge tiles differently).
#define FCN_MT_MIN_MACS (64L * 1024 * 1024)
#define TH(macs) ((long)(macs) >= FCN_MT_MIN_MACS ? threads : 1)

static double fcn_run(float *arena, const int *iarena, const int *layout, const int *labels, const double *hyper, int mode,
                      int threads) {
  const int L = layout[0], n = layout[1];
  const int *dim = layout + 2;
  const int *off = layout + 2 + L + 1;
  const int *ioff = off + FCN_FIELDS * L;
#define I(l, f) (iarena + ioff[(l) * FCN_IFIELDS + (f)])
#define SPARSE(l) (iarena && ioff[(l) * FCN_IFIELDS + I_ROWPTR] >= 0)
  const float lr = (float)hyper[0], mom = (float)hyper[1], wd = (float)hyper[2], eps = (float)hyper[3];
  const float dec = (float)hyper[4], dec1 = (float)(1.0 - hyper[4]);

  // Forward. H of layer l+1 is ReLU(Z of layer l), written into its H buffer.
  for (int l = 0; l < L; l++) {
    const int din = dim[l], dout = dim[l + 1];
    float *h = P(l, F_H), *y = P(l, F_Y), *z = P(l, F_Z), *b = P(l, F_B);
    float *mean = P(l, F_MEAN), *var = P(l, F_VAR), *emam = P(l, F_EMAM), *emav = P(l, F_EMAV);
    if (mode == 2) {
      // Eval: scale = γ·rsqrt(var+eps), shift = β − mean·scale (as model.ts forwardEval).
      const float *g = P(l, F_G), *be = P(l, F_BETA);
      for (int j = 0; j < din; j++) {
        float sc = g[j] * (1.0f / sqrtf(emav[j] + eps));
        mean[j] = sc;
        var[j] = be[j] - emam[j] * sc;
      }
      for (int r = 0; r < n; r++)
        for (int j = 0; j < din; j++) y[(size_t)r * din + j] = h[(size_t)r * din + j] * mean[j] + var[j];
    } else {
      imp_bn_fwd(h, P(l, F_G), P(l, F_BETA), eps, y, mean, var, P(l, F_INVSTD), n, din, TH((long)n * din * 16));
      if (mode == 1) {
        memcpy(emam, mean, sizeof(float) * din);
        memcpy(emav, var, sizeof(float) * din);
      } else
        for (int j = 0; j < din; j++) {
          emam[j] = emam[j] * dec + mean[j] * dec1;
          emav[j] = emav[j] * dec + var[j] * dec1;
        }
    }
    if (mode == 1 && l + 1 == L) return 0.0;
    if (SPARSE(l)) {
      // CSC product over the kept entries only (values gathered from W; see sparse.h).
      const int nnz = I(l, I_ROWPTR)[din];
      const int *flat = I(l, I_FLAT), *tocsr = I(l, I_TOCSR);
      float *wv = P(l, F_WV), *wvc = P(l, F_WVC), *w = P(l, F_W);
      for (int p = 0; p < nnz; p++) wv[p] = w[flat[p]];
      for (int p = 0; p < nnz; p++) wvc[p] = wv[tocsr[p]];
      imp_spmm_fwd_csc(y, wvc, I(l, I_COLPTR), I(l, I_ROWIDX), b, z, n, din, dout, TH((long)nnz * n * 4));
    } else {
      for (int r = 0; r < n; r++) memcpy(z + (size_t)r * dout, b, sizeof(float) * dout);
      imp_sgemm(0, 0, n, dout, din, y, P(l, F_W), z, 1.0f, TH((long)n * dout * din));
    }
    if (l + 1 < L) {
      float *hn = P(l + 1, F_H);
      for (size_t i = 0; i < (size_t)n * dout; i++) hn[i] = z[i] > 0.0f ? z[i] : 0.0f;
    }
  }
  if (mode != 0) return 0.0;

  // Softmax cross-entropy, mean over the batch (tf.losses.softmaxCrossEntropy).
  const int C = dim[L];
  float *zl = P(L - 1, F_Z), *dz = P(L - 1, F_DZ);
  double loss = 0.0;
  for (int r = 0; r < n; r++) {
    const float *zr = zl + (size_t)r * C;
    float mx = zr[0];
    for (int k = 1; k < C; k++) mx = zr[k] > mx ? zr[k] : mx;
    double s = 0.0;
    for (int k = 0; k < C; k++) s += exp((double)(zr[k] - mx));
    double lse = log(s) + mx;
    loss += lse - zr[labels[r]];
    for (int k = 0; k < C; k++) dz[(size_t)r * C + k] = (float)(exp((double)zr[k] - lse) / n);
    dz[(size_t)r * C + labels[r]] -= 1.0f / (float)n;
  }

  // Backward and update, last layer first (W is read for dY before it moves).
  for (int l = L - 1; l >= 0; l--) {
    const int din = dim[l], dout = dim[l + 1];
    float *d = P(l, F_DZ), *y = P(l, F_Y), *w = P(l, F_W), *dw = P(l, F_DW), *db = P(l, F_DB);
    if (!SPARSE(l)) imp_sgemm(1, 0, din, dout, n, y, d, dw, 0.0f, TH((long)n * dout * din));
    for (int k = 0; k < dout; k++) db[k] = 0.0f;
    for (int r = 0; r < n; r++)
      for (int k = 0; k < dout; k++) db[k] += d[(size_t)r * dout + k];
    float *dy = P(l, F_DY);
    if (SPARSE(l))
      imp_spmm_bwd(d, y, P(l, F_WV), I(l, I_ROWPTR), I(l, I_COL), dy, P(l, F_DWV), n, din, dout,
                   TH((long)I(l, I_ROWPTR)[din] * n * 4));
    else
      imp_sgemm(0, 1, n, din, dout, d, w, dy, 0.0f, TH((long)n * dout * din));
    float *dh = l > 0 ? P(l - 1, F_DZ) : P(l, F_Y);  // layer 0: dx unused, scribble into Y (done with it)
    imp_bn_bwd(dy, P(l, F_H), P(l, F_G), P(l, F_MEAN), P(l, F_INVSTD), dh, P(l, F_DG), P(l, F_DBETA), n,
               din, TH((long)n * din * 16));
    if (l > 0) {
      // ReLU backward: H(l) = relu(Z(l-1)), so H > 0 ⇔ Z > 0.
      const float *hl = P(l, F_H);
      for (size_t i = 0; i < (size_t)n * din; i++) dh[i] = hl[i] > 0.0f ? dh[i] : 0.0f;
    }
    if (SPARSE(l)) {
      // Only kept entries move; masked W and their momenta are never touched (stay exactly 0).
      const int nnz = I(l, I_ROWPTR)[din];
      const int *flat = I(l, I_FLAT);
      const float *dwv = P(l, F_DWV);
      float *vw = P(l, F_VW);
      for (int p = 0; p < nnz; p++) {
        int i = flat[p];
        float gi = dwv[p];
        if (wd != 0.0f) gi = gi + w[i] * wd;
        if (vw) {
          vw[i] = vw[i] * mom + gi;
          w[i] = w[i] - vw[i] * lr;
        } else
          w[i] = w[i] - gi * lr;
      }
    } else
      update(w, P(l, F_VW), dw, P(l, F_MW), din * dout, lr, mom, wd);
    update(P(l, F_B), P(l, F_VB), db, P(l, F_MB), dout, lr, mom, wd);
    update(P(l, F_G), P(l, F_VG), P(l, F_DG), 0, din, lr, mom, 0.0f);
    update(P(l, F_BETA), P(l, F_VBETA), P(l, F_DBETA), 0, din, lr, mom, 0.0f);
  }
  return loss / n;
}
