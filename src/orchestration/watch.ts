// `prober watch`: runs ReachabilityTests against the lab every interval, one round at a time, and
// serves what it sees as Prometheus metrics; logs each run and each cell that flips. Stops on SIGINT/SIGTERM.

import { ConfigError } from '../config/config-error.ts';
import { LabNotUpError } from '../lab/policies.ts';
import { formatDuration } from '../model/duration.ts';
import { urlHost } from '../model/family.ts';
import type { Io } from '../model/io.ts';
import { assembleMatrix } from '../model/matrix.ts';
import type { ExitCode } from '../model/report.ts';
import { pause, settleWithin } from '../model/wait.ts';
import { judgeRun, type WatchedCell } from '../model/watch-cells.ts';
import { nowMs } from '../probe/clock.ts';
import { onStopSignals } from './interrupts.ts';
import { type ExpectSource, prepareLabTest } from './lab-test.ts';
import type { RunFlags } from './run-flags.ts';
import { UsageError } from './usage-error.ts';
import { type ErrorKind, WatchMetrics } from './watch-metrics.ts';
import { recordCompleted, recordFailed, type WatchSinks } from './watch-record.ts';
import { type ListenAddress, startMetricsServer } from './watch-server.ts';
import { WatchState } from './watch-state.ts';

/** What `prober watch` was asked. */
export interface WatchOptions {
  readonly lab: string;
  /** Test files, read again at every run: an edited test takes effect at the next round. */
  readonly files: readonly string[];
  readonly intervalMs: number;
  readonly listen: ListenAddress;
  readonly flags: RunFlags;
  readonly expect: ExpectSource | undefined;
}

/**
 * How long a stop waits for the run in progress to wind down (its agents are told at once) before
 * abandoning it: the whole stop stays within a second.
 */
const STOP_GRACE_MS = 700;

/**
 * Watches until SIGINT or SIGTERM, then returns 0 (a signal is how a watcher is meant to stop). Bad
 * input or a lab that is not up is found before anything is served: ConfigError or UsageError (exit 2).
 */
export async function runWatch(options: WatchOptions, io: Io): Promise<ExitCode> {
  const names = await checkInputs(options, io);
  const metrics = new WatchMetrics(names);
  const page = new WatchState(names, options.intervalMs);
  const stop = new AbortController();
  const removeHandlers = onStopSignals(io.stderr, (signal) => stop.abort(new Error(`stopped by ${signal}`)));
  try {
    const server = await startMetricsServer(options.listen, {
      metrics: () => metrics.exposition(),
      healthy: () => !stop.signal.aborted,
      state: () => page.snapshot(io.now()),
    });
    const { host, port } = server.address;
    const url = `http://${urlHost(host)}:${port}`;
    io.stderr.write(
      `prober watch: ${names.length} test${names.length === 1 ? '' : 's'} on lab ${options.lab} every ${formatDuration(options.intervalMs)}; page on ${url}/, metrics on ${url}/metrics\n`,
    );
    const loop = watchLoop(options, names, { metrics, page, io }, stop.signal, io);
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      stop.signal.addEventListener('abort', () => resolve(), { once: true });
      // A loop that ends by itself (it never does unless stopped) must not leave the watch hanging.
      loop.then(resolve, resolve);
    });
    const wound = await settleWithin(loop, STOP_GRACE_MS);
    if (!wound) io.log.log(1, 'run abandoned', { reason: 'still winding down at the stop deadline' });
    await server.close();
    io.log.log(1, 'stopped');
    return 0;
  } finally {
    removeHandlers();
  }
}

/** Reads every test once, so a bad file or a lab that is not up is an error before the watch starts; returns their names. */
async function checkInputs(options: WatchOptions, io: Io): Promise<string[]> {
  if (options.files.includes('-'))
    throw new UsageError('-f: a watch reads its tests again at every run, so "-" (stdin) cannot be one');
  const names: string[] = [];
  for (const file of options.files) {
    const { test } = await prepareLabTest(
      { lab: options.lab, file, flags: options.flags, expect: options.expect },
      io,
      'prober watch',
    );
    if (names.includes(test.name))
      throw new ConfigError(
        file,
        undefined,
        'metadata.name',
        `"${test.name}" is watched twice: test names label the metrics`,
      );
    names.push(test.name);
  }
  return names;
}

/** Rounds of runs until `signal` aborts: every test once, then a wait for the rest of the interval. */
async function watchLoop(
  options: WatchOptions,
  names: readonly string[],
  sinks: WatchSinks,
  signal: AbortSignal,
  io: Io,
): Promise<void> {
  const { metrics } = sinks;
  const previous = new Map<string, ReadonlyMap<string, WatchedCell>>();
  for (let round = 1; !signal.aborted; round++) {
    const started = nowMs();
    io.log.log(2, 'round started', { round });
    for (const [index, file] of options.files.entries()) {
      if (signal.aborted) break;
      await runOnce({ ...options, file, name: names[index] ?? file, round }, previous, sinks, signal, io);
    }
    const elapsed = nowMs() - started;
    io.log.log(2, 'round finished', { round, durationMs: Math.round(elapsed) });
    if (signal.aborted) break;
    if (elapsed > options.intervalMs) {
      // Never stacked: the next round starts now, and the overrun is said once.
      metrics.recordOverrun();
      io.log.log(1, 'round overran the interval', {
        round,
        durationMs: Math.round(elapsed),
        intervalMs: options.intervalMs,
      });
      continue;
    }
    await pause(options.intervalMs - elapsed, signal);
  }
}

/** One run of one test: prepared afresh (the file and the lab's applied policies now), observed, judged, recorded. */
async function runOnce(
  run: WatchOptions & { readonly file: string; readonly name: string; readonly round: number },
  previous: Map<string, ReadonlyMap<string, WatchedCell>>,
  sinks: WatchSinks,
  signal: AbortSignal,
  io: Io,
): Promise<void> {
  const started = nowMs();
  const seconds = (): number => (nowMs() - started) / 1000;
  let stage: ErrorKind = 'input';
  io.log.log(2, 'run started', { test: run.name, round: run.round });
  try {
    const prepared = await prepareLabTest(
      { lab: run.lab, file: run.file, flags: run.flags, expect: run.expect },
      io,
      'prober watch',
    );
    stage = 'run';
    const { test, backend, model } = prepared;
    const observed = await backend.observe(test, { signal });
    // A run cut short by the stop is not a result: its missing cells would read as errors.
    if (signal.aborted) {
      io.log.log(1, 'run abandoned', { test: test.name, round: run.round, reason: 'stopping' });
      return;
    }
    const matrix = assembleMatrix({ test, observations: observed.observations, ...(model ? { model } : {}) });
    const judged = judgeRun(test.name, matrix, previous.get(test.name));
    recordCompleted(sinks, test.name, {
      matrix,
      judged,
      seconds: seconds(),
      sourceErrors: observed.observations.sourceErrors.size,
      logFields: { round: run.round },
    });
    previous.set(test.name, judged.byId);
  } catch (error) {
    // An edited file that no longer parses, a lab taken down: the watch goes on and says so.
    const kind: ErrorKind = error instanceof ConfigError ? 'input' : error instanceof LabNotUpError ? 'lab' : stage;
    recordFailed(sinks, run.name, { kind, error, seconds: seconds() }, { round: run.round });
  }
}
