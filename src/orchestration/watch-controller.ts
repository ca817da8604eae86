// The in-cluster watch's controller, without the probing: given an informer of ReachabilityTests, it
// keeps one schedule per resource (its interval from the `prober.dev/interval` annotation, else the
// default; a run never overlaps the next: the next starts an interval after the last one started, or
// at once when the run took longer, which is counted as an overrun), runs it with the `run` it is given,
// writes the status through the status subresource (recomputed from the stored status and retried on
// 409 Conflict), and emits an events.k8s.io/v1 Event per flipped cell. A deleted resource's schedule
// ends; a run in flight for it finishes and its status write finds it gone. An update that changes the
// interval reschedules the next run. `prober watch --cluster` (watch-cluster.ts) gives it the real run.

import { isConflict, type TestInformer, type TestResource, type TestResourceApi } from '../cluster/test-resources.ts';
import { ConfigError } from '../config/config-error.ts';
import { parseDuration } from '../model/duration.ts';
import type { Cell } from '../model/matrix.ts';
import { nextStatus, type RunOutcome } from '../model/status-update.ts';
import { type Flip, judgeRun, type WatchedCell } from '../model/watch-cells.ts';
import { nowMs } from '../probe/clock.ts';
import { flipEvent, moreFlipsEvent } from './watch-events.ts';

/** Runs one test: its matrix, judged. Throws when the run cannot complete (bad spec, API errors). */
type RunTest = (test: TestResource, signal: AbortSignal) => Promise<Iterable<Cell>>;

export interface ControllerOptions {
  readonly informer: TestInformer;
  readonly api: TestResourceApi;
  readonly run: RunTest;
  readonly defaultIntervalMs: number;
  /** This controller's name among its replicas (the pod's name): the Events' reportingInstance. */
  readonly instance: string;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
  /** Told what happened (the metrics and the live page): keyed `namespace/name`. */
  readonly sinks?: ControllerSinks;
}

/** What a run ended as, for the sinks: the outcome, the matrix of a completed run, the error of a failed one. */
export interface RunReport {
  readonly outcome: RunOutcome;
  readonly cells?: readonly Cell[];
  readonly error?: unknown;
}

/** Where the controller reports its runs, overruns and deleted resources. */
export interface ControllerSinks {
  run(key: string, report: RunReport): void;
  overrun(key: string): void;
  deleted(key: string): void;
  /** An API call that failed: a status or Event write given up, the informer's list or watch. */
  apiError(what: string): void;
}

/** The informer is restarted after an error (client-node's ListWatch stops on one), backing off to this. */
const RESTART_DELAY_MS = { first: 500, max: 30_000 };

/** The annotation that sets a resource's interval (1s to 1h). */
export const INTERVAL_ANNOTATION = 'prober.dev/interval';
const INTERVAL_RANGE = { what: 'an interval', minMs: 1000, maxMs: 3_600_000 };
/** Status writes tried per run before the run's status is given up (each after a 409). */
export const STATUS_ATTEMPTS = 5;
/**
 * At most this many Events per run: a run that flips more gives the first flips an Event each and the
 * rest one Event together (the status has them all).
 */
export const MAX_EVENTS_PER_RUN = 10;

interface Schedule {
  timer?: NodeJS.Timeout;
  /** When the last run started (nowMs) and the interval the pending timer was set for. */
  lastStart?: number;
  plannedMs?: number;
  running?: Promise<void> | undefined;
  previous?: ReadonlyMap<string, WatchedCell>;
  deleted: boolean;
}

/** What the controller did, for tests and metrics. */
export interface ControllerCounts {
  runs: number;
  overruns: number;
  conflicts: number;
  statusFailures: number;
  events: number;
}

export class WatchController {
  readonly counts: ControllerCounts = { runs: 0, overruns: 0, conflicts: 0, statusFailures: 0, events: 0 };
  readonly #options: ControllerOptions;
  readonly #schedules = new Map<string, Schedule>();
  readonly #abort = new AbortController();
  #restartDelayMs = RESTART_DELAY_MS.first;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: ControllerOptions) {
    this.#options = options;
  }

  /** The resources with a schedule, as `namespace/name`. */
  get scheduled(): string[] {
    return [...this.#schedules.keys()];
  }

  /** Subscribes to the informer and starts it: every resource it lists gets a schedule. */
  async start(): Promise<void> {
    const { informer } = this.#options;
    informer.on('add', (test) => this.#added(test));
    informer.on('update', (test) => this.#updated(test));
    informer.on('delete', (test) => this.#deleted(test));
    informer.on('error', (error) => this.#failed(error));
    await informer.start();
  }

  /**
   * A list or watch that failed (a reset connection, a refused list): client-node's ListWatch stops
   * and hands the error here, so the informer is started again, from its last resourceVersion, after
   * a delay that doubles while it keeps failing. What it knew stays: schedules go on meanwhile.
   */
  #failed(error: unknown): void {
    if (this.#abort.signal.aborted || this.#restartTimer) return;
    const message = (error as Error | undefined)?.message ?? String(error);
    this.#options.sinks?.apiError('watch');
    this.#options.log?.('watch of ReachabilityTests failed; restarting it', {
      error: message.split('\n')[0],
      delayMs: this.#restartDelayMs,
    });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#abort.signal.aborted) void this.#options.informer.start().catch((e: unknown) => this.#failed(e));
    }, this.#restartDelayMs);
    this.#restartDelayMs = Math.min(this.#restartDelayMs * 2, RESTART_DELAY_MS.max);
  }

  /** Stops the schedules and the informer, and waits for runs in flight. */
  async stop(): Promise<void> {
    this.#abort.abort();
    clearTimeout(this.#restartTimer);
    for (const schedule of this.#schedules.values()) clearTimeout(schedule.timer);
    await this.#options.informer.stop();
    await Promise.all([...this.#schedules.values()].map((s) => s.running));
  }

  #added(test: TestResource): void {
    this.#restartDelayMs = RESTART_DELAY_MS.first;
    const key = keyOf(test);
    if (this.#schedules.has(key) && !this.#schedules.get(key)?.deleted) return;
    const schedule: Schedule = { deleted: false };
    this.#schedules.set(key, schedule);
    this.#plan(key, schedule, 0);
  }

  /** A changed interval counts from the last run's start: the timer waiting for the old one is reset. */
  #updated(test: TestResource): void {
    this.#restartDelayMs = RESTART_DELAY_MS.first;
    const schedule = this.#schedules.get(keyOf(test));
    if (!schedule) {
      this.#added(test);
      return;
    }
    const interval = intervalOf(test, this.#options.defaultIntervalMs);
    const ms = interval.ok ? interval.ms : this.#options.defaultIntervalMs;
    if (schedule.running !== undefined || schedule.lastStart === undefined || schedule.plannedMs === ms) return;
    clearTimeout(schedule.timer);
    schedule.plannedMs = ms;
    this.#plan(keyOf(test), schedule, Math.max(0, ms - (nowMs() - schedule.lastStart)));
  }

  #deleted(test: TestResource): void {
    const schedule = this.#schedules.get(keyOf(test));
    if (!schedule) return;
    schedule.deleted = true;
    clearTimeout(schedule.timer);
    this.#schedules.delete(keyOf(test));
    this.#options.sinks?.deleted(keyOf(test));
  }

  #plan(key: string, schedule: Schedule, delayMs: number): void {
    if (schedule.deleted || this.#abort.signal.aborted) return;
    schedule.timer = setTimeout(() => {
      schedule.running = this.#runOnce(key, schedule).finally(() => {
        schedule.running = undefined;
      });
    }, delayMs);
  }

  async #runOnce(key: string, schedule: Schedule): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const test = this.#options.informer.get(name, namespace);
    if (!test || schedule.deleted) return;
    const startedAt = new Date();
    const began = nowMs();
    schedule.lastStart = began;
    const interval = intervalOf(test, this.#options.defaultIntervalMs);
    let outcome: RunOutcome;
    let flips: readonly Flip[] = [];
    let report: Omit<RunReport, 'outcome'> = {};
    try {
      if (!interval.ok) throw new Error(`annotation ${INTERVAL_ANNOTATION}: ${interval.error}`);
      const cells = [...(await this.#options.run(test, this.#abort.signal))];
      // Cells are labelled by `namespace/name`: two namespaces may hold tests of one name.
      const run = judgeRun(key, cells, schedule.previous);
      schedule.previous = run.byId;
      flips = run.changes.flips;
      outcome = { kind: 'completed', run, startedAt, durationMs: nowMs() - began };
      report = { cells };
    } catch (error) {
      // Bad input says where (`ReachabilityTest NS/NAME: spec.checks.x: …`), as at the command line.
      const message = error instanceof ConfigError ? error.toString() : (error as Error).message;
      outcome = { kind: 'failed', message, startedAt, durationMs: nowMs() - began };
      report = { error };
    }
    this.counts.runs += 1;
    // A run cut short by the stop is not a result: its missing cells would read as errors.
    if (this.#abort.signal.aborted) return;
    if (!schedule.deleted) {
      this.#options.sinks?.run(key, { outcome, ...report });
      await this.#writeStatus(test, outcome);
      await this.#emit(test, flips, startedAt);
    }
    const intervalMs = interval.ok ? interval.ms : this.#options.defaultIntervalMs;
    const elapsed = nowMs() - began;
    if (elapsed > intervalMs) {
      this.counts.overruns += 1;
      this.#options.sinks?.overrun(key);
      this.#options.log?.('run overran the interval', { test: key, elapsedMs: Math.round(elapsed), intervalMs });
    }
    // The next run keeps the interval as it is now: an annotation changed during this run counts already.
    const latest = intervalOf(this.#options.informer.get(name, namespace) ?? test, this.#options.defaultIntervalMs);
    const nextMs = latest.ok ? latest.ms : this.#options.defaultIntervalMs;
    schedule.plannedMs = nextMs;
    this.#plan(key, schedule, Math.max(0, nextMs - elapsed));
  }

  /** Writes the status after a run, recomputed from the stored status after each 409. */
  async #writeStatus(test: TestResource, outcome: RunOutcome): Promise<void> {
    const generation = test.metadata.generation ?? 0;
    let current = test;
    for (let attempt = 1; attempt <= STATUS_ATTEMPTS; attempt++) {
      try {
        await this.#options.api.replaceStatus({ ...current, status: nextStatus(current.status, outcome, generation) });
        return;
      } catch (error) {
        if (!isConflict(error) || attempt === STATUS_ATTEMPTS) {
          this.counts.statusFailures += 1;
          this.#options.sinks?.apiError('status');
          this.#options.log?.('status not written', { test: keyOf(test), error: (error as Error).message, attempt });
          return;
        }
        this.counts.conflicts += 1;
        try {
          current = await this.#options.api.get(test.metadata.namespace, test.metadata.name);
        } catch (reread) {
          this.counts.statusFailures += 1;
          this.#options.sinks?.apiError('status');
          this.#options.log?.('status not written', { test: keyOf(test), error: (reread as Error).message });
          return;
        }
      }
    }
  }

  /** One Event per flipped cell, regarding the resource; past MAX_EVENTS_PER_RUN, the rest share the last. */
  async #emit(test: TestResource, flips: readonly Flip[], at: Date): Promise<void> {
    const { instance } = this.#options;
    const each = flips.length > MAX_EVENTS_PER_RUN ? flips.slice(0, MAX_EVENTS_PER_RUN - 1) : flips;
    const events = each.map((flip, i) => flipEvent(test, flip, at, i, instance));
    if (each.length < flips.length)
      events.push(moreFlipsEvent(test, flips.slice(each.length), at, each.length, instance));
    for (const event of events) {
      try {
        await this.#options.api.createEvent(test.metadata.namespace, event);
        this.counts.events += 1;
      } catch (error) {
        this.#options.sinks?.apiError('event');
        this.#options.log?.('event not written', { test: keyOf(test), error: (error as Error).message });
      }
    }
  }
}

const keyOf = (test: TestResource): string => `${test.metadata.namespace}/${test.metadata.name}`;

function intervalOf(test: TestResource, fallbackMs: number) {
  const text = test.metadata.annotations?.[INTERVAL_ANNOTATION];
  return text === undefined ? { ok: true as const, ms: fallbackMs } : parseDuration(text, INTERVAL_RANGE);
}
