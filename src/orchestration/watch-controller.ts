// The in-cluster watch's controller, without the probing: given an informer of ReachabilityTests, it
// keeps one schedule per resource (its interval from the `prober.dev/interval` annotation, else the
// default; a run never overlaps the next: the next starts an interval after the last one started, or
// at once when the run took longer, which is counted as an overrun), runs it with the `run` it is given,
// writes the status through the status subresource (recomputed from the stored status and retried on
// 409 Conflict), and emits an events.k8s.io/v1 Event per flipped cell. A deleted resource's schedule
// ends; a run in flight for it finishes and its status write finds it gone. Not wired to the CLI yet.

import { isConflict, type TestInformer, type TestResource, type TestResourceApi } from '../cluster/test-resources.ts';
import { parseDuration } from '../model/duration.ts';
import type { Cell } from '../model/matrix.ts';
import { nextStatus, type RunOutcome } from '../model/status-update.ts';
import { type Flip, judgeRun, type WatchedCell } from '../model/watch-cells.ts';
import { nowMs } from '../probe/clock.ts';

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
}

/** The annotation that sets a resource's interval (1s to 1h). */
export const INTERVAL_ANNOTATION = 'prober.dev/interval';
const INTERVAL_RANGE = { what: 'an interval', minMs: 1000, maxMs: 3_600_000 };
/** Status writes tried per run before the run's status is given up (each after a 409). */
export const STATUS_ATTEMPTS = 5;
/** At most this many Events per run: a run that flips more names the first ones (the status has them all). */
const MAX_EVENTS_PER_RUN = 10;

interface Schedule {
  timer?: NodeJS.Timeout;
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
    informer.on('delete', (test) => this.#deleted(test));
    await informer.start();
  }

  /** Stops the schedules and the informer, and waits for runs in flight. */
  async stop(): Promise<void> {
    this.#abort.abort();
    for (const schedule of this.#schedules.values()) clearTimeout(schedule.timer);
    await this.#options.informer.stop();
    await Promise.all([...this.#schedules.values()].map((s) => s.running));
  }

  #added(test: TestResource): void {
    const key = keyOf(test);
    if (this.#schedules.has(key) && !this.#schedules.get(key)?.deleted) return;
    const schedule: Schedule = { deleted: false };
    this.#schedules.set(key, schedule);
    this.#plan(key, schedule, 0);
  }

  #deleted(test: TestResource): void {
    const schedule = this.#schedules.get(keyOf(test));
    if (!schedule) return;
    schedule.deleted = true;
    clearTimeout(schedule.timer);
    this.#schedules.delete(keyOf(test));
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
    const interval = intervalOf(test, this.#options.defaultIntervalMs);
    let outcome: RunOutcome;
    let flips: readonly Flip[] = [];
    try {
      if (!interval.ok) throw new Error(`annotation ${INTERVAL_ANNOTATION}: ${interval.error}`);
      const run = judgeRun(name, await this.#options.run(test, this.#abort.signal), schedule.previous);
      schedule.previous = run.byId;
      flips = run.changes.flips;
      outcome = { kind: 'completed', run, startedAt, durationMs: nowMs() - began };
    } catch (error) {
      outcome = { kind: 'failed', message: (error as Error).message, startedAt, durationMs: nowMs() - began };
    }
    this.counts.runs += 1;
    if (!schedule.deleted) {
      await this.#writeStatus(test, outcome);
      await this.#emit(test, flips, startedAt);
    }
    const intervalMs = interval.ok ? interval.ms : this.#options.defaultIntervalMs;
    const elapsed = nowMs() - began;
    if (elapsed > intervalMs) {
      this.counts.overruns += 1;
      this.#options.log?.('run overran the interval', { test: key, elapsedMs: Math.round(elapsed), intervalMs });
    }
    this.#plan(key, schedule, Math.max(0, intervalMs - elapsed));
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
          this.#options.log?.('status not written', { test: keyOf(test), error: (error as Error).message, attempt });
          return;
        }
        this.counts.conflicts += 1;
        try {
          current = await this.#options.api.get(test.metadata.namespace, test.metadata.name);
        } catch (reread) {
          this.counts.statusFailures += 1;
          this.#options.log?.('status not written', { test: keyOf(test), error: (reread as Error).message });
          return;
        }
      }
    }
  }

  /** One Event per flipped cell (at most MAX_EVENTS_PER_RUN), regarding the resource. */
  async #emit(test: TestResource, flips: readonly Flip[], at: Date): Promise<void> {
    for (const [i, flip] of flips.slice(0, MAX_EVENTS_PER_RUN).entries()) {
      try {
        await this.#options.api.createEvent(
          test.metadata.namespace,
          flipEvent(test, flip, at, i, this.#options.instance),
        );
        this.counts.events += 1;
      } catch (error) {
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

/** MicroTime as kube-apiserver decodes it: exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const REASON: Readonly<Record<string, string>> = {
  matched: 'Matched',
  mismatched: 'Drifted',
  undecided: 'Undecided',
  unchecked: 'Unchecked',
};

/** The events.k8s.io/v1 Event of one flipped cell. */
function flipEvent(test: TestResource, flip: Flip, at: Date, index: number, instance: string): Record<string, unknown> {
  const { cell, from } = flip;
  const why = [cell.observed, cell.reason].filter(Boolean).join(': ');
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: `${test.metadata.name}.${at.getTime().toString(16)}${index}`,
      namespace: test.metadata.namespace,
    },
    eventTime: microTime(at),
    type: cell.state === 'matched' || cell.state === 'unchecked' ? 'Normal' : 'Warning',
    reason: REASON[cell.state] ?? 'Flipped',
    action: 'Probe',
    note: `${cell.source} → ${cell.target} (${cell.family}): ${from} → ${cell.state}${why ? ` (${why})` : ''}`.slice(
      0,
      1024,
    ),
    reportingController: 'prober.dev/watch',
    reportingInstance: instance.slice(0, 128),
    regarding: {
      apiVersion: test.apiVersion,
      kind: test.kind,
      namespace: test.metadata.namespace,
      name: test.metadata.name,
      uid: test.metadata.uid,
      resourceVersion: test.metadata.resourceVersion,
    },
  };
}
