// The status of a ReachabilityTest resource, as the in-cluster watch writes it through the status
// subresource: conditions, cell counts, the last run, the cells that are off and a bounded flip history.
// Pure: the CustomResourceDefinition's status schema (k8s/prober/crd-status.ts) and the controller both
// take their names and bounds from here.

/** The resource's API group, version and plural: the CRD's (k8s/prober/crd.ts) and a test file's `apiVersion`. */
export const TEST_RESOURCE = { group: 'prober.dev', version: 'v1alpha1', plural: 'reachabilitytests' } as const;

/** The condition types: one per run verdict, each True on the runs that have that verdict. */
export const CONDITION_TYPES = ['Matched', 'Drifted', 'Undecided'] as const;
type ConditionType = (typeof CONDITION_TYPES)[number];

/** The resource's verdict, shown by `kubectl get reachabilitytests`: a run verdict, or `Failed` when the run did not complete. */
export const STATUS_VERDICTS = ['Matched', 'Drifted', 'Undecided', 'Failed'] as const;
type StatusVerdict = (typeof STATUS_VERDICTS)[number];

/**
 * The reasons a condition gives (CamelCase, as Kubernetes condition reasons are): why it is True, why
 * it is False, and `RunFailed` (status Unknown) when the last run did not complete.
 */
export const CONDITION_REASONS = {
  AllCellsMatched: 'every checked cell was observed as intended',
  CellsMismatched: 'at least one checked cell was observed the other way',
  CellsUndecided: 'at least one checked cell could be observed neither as allow nor as deny',
  NothingChecked: 'no cell is checked by a rule or the policy model',
  NotThisVerdict: 'the last run had another verdict',
  RunFailed: 'the last run did not complete (bad input, an API error): nothing was judged',
} as const;
type ConditionReason = keyof typeof CONDITION_REASONS;

/** At most this many flips are kept, newest last; older ones are dropped. */
export const MAX_FLIPS = 20;
/** At most this many cells that are off are listed (the counts cover them all). */
export const MAX_OFF_CELLS = 50;
/** A reason or message written into the status is cut to this many characters. */
export const MAX_REASON_CHARS = 256;

/** The states a listed cell can be off in, and the states a flip goes between (model/watch-cells.ts). */
export const OFF_STATES = ['mismatched', 'undecided'] as const;
export const FLIP_STATES = ['matched', 'mismatched', 'undecided', 'unchecked'] as const;

/** A condition, shaped as metav1.Condition. */
interface StatusCondition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: ConditionReason;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration: number;
}

/** The counts of the last completed run's cells; `off` is mismatched + undecided. */
interface CellCounts {
  readonly total: number;
  readonly matched: number;
  readonly mismatched: number;
  readonly undecided: number;
  readonly unchecked: number;
  readonly off: number;
}

/** A cell that is off: observed the other way, or undecided, with the reason the probe gave. */
interface OffCell {
  readonly source: string;
  readonly target: string;
  readonly family: string;
  readonly state: (typeof OFF_STATES)[number];
  readonly reason: string;
}

/** A cell that changed state between two completed runs. */
export interface StatusFlip {
  readonly time: string;
  readonly source: string;
  readonly target: string;
  readonly family: string;
  readonly from: (typeof FLIP_STATES)[number];
  readonly to: (typeof FLIP_STATES)[number];
}

/** The status subresource's content. */
export interface ReachabilityStatus {
  readonly observedGeneration: number;
  readonly verdict: StatusVerdict;
  readonly conditions: readonly StatusCondition[];
  readonly cells?: CellCounts;
  readonly lastRun: {
    readonly startTime: string;
    readonly durationSeconds: number;
    readonly outcome: 'Completed' | 'Failed';
    readonly message?: string;
  };
  readonly offCells?: readonly OffCell[];
  readonly flips?: readonly StatusFlip[];
}
