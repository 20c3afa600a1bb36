#pragma once
// Masked linear layer products with W [in, out] row-major and its kept
// entries in CSR over rows i (rowptr, col). `wv` holds W at the kept entries
// (gathered once per call, so the inner loops read it sequentially).
// Backward in one pass over dy: dx = dy (W.M)^T and the sampled product
// dwv[p] = sum_n x[n, i(p)] * dy[n, col(p)] at the kept entries only.
void imp_spmm_bwd(const float *dy, const float *x, const float *wv, const int *rowptr, const int *col, float *dx,
                  float *dwv, int n, int in, int out, int threads);
// y = x (W.M) + bias from the CSC form (colptr over outputs j, rowidx =
// input i, wv = W at the kept entries in CSC order).
void imp_spmm_fwd_csc(const float *x, const float *wv, const int *colptr, const int *rowidx, const float *bias, float *y,
                      int n, int in, int out, int threads);
