#pragma once
// One fused SGD step (forward, backward, update) of the spec §1.1 FCN over a
// single float arena; see fused_fcn.c for the layout.
#define FCN_FIELDS 27
#define FCN_IFIELDS 6
enum {
  F_W, F_B, F_G, F_BETA, F_EMAM, F_EMAV, F_MW, F_MB, F_VW, F_VB, F_VG, F_VBETA,
  F_H, F_Y, F_MEAN, F_VAR, F_INVSTD, F_Z, F_DW, F_DB, F_DG, F_DBETA, F_DZ, F_DY, F_WV, F_WVC, F_DWV
};
// Int fields (into the int arena) of a sparse layer, all -1 for a dense one.
enum { I_ROWPTR, I_COL, I_FLAT, I_COLPTR, I_ROWIDX, I_TOCSR };
// mode 0: train step (returns the mean loss); 1: forward only, EMA set to the
// batch moments; 2: eval forward with running stats, logits left in the last Z.
// threads: upper bound for the big products (1 = single-threaded).
double imp_fcn_run(float *arena, const int *iarena, const int *layout, const int *labels, const double *hyper, int mode,
                   int threads);
