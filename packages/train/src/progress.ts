import cliProgress from 'cli-progress';

export interface Progress {
  update(step: number, info: { loss?: number; val?: number }): void;
  stop(): void;
}

/**
 * On a TTY a cli-progress bar with ETA, loss and validation accuracy; otherwise (CI, logs,
 * pipelines) a plain line through `log` at most every `everyS` seconds.
 */
export function makeProgress(
  total: number,
  start: number,
  log: (m: string) => void,
  tty = Boolean(process.stderr.isTTY),
  everyS = 15,
): Progress {
  const fmt = (v: number | undefined, d: number) => (v === undefined ? '–' : v.toFixed(d));
  let loss: number | undefined;
  let val: number | undefined;
  if (tty) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'train |{bar}| {percentage}% {value}/{total} | ETA {eta_formatted} | loss {loss} | val top1 {val}',
        stream: process.stderr,
        etaBuffer: 200,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, start, { loss: '–', val: '–' });
    return {
      update(step, info) {
        loss = info.loss ?? loss;
        val = info.val ?? val;
        bar.update(step, { loss: fmt(loss, 4), val: fmt(val, 4) });
      },
      stop: () => bar.stop(),
    };
  }
  const t0 = performance.now();
  let last = t0;
  let lastStep = -1;
  return {
    update(step, info) {
      loss = info.loss ?? loss;
      val = info.val ?? val;
      const now = performance.now();
      if ((now - last < everyS * 1000 && step < total) || step === lastStep) return;
      last = now;
      lastStep = step;
      const rate = (step - start) / ((now - t0) / 1000);
      const eta = rate > 0 ? (total - step) / rate : NaN;
      log(
        `step ${step}/${total} (${((100 * step) / total).toFixed(1)}%) loss ${fmt(loss, 4)} val top1 ${fmt(val, 4)} | ${rate.toFixed(1)} steps/s, ETA ${Number.isFinite(eta) ? `${Math.round(eta)} s` : '–'}`,
      );
    },
    stop() {},
  };
}
