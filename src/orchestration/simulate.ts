// `simulate`: the policy model of manifests shown as a workload matrix, one explained cell, a diff, or a judged test.

import { loadReachabilityTest } from '../config/load-test.ts';
import type { Io } from '../model/io.ts';
import { adHocExitCode, type ExitCode } from '../model/report.ts';
import { type KindFilter, predictTest, SimulatedBackend } from '../policy/index.ts';
import { PRINTS_EVERY_DETAIL } from '../report/formats.ts';
import { writeChunks } from '../report/write.ts';
import { observeAndReport } from './observe-and-report.ts';
import { loadPolicyModel, warnOn } from './policy-model.ts';
import type { RunFlags } from './run-flags.ts';
import { diffChunks, diffModels } from './simulate-diff.ts';
import { type ClusterFlags, readLive } from './simulate-inputs.ts';
import { workloadMatrix } from './simulate-matrix.ts';
import { explainCell, type PortArg, renderDecisions } from './simulate-views.ts';
import { UsageError } from './usage-error.ts';

/** What to show of the model: exactly one mode per call. */
export type SimulateMode =
  | { readonly kind: 'matrix'; readonly ports: readonly PortArg[] }
  | { readonly kind: 'explain'; readonly from: string; readonly to: string; readonly port: PortArg }
  | { readonly kind: 'diff'; readonly old: string; readonly new: string }
  | { readonly kind: 'test'; readonly file: string };

/** What `prober simulate` was asked. */
export interface SimulateRequest {
  readonly mode: SimulateMode;
  /** Policies and workloads (`-f`); empty: the test's `fromPolicies` paths. */
  readonly manifests: readonly string[];
  readonly flags: RunFlags;
  readonly assumeMesh: boolean;
  /** Namespace of objects that name none. */
  readonly namespace: string;
  readonly ignoreKinds: readonly KindFilter[];
  /** Read the topology (and, without policy files, the policies) from this cluster (`--cluster`). */
  readonly cluster?: ClusterFlags;
}

/**
 * Builds the model and prints what the mode asks for on `io`; returns the exit code (matrix: 2 when a cell is
 * undecidable; explain: 0; test: judged like a run; diff: 1 when some cell changes). With `cluster`,
 * the objects are read from the cluster first; from there on it is the same path as files.
 *
 * @example
 *   await runSimulate({ mode: { kind: 'matrix', ports: [] }, manifests: ['policies', 'k8s'], flags,
 *     assumeMesh: false, namespace: 'default', ignoreKinds: [] }, io);
 */
export async function runSimulate(request: SimulateRequest, io: Io): Promise<ExitCode> {
  const { mode, flags } = request;
  const test = mode.kind === 'test' ? await loadReachabilityTest(mode.file, io) : undefined;
  const { cluster } = request;
  // From a cluster, a test's fromPolicies block gives the policies; its workloads are the cluster's.
  const fromTest = test?.fromPolicies
    ? [...test.fromPolicies.policies, ...(cluster ? [] : test.fromPolicies.workloads)]
    : [];
  const manifests = request.manifests.length > 0 ? request.manifests : fromTest;
  if (manifests.length === 0 && !cluster)
    throw new UsageError(
      'simulate: name the manifests with -f (policies and workloads), or read a cluster with --cluster',
    );
  // The cluster's own policies are read only when no file gives them (--diff's sets are policies).
  const withPolicies = manifests.length === 0 && mode.kind !== 'diff';
  const live = cluster ? await readLive(cluster, request.ignoreKinds, withPolicies, io) : undefined;
  const modelOptions = {
    assumeMesh: request.assumeMesh,
    defaultNamespace: request.namespace,
    ignoreKinds: request.ignoreKinds,
    warn: warnOn(io),
    io,
    ...(live ? { live } : {}),
  };
  if (mode.kind === 'diff') {
    const [before, after] = await Promise.all(
      [mode.old, mode.new].map((set) => loadPolicyModel([...manifests, set], modelOptions)),
    );
    const changed = await writeChunks(
      diffChunks(diffModels(before!, after!), mode.old, mode.new, flags.output === 'json' ? 'json' : 'text'),
      io.stdout,
    );
    return changed > 0 ? 1 : 0;
  }
  const model = await loadPolicyModel(manifests, modelOptions);
  switch (mode.kind) {
    case 'explain': {
      const decisions = explainCell(model, mode.from, mode.to, mode.port);
      io.stdout.write(flags.output === 'json' ? `${JSON.stringify(decisions, null, 2)}\n` : renderDecisions(decisions));
      return 0;
    }
    case 'test':
      // A limiter's behaviour is measured, never modelled: the checks are left to prober check.
      if (test?.checks)
        io.stderr.write(
          `prober: simulate leaves out ${test.checks.length === 1 ? 'the check' : `${test.checks.length} checks`} of spec.checks (run them with prober check)\n`,
        );
      return observeAndReport(test!, new SimulatedBackend((t) => predictTest(model, t)), flags, io);
    case 'matrix': {
      const { test: matrix, backend } = workloadMatrix(model, mode.ports, {
        everyExplanation: PRINTS_EVERY_DETAIL[flags.output],
      });
      if (matrix.targets.length === 0)
        throw new UsageError('simulate: no workload declares a container port; name ports with --port');
      return observeAndReport(matrix, backend, flags, io, { exitCode: adHocExitCode });
    }
    default: {
      const never: never = mode;
      return never;
    }
  }
}
