// Elementwise and reduction kernels for the shapes a dense layer produces:
// same-shape, scalar and row-vector broadcasts over [n, c], reductions over
// axis 0 or the last axis. tfjs-cpu handles broadcasts with per-element index
// arithmetic in JS (10-50x slower); anything else stays on the cpu kernels.
#include "elementwise.h"
#include "parallel.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN, OP_SQDIFF };
enum { BC_SAME, BC_A_FULL_B_SCALAR, BC_A_SCALAR_B_FULL, BC_A_FULL_B_ROW, BC_A_ROW_B_FULL, BC_A_FULL_B_COL, BC_A_COL_B_FULL };
enum { U_RELU, U_STEP, U_NEG, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SQUARE, U_ABS, U_RELU6 };
enum { R_SUM, R_MEAN, R_MAX, R_MIN };

// Element counts per task: big enough that a task is ~50 µs.
#define CHUNK (256 * 1024)
#define MT_MIN (512 * 1024)

static inline float apply_bin(int op, float a, float b) {
  switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_MAX: return (a != a || b != b) ? NAN : (a > b ? a : b);
    case OP_MIN: return (a != a || b != b) ? NAN : (a < b ? a : b);
    default: { float d = a - b; return d * d; }
  }
}

// The switch on `op` is hoisted by generating one loop per op (macro), so
// each inner loop vectorises.
#define BIN_LOOP(EXPR)                                                        \
  switch (k->bc) {                                                            \
    case BC_SAME:                                                             \
      _Pragma("omp simd") for (long i = lo; i < hi; i++) { float a = A[i], b = B[i]; O[i] = (EXPR); } \
      break;                                                                  \
    case BC_A_FULL_B_SCALAR: {                                                \
      float b = B[0];                                                         \
      _Pragma("omp simd") for (long i = lo; i < hi; i++) { float a = A[i]; O[i] = (EXPR); } \
      break;                                                                  \
    }                                                                         \
    case BC_A_SCALAR_B_FULL: {                                                \
      float a = A[0];                                                         \
      _Pragma("omp simd") for (long i = lo; i < hi; i++) { float b = B[i]; O[i] = (EXPR); } \
      break;                                                                  \
    }                                                                         \
    case BC_A_FULL_B_ROW:                                                     \
      for (long r = lo / c; r < hi / c; r++) {                                \
        const float *Ar = A + r * c; float *Or = O + r * c;                   \
        _Pragma("omp simd") for (long j = 0; j < c; j++) { float a = Ar[j], b = B[j]; Or[j] = (EXPR); } \
      }                                                                       \
      break;                                                                  \
    case BC_A_ROW_B_FULL:                                                     \
      for (long r = lo / c; r < hi / c; r++) {                                \
        const float *Br = B + r * c; float *Or = O + r * c;                   \
        _Pragma("omp simd") for (long j = 0; j < c; j++) { float a = A[j], b = Br[j]; Or[j] = (EXPR); } \
      }                                                                       \
      break;                                                                  \
    case BC_A_FULL_B_COL:                                                     \
      for (long r = lo / c; r < hi / c; r++) {                                \
        const float *Ar = A + r * c; float *Or = O + r * c; float b = B[r];   \
        _Pragma("omp simd") for (long j = 0; j < c; j++) { float a = Ar[j]; Or[j] = (EXPR); } \
      }                                                                       \
      break;                                                                  \
    default:                                                                  \
      for (long r = lo / c; r < hi / c; r++) {                                \
        const float *Br = B + r * c; float *Or = O + r * c; float a = A[r];   \
        _Pragma("omp simd") for (long j = 0; j < c; j++) { float b = Br[j]; Or[j] = (EXPR); } \
      }                                                                       \
  }

typedef struct {
  const float *a, *b;
  float *out;
  int op, bc;
  long n, c;  // n: total output elements; c: row length for row broadcasts
  long chunk;
  float alpha;
} ew_ctx;

static void bin_task(void *vctx, int t, int worker) {
  ew_ctx *k = (ew_ctx *)vctx;
  long lo = t * k->chunk, hi = lo + k->chunk < k->n ? lo + k->chunk : k->n;
  const float *A = k->a, *B = k->b;
  float *O = k->out;
  long c = k->c;
  switch (k->op) {
    case OP_ADD: BIN_LOOP(a + b); break;
    case OP_SUB: BIN_LOOP(a - b); break;
    case OP_MUL: BIN_LOOP(a * b); break;
    case OP_DIV: BIN_LOOP(a / b); break;
    case OP_SQDIFF: BIN_LOOP((a - b) * (a - b)); break;
    default: {
      int op = k->op;
      BIN_LOOP(apply_bin(op, a, b));
    }
  }
}

static void unary_task(void *vctx, int t, int worker) {
  ew_ctx *k = (ew_ctx *)vctx;
  long lo = t * k->chunk, hi = lo + k->chunk < k->n ? lo + k->chunk : k->n;
  const float *X = k->a;
  float *O = k->out;
  float al = k->alpha;
  switch (k->op) {
    // NaN propagates through relu/step as in tfjs (x > 0 is false for NaN).
    case U_RELU: _Pragma("omp simd") for (long i = lo; i < hi; i++) { float x = X[i]; O[i] = x > 0 ? x : (x != x ? x : 0.f); } break;
    case U_RELU6: _Pragma("omp simd") for (long i = lo; i < hi; i++) { float x = X[i]; O[i] = x != x ? x : (x < 0 ? 0.f : (x > 6 ? 6.f : x)); } break;
    case U_STEP: _Pragma("omp simd") for (long i = lo; i < hi; i++) { float x = X[i]; O[i] = x != x ? NAN : (x > 0 ? 1.f : al); } break;
    case U_NEG: _Pragma("omp simd") for (long i = lo; i < hi; i++) O[i] = -X[i]; break;
    case U_EXP: for (long i = lo; i < hi; i++) O[i] = expf(X[i]); break;
    case U_LOG: for (long i = lo; i < hi; i++) O[i] = logf(X[i]); break;
    case U_SQRT: _Pragma("omp simd") for (long i = lo; i < hi; i++) O[i] = sqrtf(X[i]); break;
    case U_RSQRT: _Pragma("omp simd") for (long i = lo; i < hi; i++) O[i] = 1.f / sqrtf(X[i]); break;
    case U_SQUARE: _Pragma("omp simd") for (long i = lo; i < hi; i++) O[i] = X[i] * X[i]; break;
    case U_ABS: _Pragma("omp simd") for (long i = lo; i < hi; i++) O[i] = fabsf(X[i]); break;
  }
}

void imp_binary(int op, int bc, const float *a, const float *b, float *out, long n, long c) {
  ew_ctx k = {a, b, out, op, bc, n, c > 0 ? c : 1, 0, 0};
  // Row broadcasts split on row boundaries.
  long chunk = CHUNK;
  if (bc >= BC_A_FULL_B_ROW) chunk = ((CHUNK + c - 1) / c) * c;
  k.chunk = chunk;
  int tasks = (int)((n + chunk - 1) / chunk);
  imp_parallel_for(tasks, n >= MT_MIN ? 0 : 1, bin_task, &k);
}

void imp_unary(int op, const float *x, float *out, long n, float alpha) {
  ew_ctx k = {x, NULL, out, op, 0, n, 1, CHUNK, alpha};
  int tasks = (int)((n + CHUNK - 1) / CHUNK);
  imp_parallel_for(tasks, n >= MT_MIN ? 0 : 1, unary_task, &k);
}

// ---- reductions over [n, c] ----
typedef struct {
  const float *x;
  float *out;
  int op;
  long n, c;
} red_ctx;

#define RCB 512
// axis 0: per-column reduce, tasks are column blocks (contiguous row segments).
static void red0_task(void *vctx, int t, int worker) {
  red_ctx *k = (red_ctx *)vctx;
  long c0 = (long)t * RCB, c1 = c0 + RCB < k->c ? c0 + RCB : k->c, w = c1 - c0;
  float acc[RCB];
  if (k->op == R_SUM || k->op == R_MEAN) {
    for (long j = 0; j < w; j++) acc[j] = 0.f;
    for (long r = 0; r < k->n; r++) {
      const float *xr = k->x + r * k->c + c0;
      _Pragma("omp simd") for (long j = 0; j < w; j++) acc[j] += xr[j];
    }
    if (k->op == R_MEAN) for (long j = 0; j < w; j++) acc[j] /= (float)k->n;
  } else {
    for (long j = 0; j < w; j++) acc[j] = k->x[c0 + j];
    for (long r = 1; r < k->n; r++) {
      const float *xr = k->x + r * k->c + c0;
      for (long j = 0; j < w; j++) {
        float v = xr[j];
        if (k->op == R_MAX ? (v > acc[j] || v != v) : (v < acc[j] || v != v)) acc[j] = v;
      }
    }
  }
  memcpy(k->out + c0, acc, sizeof(float) * w);
}

#define RRB 256
// last axis: per-row reduce, tasks are row blocks.
static void red1_task(void *vctx, int t, int worker) {
  red_ctx *k = (red_ctx *)vctx;
  long r0 = (long)t * RRB, r1 = r0 + RRB < k->n ? r0 + RRB : k->n;
  for (long r = r0; r < r1; r++) {
    const float *xr = k->x + r * k->c;
    float s;
    if (k->op == R_SUM || k->op == R_MEAN) {
      s = 0.f;
      _Pragma("omp simd reduction(+ : s)") for (long j = 0; j < k->c; j++) s += xr[j];
      if (k->op == R_MEAN) s /= (float)k->c;
    } else {
      s = xr[0];
      for (long j = 1; j < k->c; j++) {
        float v = xr[j];
        if (k->op == R_MAX ? (v > s || v != v) : (v < s || v != v)) s = v;
      }
    }
    k->out[r] = s;
  }
}

void imp_reduce(int op, int axis, const float *x, float *out, long n, long c) {
  red_ctx k = {x, out, op, n, c};
  int mt = n * c >= MT_MIN ? 0 : 1;
  if (axis == 0) imp_parallel_for((int)((c + RCB - 1) / RCB), mt, red0_task, &k);
  else imp_parallel_for((int)((n + RRB - 1) / RRB), mt, red1_task, &k);
}

// ---- N-API glue ----
#define MAXA 8
static int get(napi_env env, napi_callback_info info, napi_value *argv, size_t need) {
  size_t argc = MAXA;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < need) {
    napi_throw_type_error(env, NULL, "imp_engine: too few arguments");
    return 0;
  }
  return 1;
}
static void *ta(napi_env env, napi_value v) {
  napi_typedarray_type type;
  size_t length, offset;
  void *data = NULL;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok) return NULL;
  return data;
}
static double num(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

// binary(op, bc, a, b, out, n, c)
static napi_value js_binary(napi_env env, napi_callback_info info) {
  napi_value argv[MAXA];
  if (!get(env, info, argv, 7)) return NULL;
  imp_binary((int)num(env, argv[0]), (int)num(env, argv[1]), ta(env, argv[2]), ta(env, argv[3]), ta(env, argv[4]),
             (long)num(env, argv[5]), (long)num(env, argv[6]));
  return NULL;
}
// unary(op, x, out, n, alpha)
static napi_value js_unary(napi_env env, napi_callback_info info) {
  napi_value argv[MAXA];
  if (!get(env, info, argv, 5)) return NULL;
  imp_unary((int)num(env, argv[0]), ta(env, argv[1]), ta(env, argv[2]), (long)num(env, argv[3]),
            (float)num(env, argv[4]));
  return NULL;
}
// reduce(op, axis, x, out, n, c)
static napi_value js_reduce(napi_env env, napi_callback_info info) {
  napi_value argv[MAXA];
  if (!get(env, info, argv, 6)) return NULL;
  imp_reduce((int)num(env, argv[0]), (int)num(env, argv[1]), ta(env, argv[2]), ta(env, argv[3]),
             (long)num(env, argv[4]), (long)num(env, argv[5]));
  return NULL;
}

void imp_register_elementwise(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "binary", NAPI_AUTO_LENGTH, js_binary, NULL, &f);
  napi_set_named_property(env, exports, "binary", f);
  napi_create_function(env, "unary", NAPI_AUTO_LENGTH, js_unary, NULL, &f);
  napi_set_named_property(env, exports, "unary", f);
  napi_create_function(env, "reduce", NAPI_AUTO_LENGTH, js_reduce, NULL, &f);
  napi_set_named_property(env, exports, "reduce", f);
}
