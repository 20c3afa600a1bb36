// N-API glue: every entry point takes typed arrays allocated by JS (outputs
// included), so no memory is owned across the boundary.
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <string.h>
#include "parallel.h"
#include "sparse.h"
#include "gemm.h"
#include "elementwise.h"
#include "batchnorm.h"
#include "fused_fcn.h"
#include "rows.h"

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "imp_engine: N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

#define MAXARGS 16

typedef struct {
  napi_env env;
  napi_value argv[MAXARGS];
  size_t argc;
} args_t;

static int get_args(napi_env env, napi_callback_info info, args_t *a, size_t need) {
  a->env = env;
  a->argc = MAXARGS;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL) != napi_ok || a->argc < need) {
    napi_throw_type_error(env, NULL, "imp_engine: too few arguments");
    return 0;
  }
  return 1;
}

// Returns the data pointer of a typed array (NULL for null/undefined).
static void *arr(args_t *a, size_t i) {
  napi_valuetype t;
  napi_typeof(a->env, a->argv[i], &t);
  if (t == napi_null || t == napi_undefined) return NULL;
  napi_typedarray_type type;
  size_t length, offset;
  void *data = NULL;
  napi_value ab;
  if (napi_get_typedarray_info(a->env, a->argv[i], &type, &length, &data, &ab, &offset) != napi_ok) return NULL;
  return data;
}

static int32_t i32(args_t *a, size_t i) {
  int32_t v = 0;
  napi_get_value_int32(a->env, a->argv[i], &v);
  return v;
}

static double f64(args_t *a, size_t i) {
  double v = 0;
  napi_get_value_double(a->env, a->argv[i], &v);
  return v;
}

static napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// setThreads(n): threads for our kernels and the upper bound for OpenBLAS.
static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 1)) return NULL;
  imp_set_threads(i32(&a, 0));
  imp_gemm_set_max_threads(i32(&a, 0));
  return undef(env);
}

static napi_value js_info(napi_env env, napi_callback_info info) {
  napi_value o, v;
  CHECK(napi_create_object(env, &o));
  const char *cfg = openblas_get_config();
  CHECK(napi_create_string_utf8(env, cfg, strlen(cfg), &v));
  CHECK(napi_set_named_property(env, o, "blas", v));
  CHECK(napi_create_int32(env, imp_get_threads(), &v));
  CHECK(napi_set_named_property(env, o, "threads", v));
  CHECK(napi_create_int32(env, openblas_get_num_procs(), &v));
  CHECK(napi_set_named_property(env, o, "cores", v));
#if defined(__AVX512F__)
  const char *simd = "avx512";
#elif defined(__AVX2__)
  const char *simd = "avx2";
#else
  const char *simd = "";
#endif
  CHECK(napi_create_string_utf8(env, simd, strlen(simd), &v));
  CHECK(napi_set_named_property(env, o, "simd", v));
  return o;
}

// sgemm(transA, transB, M, N, K, A, B, C, beta, threads): row-major
// C[M,N] = op(A) op(B) + beta*C with op(A) [M,K], op(B) [K,N].
static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 10)) return NULL;
  imp_sgemm(i32(&a, 0), i32(&a, 1), i32(&a, 2), i32(&a, 3), i32(&a, 4), (const float *)arr(&a, 5),
            (const float *)arr(&a, 6), (float *)arr(&a, 7), (float)f64(&a, 8), i32(&a, 9));
  return undef(env);
}

// spmmFwdCsc(x, wv, colptr, rowidx, bias|null, y, n, in, out, threads)
static napi_value js_spmm_fwd_csc(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 10)) return NULL;
  imp_spmm_fwd_csc((const float *)arr(&a, 0), (const float *)arr(&a, 1), (const int *)arr(&a, 2),
                   (const int *)arr(&a, 3), (const float *)arr(&a, 4), (float *)arr(&a, 5), i32(&a, 6), i32(&a, 7),
                   i32(&a, 8), i32(&a, 9));
  return undef(env);
}

// spmmBwd(dy, x, wv, rowptr, col, dx, dwv, n, in, out, threads)
static napi_value js_spmm_bwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 11)) return NULL;
  imp_spmm_bwd((const float *)arr(&a, 0), (const float *)arr(&a, 1), (const float *)arr(&a, 2), (const int *)arr(&a, 3),
               (const int *)arr(&a, 4), (float *)arr(&a, 5), (float *)arr(&a, 6), i32(&a, 7), i32(&a, 8), i32(&a, 9),
               i32(&a, 10));
  return undef(env);
}

// gatherF32(src, idx, dst): dst[p] = src[idx[p]]
static napi_value js_gather(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 4)) return NULL;
  const float *src = (const float *)arr(&a, 0);
  const int *idx = (const int *)arr(&a, 1);
  float *dst = (float *)arr(&a, 2);
  int n = i32(&a, 3);
  for (int p = 0; p < n; p++) dst[p] = src[idx[p]];
  return undef(env);
}

// scatterF32(src, idx, dst): dst[idx[p]] = src[p]
static napi_value js_scatter(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 4)) return NULL;
  const float *src = (const float *)arr(&a, 0);
  const int *idx = (const int *)arr(&a, 1);
  float *dst = (float *)arr(&a, 2);
  int n = i32(&a, 3);
  for (int p = 0; p < n; p++) dst[idx[p]] = src[p];
  return undef(env);
}

// bnFwd(x, gamma|null, beta|null, eps, y, mean, var, invstd, n, c, threads)
static napi_value js_bn_fwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 11)) return NULL;
  imp_bn_fwd((const float *)arr(&a, 0), (const float *)arr(&a, 1), (const float *)arr(&a, 2), (float)f64(&a, 3),
             (float *)arr(&a, 4), (float *)arr(&a, 5), (float *)arr(&a, 6), (float *)arr(&a, 7), i32(&a, 8), i32(&a, 9),
             i32(&a, 10));
  return undef(env);
}

// bnBwd(dy, x, gamma|null, mean, invstd, dx, dgamma, dbeta, n, c, threads)
static napi_value js_bn_bwd(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 11)) return NULL;
  imp_bn_bwd((const float *)arr(&a, 0), (const float *)arr(&a, 1), (const float *)arr(&a, 2), (const float *)arr(&a, 3),
             (const float *)arr(&a, 4), (float *)arr(&a, 5), (float *)arr(&a, 6), (float *)arr(&a, 7), i32(&a, 8),
             i32(&a, 9), i32(&a, 10));
  return undef(env);
}

// fcnRun(arena, iarena|null, layout, labels|null, hyper, mode[, threads]) -> mean loss (mode 0)
static napi_value js_fcn_run(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 6)) return NULL;
  double loss = imp_fcn_run((float *)arr(&a, 0), (const int *)arr(&a, 1), (const int *)arr(&a, 2),
                            (const int *)arr(&a, 3), (const double *)arr(&a, 4), i32(&a, 5), a.argc > 6 ? i32(&a, 6) : 1);
  napi_value v;
  CHECK(napi_create_double(env, loss, &v));
  return v;
}

#define EXPORT(name, fn)                                                   \
  do {                                                                     \
    napi_value f;                                                          \
    CHECK(napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f)); \
    CHECK(napi_set_named_property(env, exports, name, f));                 \
  } while (0)

static napi_value init(napi_env env, napi_value exports) {
  EXPORT("setThreads", js_set_threads);
  EXPORT("info", js_info);
  EXPORT("sgemm", js_sgemm);
  EXPORT("spmmBwd", js_spmm_bwd);
  EXPORT("spmmFwdCsc", js_spmm_fwd_csc);
  EXPORT("gather", js_gather);
  EXPORT("bnFwd", js_bn_fwd);
  EXPORT("bnBwd", js_bn_bwd);
  EXPORT("scatter", js_scatter);
  EXPORT("fcnRun", js_fcn_run);
  imp_register_elementwise(env, exports);
  imp_register_rows(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
