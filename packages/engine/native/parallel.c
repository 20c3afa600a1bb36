#include "parallel.h"
#include <pthread.h>

static int g_threads = 1;

void imp_set_threads(int n) { g_threads = n < 1 ? 1 : (n > 64 ? 64 : n); }
int imp_get_threads(void) { return g_threads; }

typedef struct {
  task_fn fn;
  void *ctx;
  int ntasks;
  int nworkers;
} job_t;

typedef struct {
  job_t *job;
  int worker;
} worker_arg_t;

// Static contiguous partition (not work stealing): which worker sums which
// rows is fixed for a given thread count, so results are reproducible.
static void run_tasks(job_t *job, int worker) {
  long lo = (long)job->ntasks * worker / job->nworkers;
  long hi = (long)job->ntasks * (worker + 1) / job->nworkers;
  for (long t = lo; t < hi; t++) job->fn(job->ctx, (int)t, worker);
}

static void *worker_main(void *p) {
  worker_arg_t *a = (worker_arg_t *)p;
  run_tasks(a->job, a->worker);
  return NULL;
}

void imp_parallel_for(int ntasks, int threads, task_fn fn, void *ctx) {
  if (threads <= 0) threads = g_threads;
  if (threads > ntasks) threads = ntasks;
  if (threads > 64) threads = 64;
  if (threads < 1) threads = 1;
  job_t job = {fn, ctx, ntasks, threads};
  if (threads <= 1) {
    run_tasks(&job, 0);
    return;
  }
  pthread_t tid[64];
  worker_arg_t args[64];
  int started = 0;
  for (int w = 1; w < threads; w++) {
    args[w].job = &job;
    args[w].worker = w;
    if (pthread_create(&tid[w], NULL, worker_main, &args[w]) == 0) {
      started = w;
    } else {
      // Could not spawn: do that worker's share on this thread.
      for (int v = w; v < threads; v++) run_tasks(&job, v);
      break;
    }
  }
  run_tasks(&job, 0);
  for (int w = 1; w <= started; w++) pthread_join(tid[w], NULL);
}
