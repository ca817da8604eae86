// The one interface every way of observing a matrix implements: local, lab, cluster, simulated.

import type { Observations } from './matrix.ts';
import type { BackendKind, ReportSource } from './report.ts';
import type { ReachabilityTest } from './test-spec.ts';

/** Options every backend honours. */
export interface ObserveOptions {
  /** Aborted on SIGINT/SIGTERM: stop probing, clean up, return what is known. */
  readonly signal: AbortSignal;
  /** Progress messages for people (stderr, only on a TTY — the caller decides). */
  readonly progress?: (message: string) => void;
}

/** What a backend returns: the observations plus what it learned about sources and where it ran. */
export interface BackendRun {
  readonly observations: Observations;
  readonly sources?: readonly ReportSource[];
  readonly context?: string;
}

/** A way to observe a ReachabilityTest's matrix. Implementations never throw for probe failures. */
export interface Backend {
  readonly kind: BackendKind;
  observe(test: ReachabilityTest, options: ObserveOptions): Promise<BackendRun>;
}
