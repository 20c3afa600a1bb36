import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ownerAlive, ownerTimeoutMs, ownRecord, readOwnerFile, startHeartbeat, type OwnerRecord } from './owner.ts';

/**
 * One producer per artifact. A lock is a file `<store>/.locks/<name>.lock` created with
 * O_CREAT|O_EXCL, which is atomic on local file systems and on NFSv3+ (the server decides),
 * unlike flock/fcntl which NFS implements poorly or not at all (docs/store-safety.md).
 * It holds the owner record, whose heartbeat a timer refreshes.
 */
export interface Lock {
  path: string;
  release(): void;
}

export interface LockOptions {
  /** Called once when we start waiting for another owner. */
  onWait?: (owner: OwnerRecord | null) => void;
  /** Called (one line) when a dead owner's lock is taken over. */
  log?: (line: string) => void;
  /** Stop waiting and return null when this becomes true (e.g. the artifact now exists). */
  done?: () => boolean;
  timeoutMs?: number;
  purpose?: string;
}

export function lockPath(store: string, name: string): string {
  return join(store, '.locks', `${name}.lock`);
}

function tryCreate(path: string, rec: OwnerRecord): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(rec) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock, waiting (polling with backoff) while a live owner holds it. Returns null
 * if `done()` became true while waiting: the winner produced the artifact. A lock whose
 * owner is dead (same host: PID gone or reused; other host: heartbeat older than the
 * timeout) or whose record is unreadable and older than the timeout is taken over.
 */
export async function acquireLock(store: string, name: string, opts: LockOptions = {}): Promise<Lock | null> {
  const path = lockPath(store, name);
  mkdirSync(join(store, '.locks'), { recursive: true });
  const timeoutMs = opts.timeoutMs ?? ownerTimeoutMs();
  const rec = ownRecord(opts.purpose ?? name);
  let delay = 50;
  let waited = false;
  const firstSeen = new Map<string, number>();
  for (;;) {
    if (opts.done?.()) return null;
    if (tryCreate(path, rec)) break;
    const owner = readOwnerFile(path);
    const key = owner ? `${owner.host}:${owner.pid}:${owner.heartbeat}` : 'unreadable';
    if (!firstSeen.has(key)) firstSeen.set(key, Date.now());
    // An unreadable record may be a creator between open and write: give it the timeout.
    const dead = owner ? !ownerAlive(owner, timeoutMs) : Date.now() - firstSeen.get(key)! > timeoutMs;
    if (dead) {
      // rename is atomic: of several takers exactly one moves the stale lock away.
      const aside = `${path}.stale.${process.pid}.${Date.now()}`;
      try {
        renameSync(path, aside);
        rmSync(aside, { force: true });
        (opts.log ?? ((l) => process.stderr.write(l + '\n')))(
          `lock ${name}: taking over from dead owner ${owner ? `${owner.host} pid ${owner.pid}` : '(unreadable record)'}`,
        );
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (!waited) {
      waited = true;
      opts.onWait?.(owner);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
  const stop = startHeartbeat(path, rec);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      stop();
      const cur = readOwnerFile(path);
      if (cur && cur.pid === rec.pid && cur.host === rec.host) rmSync(path, { force: true });
    },
  };
}
