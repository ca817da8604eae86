// The reachability matrix: one cell per source × target, expected vs observed, compared.

import type { IpFamily } from './family.ts';
import { type MismatchCause, mismatchCause } from './mismatch-causes.ts';
import { type CellEvidence, type EvidenceCell, type RunEvidence, tallyEvidence } from './mismatch-evidence.ts';
import {
  type CellResult,
  isAnsweredDeny,
  type Observed,
  type ProbeResult,
  type Reason,
  type Verdict,
} from './outcome.ts';
import { decide, ruleLabel } from './rules.ts';
import { type ReachabilityTest, ruleTargetName, type TargetSpec } from './test-spec.ts';

/** What the policy model predicts for a cell; `loopback` cells (a workload to itself) are not judged. */
export interface ModelVerdict {
  readonly verdict: Verdict | 'loopback';
  readonly explanation: readonly string[];
  /** What the model knows of the cell beyond its verdict, for the catalogue of mismatch causes (not reported). */
  readonly evidence?: CellEvidence;
}

/** One cell of the matrix, as every report renders it. */
export interface Cell {
  readonly from: string;
  readonly to: string;
  readonly url: string;
  /** The IP family the cell was probed over, when its target asks for one. */
  readonly family?: IpFamily;
  /** The expectation the cell is judged against (written intent, else the policy model). */
  readonly expected: Verdict | null;
  /** The rule that gave the expectation: its name, "from → to", or "policy model". */
  readonly rule: string | null;
  readonly model?: ModelVerdict;
  readonly observed: Observed | null;
  readonly reason: Reason | null;
  readonly latencyMs: number | null;
  readonly attempts: number;
  readonly detail?: string;
  readonly result: CellResult;
  /** One sentence a person reads to understand the result. */
  readonly explanation: string;
  /** In a three-way comparison, which of observed / intent / model is the odd one out. */
  readonly disagreement?: 'observed' | 'intent' | 'model';
  /** Where observed and the policy model disagree: the likely cause, when the run's evidence supports one. */
  readonly cause?: MismatchCause;
}

/** Everything a backend learned in one run, keyed by source then target name. */
export interface Observations {
  readonly results: ReadonlyMap<string, ReadonlyMap<string, ProbeResult>>;
  /** Sources that could not probe at all, with the reason (pod not ready, agent failed …). */
  readonly sourceErrors: ReadonlyMap<string, string>;
  /** Targets the backend proved alive by other means (ready endpoints, a local check), with how. */
  readonly alive: ReadonlyMap<string, string>;
  /** Targets the backend proved down (a Service without ready endpoints), with why: their denies are errors. */
  readonly down?: ReadonlyMap<string, string>;
  /** Sources whose probes left from their node's network (hostNetwork pods). */
  readonly hostNetwork?: ReadonlySet<string>;
}

/** Inputs to assemble a matrix. */
export interface MatrixInput {
  readonly test: ReachabilityTest;
  readonly observations: Observations;
  /** Policy model verdicts keyed by source then target name, when the test asks for them. */
  readonly model?: ReadonlyMap<string, ReadonlyMap<string, ModelVerdict>>;
}

/** Builds every cell of the test's matrix, applying the trust rules of a CI gate. */
export function assembleMatrix(input: MatrixInput): Cell[] {
  const cells: Cell[] = [];
  for (const row of matrixRows(input)) cells.push(...row);
  return cells;
}

/**
 * The cells of the matrix one row (one source, every target in order) at a time, computed as the
 * caller asks for them: a report streams millions of cells without holding them. `alive` is the
 * result of `provenAlive` when the caller already has it.
 */
export function* matrixRows(
  input: MatrixInput & { readonly alive?: ReadonlyMap<string, string>; readonly run?: RunEvidence },
): Generator<Cell[]> {
  const { test, observations, model } = input;
  const alive = input.alive ?? provenAlive(observations);
  const run = model ? (input.run ?? runEvidence({ test, observations, model }, alive)) : undefined;
  for (const source of test.sources) {
    const sourceError = observations.sourceErrors.get(source.name);
    const verdicts = model?.get(source.name);
    const hostNetwork = observations.hostNetwork?.has(source.name) === true;
    const row: Cell[] = [];
    for (const target of test.targets) {
      const observation = observed(observations, alive, source.name, target);
      const decision = test.expectFromPolicies ? undefined : decide(test.rules, source.name, ruleTargetName(target));
      const cell = judge({
        from: source.name,
        to: target.name,
        url: target.address.url,
        family: target.family,
        intent: decision ? { verdict: decision.verdict, rule: ruleLabel(decision.rule) } : undefined,
        model: verdicts?.get(target.name),
        observation,
        sourceError,
      });
      const cause = run && causeOf(cell, verdicts?.get(target.name), target.address.scheme, hostNetwork, run);
      row.push(cause ? { ...cell, cause } : cell);
    }
    yield row;
  }
}

/** A cell's observation under the trust rules, or undefined when none was reported. */
function observed(
  observations: Observations,
  alive: ReadonlyMap<string, string>,
  source: string,
  target: TargetSpec,
): ProbeResult | undefined {
  return trusted(
    observations.results.get(source)?.get(target.name),
    target.liveness === 'none' ? 'liveness check disabled' : alive.get(target.name),
    target.name,
    observations.down?.get(target.name),
  );
}

/** What the whole run shows about enforcement, over the cells the model decides (one pass, before the rows). */
export function runEvidence(
  input: MatrixInput & { readonly model: NonNullable<MatrixInput['model']> },
  alive: ReadonlyMap<string, string>,
): RunEvidence {
  const { test, observations, model } = input;
  function* cells(): Generator<EvidenceCell> {
    for (const source of test.sources) {
      const verdicts = model.get(source.name);
      if (!verdicts || verdicts.size === 0) continue;
      for (const target of test.targets) {
        const m = verdicts.get(target.name);
        if (!m?.evidence) continue;
        const seen = observed(observations, alive, source.name, target)?.observed ?? null;
        yield { observed: seen, modelVerdict: m.verdict, evidence: m.evidence };
      }
    }
  }
  return tallyEvidence(cells());
}

/** The catalogue's cause for a judged cell where observed disagrees with the model, if the run supports one. */
function causeOf(
  cell: Cell,
  model: ModelVerdict | undefined,
  scheme: string,
  sourceHostNetwork: boolean,
  run: RunEvidence,
): MismatchCause | undefined {
  if (!model?.evidence || model.verdict === 'loopback') return undefined;
  if (cell.result === 'error' || (cell.observed !== 'allow' && cell.observed !== 'deny')) return undefined;
  return mismatchCause(
    {
      scheme,
      observed: cell.observed,
      modelVerdict: model.verdict,
      evidence: model.evidence,
      ...(sourceHostNetwork ? { sourceHostNetwork } : {}),
    },
    run,
  );
}

/** Targets proven alive: by the backend, or because some source reached them in this run. */
export function provenAlive(observations: Observations): Map<string, string> {
  const alive = new Map(observations.alive);
  for (const [source, row] of observations.results) {
    for (const target of row.keys()) {
      // Only targets not yet proven need their result looked at (a simulated row computes it on demand).
      if (!alive.has(target) && row.get(target)?.observed === 'allow') alive.set(target, `reached by ${source}`);
    }
  }
  return alive;
}

/**
 * Trust rule 2: a deny counts only when the target is proven alive and not proven down; otherwise
 * it is an error. An L7 deny (an HTTP status, a DNS REFUSED) is an answer, so it proves itself.
 */
function trusted(
  result: ProbeResult | undefined,
  aliveBy: string | undefined,
  target: string,
  downBecause: string | undefined,
): ProbeResult | undefined {
  if (result?.observed !== 'deny' || isAnsweredDeny(result.reason)) return result;
  const saw = `saw ${result.reason}${result.detail ? ` (${result.detail})` : ''}`;
  if (downBecause !== undefined)
    return { ...result, observed: 'error', reason: 'target-down', detail: `${downBecause}; ${saw}` };
  if (aliveBy !== undefined) return result;
  return {
    ...result,
    observed: 'error',
    reason: 'target-down',
    // Name the way out where the cell is explained: a deny from a silent target is trusted only on request.
    detail: `${saw}, but nothing proved ${target} alive in this run (a source that reaches it proves it; liveness: none on the target trusts this deny)`,
  };
}

interface JudgeInput {
  readonly from: string;
  readonly to: string;
  readonly url: string;
  readonly family: IpFamily | undefined;
  readonly intent: { verdict: Verdict; rule: string } | undefined;
  readonly model: ModelVerdict | undefined;
  readonly observation: ProbeResult | undefined;
  readonly sourceError: string | undefined;
}

function judge(input: JudgeInput): Cell {
  const { intent, model, observation } = input;
  const modelVerdict = model && model.verdict !== 'loopback' ? model.verdict : undefined;
  const expected = intent?.verdict ?? modelVerdict ?? null;
  const rule = intent?.rule ?? (modelVerdict ? 'policy model' : null);
  if (expected === null && !input.family && !model && observation && !observation.detail) {
    // The cells of a matrix no rule judges and nothing explains (a simulated matrix of millions): one
    // literal of one shape, which every pass over the cells after this reads faster than spread copies.
    return {
      from: input.from,
      to: input.to,
      url: input.url,
      expected,
      rule,
      observed: observation.observed,
      reason: observation.reason,
      latencyMs: observation.latencyMs,
      attempts: observation.attempts,
      result: 'unchecked',
      explanation: 'no rule names this cell',
    };
  }
  const base = {
    from: input.from,
    to: input.to,
    url: input.url,
    ...(input.family ? { family: input.family } : {}),
    expected,
    rule,
    ...(model ? { model: { verdict: model.verdict, explanation: model.explanation } } : {}),
    observed: observation?.observed ?? null,
    reason: observation?.reason ?? null,
    latencyMs: observation?.latencyMs ?? null,
    attempts: observation?.attempts ?? 0,
    ...(observation?.detail ? { detail: observation.detail } : {}),
  };
  if (expected === null) {
    return {
      ...base,
      result: 'unchecked',
      explanation: model?.verdict === 'loopback' ? 'a workload to itself is not judged' : 'no rule names this cell',
    };
  }
  if (!observation) {
    const why = input.sourceError ?? 'no observation was reported';
    return {
      ...base,
      observed: 'error',
      reason: 'source',
      result: 'error',
      detail: why,
      explanation: `could not probe from ${input.from}: ${why}`,
    };
  }
  if (observation.observed === 'error') {
    const what =
      observation.reason === 'interrupted'
        ? 'the run was interrupted before this check finished'
        : `the check failed (${observation.reason})`;
    return { ...base, result: 'error', explanation: `${what}; expected ${expected}` };
  }
  const seen = `${observation.observed} (${observation.reason})`;
  if (intent && modelVerdict && intent.verdict !== modelVerdict) {
    const odd = observation.observed === intent.verdict ? 'model' : 'intent';
    const explanation = `written intent says ${intent.verdict}, policy model says ${modelVerdict}, observed ${seen}`;
    return { ...base, result: 'fail', explanation, disagreement: odd };
  }
  if (observation.observed === expected) {
    return { ...base, result: 'pass', explanation: `expected ${expected}, observed ${seen}` };
  }
  const disagreement = intent && modelVerdict ? { disagreement: 'observed' as const } : {};
  return { ...base, result: 'fail', explanation: `expected ${expected} by ${rule}, observed ${seen}`, ...disagreement };
}
