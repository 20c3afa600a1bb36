import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Who made a `.tmp/`, `.work/` or lock entry, so gc and lock takeover can tell a live
 * producer from a dead one (docs/store-safety.md). The start time tells a PID that was
 * reused by another process apart from the original; the heartbeat is what other hosts
 * go by, since they cannot see our processes.
 */
export interface OwnerRecord {
  host: string;
  pid: number;
  /** Process start time (Linux: /proc/<pid>/stat field 22, clock ticks since boot); null where unknown. */
  startTime: string | null;
  /** Milliseconds since the epoch, refreshed by the owner while it works. */
  heartbeat: number;
  createdAt: string;
  /** What the owner is doing (stage name, artifact), for humans. */
  purpose?: string;
}

/** Other-host entries whose heartbeat is older than this are dead (default 10 min; IMP_OWNER_TIMEOUT_S). */
export function ownerTimeoutMs(): number {
  const s = Number(process.env.IMP_OWNER_TIMEOUT_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 10 * 60 * 1000;
}

/** How often a live owner refreshes its heartbeat (a tenth of the timeout, at most 30 s). */
export function heartbeatIntervalMs(): number {
  return Math.max(50, Math.min(30_000, ownerTimeoutMs() / 10));
}

export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and ')': fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 overall = index 19 after pid, comm
  } catch {
    return null;
  }
}

export function ownRecord(purpose?: string): OwnerRecord {
  return {
    host: hostname(),
    pid: process.pid,
    startTime: processStartTime(process.pid),
    heartbeat: Date.now(),
    createdAt: new Date().toISOString(),
    ...(purpose ? { purpose } : {}),
  };
}

export const OWNER_FILE = '.owner.json';

/** The owner file of a `.tmp`/`.work` entry lives inside it (never checksummed, removed before the rename). */
export function ownerFileOf(entry: string): string {
  return join(entry, OWNER_FILE);
}

export function writeOwnerFile(path: string, rec: OwnerRecord): void {
  // temp + rename: a reader never sees half a record.
  const tmp = `${path}.${process.pid}.w`;
  writeFileSync(tmp, JSON.stringify(rec) + '\n');
  renameSync(tmp, path);
}

export function readOwnerFile(path: string): OwnerRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as OwnerRecord;
    return typeof r.host === 'string' && typeof r.pid === 'number' && typeof r.heartbeat === 'number' ? r : null;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Alive: on this host, the PID exists with the same start time; on another host, the
 * heartbeat is younger than the timeout (we cannot see its processes).
 */
export function ownerAlive(rec: OwnerRecord, timeoutMs = ownerTimeoutMs(), now = Date.now()): boolean {
  if (rec.host === hostname()) {
    if (!pidAlive(rec.pid)) return false;
    const st = processStartTime(rec.pid);
    return rec.startTime === null || st === null || st === rec.startTime;
  }
  return now - rec.heartbeat < timeoutMs;
}

/**
 * Keeps an owner file's heartbeat fresh until stopped. The timer is unref'd so it never
 * keeps a finished process alive.
 */
export function startHeartbeat(path: string, rec: OwnerRecord, intervalMs = heartbeatIntervalMs()): () => void {
  const t = setInterval(() => {
    try {
      writeOwnerFile(path, { ...rec, heartbeat: Date.now() });
    } catch {
      // a missing directory (gc --force) is the owner's problem at its next write
    }
  }, intervalMs);
  t.unref();
  return () => clearInterval(t);
}
