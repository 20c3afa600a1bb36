import { fileURLToPath } from 'node:url';

/** Single-quotes a word for sh. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * This checkout's `imp` command. Jobs run it by absolute path, so the same checkout (with
 * `npm ci` done) must exist at the same path on every node: a shared file system.
 * (Under the esbuild bundle, import.meta.url is still this source file's URL.)
 */
export const impBin = () => fileURLToPath(new URL('../../../cli/bin/imp.js', import.meta.url));

export interface JobScript {
  experiment: string;
  experimentFile: string;
  task: string;
  /** `--expect` value: the planned output ids, so a job run against a changed file fails loudly. */
  expect?: string;
  store: string;
  exitFile: string;
  node?: string;
}

/**
 * The batch script of one task. Accounting is usually off on small clusters (sacct
 * answers nothing), so the job records its own end: exit code and times go to
 * `<task>.exit`, written to a temporary name and renamed. A `scancel` or the time limit
 * sends SIGTERM: the trap still writes the record (exit code 143) before the job dies.
 */
export function jobScript(j: JobScript): string {
  const cmd = [
    j.node ?? process.execPath,
    impBin(),
    'task',
    j.experimentFile,
    j.task,
    ...(j.expect ? ['--expect', j.expect] : []),
  ];
  return `#!/bin/sh
# ${j.experiment}--${j.task}: written by \`imp slurm submit\`. Rerunning it is safe: the
# stage skips itself when its content-addressed artifacts exist.
export IMP_STORE=${shq(j.store)}
exit_file=${shq(j.exitFile)}
started=$(date +%s%3N)
finish() {
  rc=$1
  printf '{"task":"%s","jobId":"%s","exitCode":%d,"startedAt":%s,"endedAt":%s,"host":"%s"}\\n' \\
    ${shq(j.task)} "\${SLURM_JOB_ID:-}" "$rc" "$started" "$(date +%s%3N)" "$(hostname)" >"$exit_file.$$.tmp" &&
    mv -f "$exit_file.$$.tmp" "$exit_file"
  exit "$rc"
}
trap 'finish 143' TERM
trap 'finish 130' INT
echo "imp: $(date -u +%Y-%m-%dT%H:%M:%SZ) job \${SLURM_JOB_ID:-?} on $(hostname): ${j.experiment}--${j.task}"
${cmd.map(shq).join(' ')}
finish $?
`;
}
