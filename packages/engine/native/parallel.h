// Minimal fork-join for 2-8 cores: spawn (n-1) pthreads per call, the caller
// works too. No persistent pool: no spinning threads that would fight
// OpenBLAS' own threads between calls. Only used for calls big enough
// (>~50 µs) that the ~20 µs spawn cost does not matter.
#pragma once
#include <stddef.h>

typedef void (*task_fn)(void *ctx, int task, int worker);

void imp_set_threads(int n);
int imp_get_threads(void);
// Runs fn(ctx, t, worker) for t in [0, ntasks) on up to `threads` workers
// (worker in [0, threads)). threads <= 0 means imp_get_threads().
void imp_parallel_for(int ntasks, int threads, task_fn fn, void *ctx);
