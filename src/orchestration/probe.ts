// `probe URL…`: ad-hoc probes from where prober runs, judged as a one-row matrix.

import type { Backend, BackendRun, ObserveOptions } from '../model/backend.ts';
import type { Io } from '../model/io.ts';
import { isAnsweredDeny, type Verdict } from '../model/outcome.ts';
import { adHocExitCode, type ExitCode } from '../model/report.ts';
import { DEFAULTS, type Liveness, type ReachabilityTest, type TargetSpec } from '../model/test-spec.ts';
import { LocalBackend } from '../probe/local-backend.ts';
import { observeAndReport } from './observe-and-report.ts';
import type { RunFlags } from './run-flags.ts';

/** What `prober probe` was asked. */
export interface ProbeRequest {
  /** The parsed URLs, in the order given; each names its own column (their liveness is `liveness`'s). */
  readonly targets: readonly Omit<TargetSpec, 'liveness'>[];
  /** With `--expect`, every cell is judged against this verdict; without, the run only observes. */
  readonly expect: Verdict | undefined;
  /**
   * How a judged deny is trusted (`--liveness`): `auto` (the default) needs the target proven alive,
   * which from one source only an answered deny (an HTTP 403, a DNS REFUSED) does; `none` trusts it as seen.
   */
  readonly liveness?: Liveness | undefined;
  readonly flags: RunFlags;
}

/**
 * Probes each target once (unless `--attempts` says otherwise) from here, prints the one-row matrix on `io`
 * with every cell listed and returns the exit code: judged with `expect`, else 0 unless a probe errored.
 * A judged deny needs proof the target is alive (trust rule 2), as in `check`: `probe` has one source,
 * so a timeout or a refusal is `error/target-down` (exit 2) unless `liveness` is `none`.
 *
 * @example
 *   await probeFromHere({ targets, expect: 'deny', flags: { output: 'json', color: false } }, io);
 */
export async function probeFromHere(request: ProbeRequest, io: Io): Promise<ExitCode> {
  const { expect, flags } = request;
  // Without an expectation nothing is judged: a deny is shown as seen, and the exit code counts only errors.
  const liveness: Liveness = expect ? (request.liveness ?? 'auto') : 'none';
  const test: ReachabilityTest = {
    name: 'probe',
    file: '<command line>',
    defaults: DEFAULTS,
    sources: [{ name: 'here', local: true }],
    targets: request.targets.map((target) => ({ ...target, liveness })),
    rules: expect ? [{ from: '*', to: '*', verdict: expect }] : [],
    expectFromPolicies: false,
  };
  // Ad-hoc probes answer quickly by default: one attempt of 2 s, unless the flags say otherwise.
  const defaults = {
    timeoutMs: flags.timeout ?? 2000,
    attempts: flags.attempts ?? 1,
    concurrency: flags.concurrency ?? DEFAULTS.concurrency,
    ...(flags.settle !== undefined ? { settleMs: flags.settle } : {}),
  };
  const backend = new UnprovenDenies(new LocalBackend(defaults));
  const code = await observeAndReport(
    test,
    backend,
    flags,
    io,
    expect ? { listAll: true } : { exitCode: adHocExitCode, listAll: true },
  );
  if (liveness === 'auto' && backend.unproven > 0) io.stderr.write(unprovenNote(backend.unproven));
  return code;
}

/** Why a deny seen from here alone is not trusted, and how to accept it anyway. */
function unprovenNote(count: number): string {
  const denies = count === 1 ? 'a deny was' : `${count} denies were`;
  return (
    `prober: ${denies} not trusted: from here alone nothing proves the target alive, and a dead or ` +
    'missing listener looks exactly like a policy deny (trust rule 2); `--liveness none` accepts a deny as seen\n'
  );
}

/** Counts the denies the backend observed that are no answer from the target, so they need a liveness proof. */
class UnprovenDenies implements Backend {
  readonly kind: Backend['kind'];
  readonly #inner: Backend;
  unproven = 0;

  constructor(inner: Backend) {
    this.#inner = inner;
    this.kind = inner.kind;
  }

  async observe(test: ReachabilityTest, options: ObserveOptions): Promise<BackendRun> {
    const run = await this.#inner.observe(test, options);
    for (const row of run.observations.results.values())
      for (const result of row.values())
        if (result.observed === 'deny' && !isAnsweredDeny(result.reason)) this.unproven += 1;
    return run;
  }
}
