{
  "targets": [
    {
      "target_name": "imp_engine",
      "sources": [
        "native/addon.c",
        "native/parallel.c",
        "native/gemm.c",
        "native/sparse.c",
        "native/elementwise.c",
        "native/batchnorm.c",
        "native/transpose.c",
        "native/fused_fcn.c",
        "native/rows.c"
      ],
      "include_dirs": ["/usr/include/x86_64-linux-gnu"],
      "libraries": ["-lopenblas", "-lpthread"],
      "cflags": ["-O3", "-march=native", "-fopenmp-simd", "-std=gnu11", "-Wall", "-Wno-unused-parameter"],
      "cflags!": ["-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
