// getaddrinfo under a bound: a few lookups at a time, one per name, none of them holding up a probe's deadline.
// getaddrinfo runs in libuv's thread pool, at most half of it at once, and cannot be cancelled: a lookup
// a silent nameserver holds keeps its thread for the resolver's whole timeout (5 s × 2 tries by default).
// So lookups are queued here rather than in the pool, a queued lookup nobody waits for any more is dropped
// before it starts, and concurrent lookups of one name share one call.

import type { LookupAddress } from 'node:dns';

// main.ts imports this module for every command, so Node's resolver and SEA modules are loaded only
// when a lookup starts or the process leaves lookups behind (process.getBuiltinModule, synchronous):
// loading them up front was part of every command's start-up, `--version` included.

/** The thread pool prober asks libuv for (reserveLookupThreads), unless UV_THREADPOOL_SIZE says otherwise. */
const POOL_THREADS = 16;

/** libuv runs getaddrinfo as "slow I/O" on at most half its pool (rounded up): the rest stays for files. */
function slotsOf(poolThreads: number): number {
  return Math.max(1, Math.floor((poolThreads + 1) / 2));
}

/** The most getaddrinfo calls in flight at once; libuv's own bound for its default pool of 4 until reserveLookupThreads. */
let slots = slotsOf(4);

/** The most getaddrinfo calls in flight at once. */
export function lookupSlots(): number {
  return slots;
}

/**
 * Sizes libuv's thread pool for lookups beside file I/O: unless UV_THREADPOOL_SIZE is set, 16 threads,
 * so 8 lookups may hang at once before the next waits. libuv reads the variable when the pool first
 * starts, so this must run before any file or name work; children inherit it and size alike. `env` is
 * the process's own environment (the entry point's), where libuv reads the variable.
 */
export function reserveLookupThreads(env: NodeJS.ProcessEnv): void {
  const asked = Number(env.UV_THREADPOOL_SIZE);
  if (Number.isInteger(asked) && asked >= 1) slots = slotsOf(Math.min(asked, 1024));
  else {
    env.UV_THREADPOOL_SIZE = String(POOL_THREADS);
    slots = slotsOf(POOL_THREADS);
  }
}

/** One getaddrinfo call, running or queued, shared by everyone asking for its name meanwhile. */
interface Pending {
  readonly result: Promise<LookupAddress[]>;
  /** Callers still waiting; a queued lookup whose last caller gave up is never started. */
  waiting: number;
  started: boolean;
  start(): void;
  drop(): void;
}

/** A caller's share of a lookup: the addresses, and whether the resolver was asked as soon as it asked. */
export interface SharedLookup {
  readonly addresses: Promise<LookupAddress[]>;
  /** True when no slot was free as this caller asked: the resolver was asked later, or not yet. */
  readonly waited: boolean;
  /** True while the lookup still waits for a free slot (the resolver has not been asked yet). */
  queued(): boolean;
}

const pendingByHost = new Map<string, Pending>();
const queue: Pending[] = [];
let inFlight = 0;

/** How many getaddrinfo calls are running now, those nobody waits for any more included. */
export function lookupsRunning(): number {
  return inFlight;
}

/**
 * Every address getaddrinfo gives for `host`, in its order (`verbatim`): hosts file, search domains,
 * every nameserver, as the workload resolves. `onGiveUp` registers what to run when the caller stops
 * waiting (its deadline passed, the run was interrupted): the caller is then no longer counted, and a
 * lookup still queued with nobody left is dropped. The promise rejects with the resolver's error.
 */
export function lookupAll(host: string, onGiveUp?: (cleanup: () => void) => void): SharedLookup {
  let pending = pendingByHost.get(host);
  if (!pending) {
    pending = newPending(host);
    pendingByHost.set(host, pending);
    queue.push(pending);
    pump();
  }
  const mine = pending;
  mine.waiting += 1;
  let gaveUp = false;
  onGiveUp?.(() => {
    if (gaveUp) return;
    gaveUp = true;
    mine.waiting -= 1;
    if (mine.waiting === 0 && !mine.started) mine.drop();
  });
  return { addresses: mine.result, waited: !mine.started, queued: () => !mine.started };
}

/** Starts queued lookups while slots are free. */
function pump(): void {
  while (inFlight < slots && queue.length > 0) (queue.shift() as Pending).start();
}

function newPending(host: string): Pending {
  let resolve!: (value: LookupAddress[]) => void;
  let reject!: (error: unknown) => void;
  const result = new Promise<LookupAddress[]>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Nobody may be listening any more when it fails: that is not an unhandled rejection.
  result.catch(() => undefined);
  const pending: Pending = {
    result,
    waiting: 0,
    started: false,
    start() {
      pending.started = true;
      inFlight += 1;
      // The slot is freed before the callers hear the answer: one who asks again starts a new lookup.
      const done = (): void => {
        inFlight -= 1;
        if (pendingByHost.get(host) === pending) pendingByHost.delete(host);
        pump();
      };
      process
        .getBuiltinModule('node:dns/promises')
        .lookup(host, { all: true, verbatim: true })
        .then(
          (addresses) => {
            done();
            resolve(addresses);
          },
          (error: unknown) => {
            done();
            reject(error);
          },
        );
    },
    drop() {
      const at = queue.indexOf(pending);
      if (at >= 0) queue.splice(at, 1);
      if (pendingByHost.get(host) === pending) pendingByHost.delete(host);
    },
  };
  return pending;
}

/** The shell exitLeavingLookups executes to end with an exit code, where the system has one. */
const SHELL = '/bin/sh';

/** Set in the environment of the stand-in that exitLeavingLookups executes: the exit code it ends with. */
const STAND_IN_EXIT_ENV = 'PROBER_STAND_IN_EXIT';

/**
 * Ends the process with `code` at once although getaddrinfo calls still hold libuv's threads: Node's
 * exit joins those threads, so it would wait for the resolver's own timeout. execve ends every thread
 * without joining them; what it runs only exits with `code`: the system shell (`sh -c 'exit N'`, a
 * millisecond) or, where there is none (a distroless image), this program again with STAND_IN_EXIT_ENV
 * (standInExit), which starts Node once more. Output written before is kept: stdout and stderr to
 * pipes, files and terminals are written synchronously on Linux. Where execve fails, it falls back to a
 * waiting exit. `env` is the environment the stand-in gets, with its exit code added.
 */
export function exitLeavingLookups(code: number, env: NodeJS.ProcessEnv): never {
  // The same program, as the lab starts it in a namespace (lab/self.ts): the binary, or Node with the entry.
  const argv = process.getBuiltinModule('node:sea').isSea()
    ? [process.execPath]
    : [process.execPath, ...process.execArgv, process.argv[1] ?? ''];
  const exitCode = String(code & 0xff);
  // A failed execve aborts Node (it has run its exit hooks): only a shell that is there is executed.
  if (executable(SHELL)) process.execve?.(SHELL, ['sh', '-c', `exit ${exitCode}`], {});
  try {
    process.execve?.(process.execPath, argv, { ...env, [STAND_IN_EXIT_ENV]: exitCode });
  } catch {
    // No execve here: wait for the resolver like any other exit.
  }
  process.exit(code);
}

/** Whether `path` is a file this process may execute. */
function executable(path: string): boolean {
  const fs = process.getBuiltinModule('node:fs');
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return fs.statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * In the stand-in exitLeavingLookups executed (its environment `env` says so): exits with the code it
 * was given, before anything else runs.
 */
export function standInExit(env: NodeJS.ProcessEnv): void {
  const code = env[STAND_IN_EXIT_ENV];
  if (code !== undefined && /^\d{1,3}$/.test(code)) process.exit(Number(code));
}
