// Dataset access for the training loop (issue 12: per-process overheads).
//
// mapFile(path): the file as an ArrayBuffer over a private mapping of the page cache. A train
// process reads the whole dataset (188 MB for 60000 float32 images of 784 pixels): readFileSync
// into a fresh buffer costs ~0.5-0.7 s of CPU (page faults and copying) on this VM; a read-only
// shared mapping populated up front costs ~80 ms and shares the cached pages between processes
// (measured: PROT_READ MAP_SHARED|MAP_POPULATE 75-80 ms, PROT_READ|PROT_WRITE MAP_PRIVATE 290-390 ms
// because every page is copied). The buffer is READ-ONLY: a write through it kills the process
// (SIGSEGV); callers only parse and read (Arrow views). Artifact files are immutable anyway.
//
// gatherNorm(x, offset, scale, idx, count, dim, out): out[r, d] = (x[idx[r], d] − offset[d]) ·
// scale[d] for uint8 or float32 x. Computed in double and rounded once to float32, exactly as the
// JavaScript expression `(x − offset) · scale` stored into a Float32Array, so results are the same
// bytes as the JS loop this replaces (packages/train/src/batches.ts gatherRows).
#define _GNU_SOURCE
#include "rows.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value throw_errno(napi_env env, const char *what, const char *path) {
  char msg[512];
  snprintf(msg, sizeof msg, "%s: %s (%s)", path, what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value js_map_file(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ab;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "mapFile(path)");
    return NULL;
  }
  char path[4096];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len >= sizeof path - 1) {
    napi_throw_type_error(env, NULL, "mapFile: path must be a string shorter than 4095 bytes");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "cannot open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return throw_errno(env, "cannot stat", path);
  }
  size_t size = (size_t)st.st_size;
  if (size == 0) {
    close(fd);
    void *p;
    if (napi_create_arraybuffer(env, 0, &p, &ab) != napi_ok) return NULL;
    return ab;
  }
  void *p = mmap(NULL, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return throw_errno(env, "cannot map", path);
  if (napi_create_external_arraybuffer(env, p, size, unmap, (void *)(uintptr_t)size, &ab) != napi_ok) {
    munmap(p, size);
    napi_throw_error(env, NULL, "mapFile: external array buffers are not supported by this runtime");
    return NULL;
  }
  return ab;
}

static void *typed(napi_env env, napi_value v, napi_typedarray_type *type, size_t *length) {
  void *data = NULL;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, type, length, &data, &ab, &off) != napi_ok) return NULL;
  return data;
}

static napi_value js_gather_norm(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value a[7];
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc < 7) {
    napi_throw_type_error(env, NULL, "gatherNorm(x, offset, scale, idx, count, dim, out)");
    return NULL;
  }
  napi_typedarray_type tx, to, ts, ti, tout;
  size_t nx, no, ns, ni, nout;
  const void *x = typed(env, a[0], &tx, &nx);
  const float *offset = typed(env, a[1], &to, &no);
  const float *scale = typed(env, a[2], &ts, &ns);
  const int32_t *idx = typed(env, a[3], &ti, &ni);
  float *out = typed(env, a[6], &tout, &nout);
  int32_t count = 0, dim = 0;
  napi_get_value_int32(env, a[4], &count);
  napi_get_value_int32(env, a[5], &dim);
  int ok = x && offset && scale && idx && out && (tx == napi_uint8_array || tx == napi_float32_array) &&
           to == napi_float32_array && ts == napi_float32_array && ti == napi_int32_array &&
           tout == napi_float32_array && count >= 0 && dim >= 0 && (size_t)count <= ni && no >= (size_t)dim &&
           ns >= (size_t)dim && nout >= (size_t)count * dim;
  size_t rows = dim > 0 ? nx / (size_t)dim : 0;
  for (int32_t r = 0; ok && r < count; r++) ok = idx[r] >= 0 && (size_t)idx[r] < rows;
  if (!ok) {
    napi_throw_range_error(env, NULL, "gatherNorm: bad arguments (types, lengths or a row index out of range)");
    return NULL;
  }
  for (int32_t r = 0; r < count; r++) {
    float *o = out + (size_t)r * dim;
    if (tx == napi_float32_array) {
      const float *s = (const float *)x + (size_t)idx[r] * dim;
#pragma omp simd
      for (int32_t d = 0; d < dim; d++) o[d] = (float)(((double)s[d] - (double)offset[d]) * (double)scale[d]);
    } else {
      const uint8_t *s = (const uint8_t *)x + (size_t)idx[r] * dim;
#pragma omp simd
      for (int32_t d = 0; d < dim; d++) o[d] = (float)(((double)s[d] - (double)offset[d]) * (double)scale[d]);
    }
  }
  return NULL;
}

void imp_register_rows(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "mapFile", NAPI_AUTO_LENGTH, js_map_file, NULL, &f);
  napi_set_named_property(env, exports, "mapFile", f);
  napi_create_function(env, "gatherNorm", NAPI_AUTO_LENGTH, js_gather_norm, NULL, &f);
  napi_set_named_property(env, exports, "gatherNorm", f);
}
