// The next status of a ReachabilityTest resource after a run, from the status it has now: pure, so the
// controller can recompute it from whatever the API server holds when a write conflicts. Conditions
// keep their lastTransitionTime while their status stays; flips are appended and the oldest dropped
// past MAX_FLIPS; a failed run changes only the verdict, the conditions and lastRun (the counts, cells
// and flips of the last completed run stay).

import {
  CONDITION_TYPES,
  MAX_FLIPS,
  MAX_OFF_CELLS,
  MAX_REASON_CHARS,
  type ReachabilityStatus,
  type StatusFlip,
} from './reachability-status.ts';
import type { JudgedRun, RunVerdict } from './watch-cells.ts';

/** How a run ended: judged, or failed before anything was judged. */
export type RunOutcome =
  | { readonly kind: 'completed'; readonly run: JudgedRun; readonly startedAt: Date; readonly durationMs: number }
  | { readonly kind: 'failed'; readonly message: string; readonly startedAt: Date; readonly durationMs: number };

const VERDICT: Readonly<Record<RunVerdict, 'Matched' | 'Drifted' | 'Undecided'>> = {
  matched: 'Matched',
  mismatched: 'Drifted',
  undecided: 'Undecided',
};

/** A time as the status writes it: RFC 3339 in whole seconds, as metav1.Time is serialized. */
function statusTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

const cut = (text: string, max = MAX_REASON_CHARS): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The status after `outcome`, from the resource's current status (none before its first run). */
export function nextStatus(
  current: ReachabilityStatus | undefined,
  outcome: RunOutcome,
  generation: number,
): ReachabilityStatus {
  const at = statusTime(outcome.startedAt);
  const lastRun = {
    startTime: at,
    durationSeconds: Math.round(outcome.durationMs) / 1000,
    outcome: outcome.kind === 'completed' ? ('Completed' as const) : ('Failed' as const),
    ...(outcome.kind === 'failed' ? { message: cut(outcome.message, 1024) } : {}),
  };
  const verdict = outcome.kind === 'completed' ? VERDICT[outcome.run.verdict] : 'Failed';
  const conditions = CONDITION_TYPES.map((type) => {
    const previous = current?.conditions.find((c) => c.type === type);
    const judged = outcome.kind === 'completed' ? conditionOf(type, outcome.run) : undefined;
    const status = judged ? judged.status : ('Unknown' as const);
    return {
      type,
      status,
      reason: judged ? judged.reason : ('RunFailed' as const),
      message: judged ? judged.message : cut(outcome.kind === 'failed' ? outcome.message : '', 1024),
      lastTransitionTime: previous && previous.status === status ? previous.lastTransitionTime : at,
      observedGeneration: generation,
    };
  });
  if (outcome.kind === 'failed')
    return { ...(current ?? {}), observedGeneration: generation, verdict, conditions, lastRun };
  const { run } = outcome;
  const counts = run.counts;
  const off = run.cells.filter((c) => c.state === 'mismatched' || c.state === 'undecided');
  const flips: StatusFlip[] = run.changes.flips.map(({ cell, from }) => ({
    time: at,
    source: cell.source,
    target: cell.target,
    family: cell.family,
    from,
    to: cell.state,
  }));
  return {
    observedGeneration: generation,
    verdict,
    conditions,
    cells: {
      total: run.cells.length,
      matched: counts.matched,
      mismatched: counts.mismatched,
      undecided: counts.undecided,
      unchecked: counts.unchecked,
      off: off.length,
    },
    lastRun,
    offCells: off.slice(0, MAX_OFF_CELLS).map((c) => ({
      source: c.source,
      target: c.target,
      family: c.family,
      state: c.state as 'mismatched' | 'undecided',
      reason: cut([c.observed, c.reason].filter(Boolean).join(': ')),
    })),
    flips: [...(current?.flips ?? []), ...flips].slice(-MAX_FLIPS),
  };
}

/** A condition's status, reason and message after a judged run. */
function conditionOf(type: (typeof CONDITION_TYPES)[number], run: JudgedRun) {
  const { counts } = run;
  const checked = counts.matched + counts.mismatched + counts.undecided;
  if (VERDICT[run.verdict] !== type)
    return {
      status: 'False' as const,
      reason: 'NotThisVerdict' as const,
      message: `the last run was ${VERDICT[run.verdict]}`,
    };
  if (type === 'Matched')
    return {
      status: 'True' as const,
      reason: 'AllCellsMatched' as const,
      message: `${counts.matched} of ${checked} checked cells as intended`,
    };
  if (type === 'Drifted')
    return {
      status: 'True' as const,
      reason: 'CellsMismatched' as const,
      message: `${counts.mismatched} of ${checked} checked cells observed the other way`,
    };
  if (checked === 0)
    return {
      status: 'True' as const,
      reason: 'NothingChecked' as const,
      message: 'no cell is checked by a rule or the policy model',
    };
  return {
    status: 'True' as const,
    reason: 'CellsUndecided' as const,
    message: `${counts.undecided} of ${checked} checked cells undecided`,
  };
}
