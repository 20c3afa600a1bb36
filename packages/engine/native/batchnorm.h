#pragma once
// Training-mode batch norm over the rows of x [n, c] (per-column statistics,
// biased variance, as PyTorch normalises in training).
void imp_bn_fwd(const float *x, const float *gamma, const float *beta, float eps, float *y, float *mean, float *var,
                float *invstd, int n, int c, int threads);
// dx, dgamma, dbeta from dy, x and the forward's mean/invstd.
void imp_bn_bwd(const float *dy, const float *x, const float *gamma, const float *mean, const float *invstd, float *dx,
                float *dgamma, float *dbeta, int n, int c, int threads);
