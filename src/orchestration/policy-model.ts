// Builds the policy model from manifest paths, and the model's verdicts for a ReachabilityTest.

import { ConfigError } from '../config/config-error.ts';
import { modelObjects } from '../config/load-manifests.ts';
import type { InputIo, Io } from '../model/io.ts';
import type { ModelVerdict } from '../model/matrix.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import {
  buildModel,
  type ClusterInput,
  type KindFilter,
  leftOutWarnings,
  type Model,
  modelVerdicts,
  predictTest,
} from '../policy/index.ts';
import { escapeText } from '../report/escape.ts';
import { type LiveObjects, objectsToModel } from './simulate-inputs.ts';

/** How to read manifests for the model. */
export interface PolicyModelOptions {
  /** Treat every workload as having an Istio sidecar (manifests rarely say so). */
  readonly assumeMesh?: boolean;
  /** Namespace of objects that name none. */
  readonly defaultNamespace?: string;
  /** Where notes about skipped objects go (a command's stderr, through warnOn). */
  readonly warn: (line: string) => void;
  /** Kinds left out on purpose (`--ignore-kind`). */
  readonly ignoreKinds?: readonly KindFilter[];
  /** Changes the loaded cluster before the model is built (lint adds an assumed DNS server). */
  readonly transform?: (cluster: ClusterInput) => ClusterInput;
  /** A live cluster's objects (`simulate --cluster`); files then hold policies only. */
  readonly live?: LiveObjects;
  /** Where `-` and relative paths are read from. */
  readonly io: InputIo;
}

/** A warning line on `io`'s stderr: prefixed, and escaped (it quotes manifests and API servers). */
export function warnOn(io: Pick<Io, 'stderr'>): (line: string) => void {
  return (line) => void io.stderr.write(`prober: warning: ${escapeText(line)}\n`);
}

/** Reads policies and workloads from files/directories and, when given, a live cluster, and builds the model. */
export async function loadPolicyModel(paths: readonly string[], options: PolicyModelOptions): Promise<Model> {
  const { warn } = options;
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const { files, objects } = await objectsToModel(paths, options.live, options.io);
  const loaded = modelObjects(objects, files, {
    defaultNamespace,
    ...(options.ignoreKinds ? { ignoreKinds: options.ignoreKinds } : {}),
  });
  for (const kind of options.live?.notRead ?? [])
    warn(`left out ${kind} as asked by --ignore-kind: not read from the cluster, the matrix does not reflect it`);
  for (const line of loaded.warnings) warn(line);
  // Left out on request, but said out loud: a CI log shows what the verdicts do not cover.
  for (const line of leftOutWarnings(loaded.leftOut)) warn(line);
  const cluster = options.transform ? options.transform(loaded.cluster) : loaded.cluster;
  const model = buildModel(cluster, options.assumeMesh ? { assumeMesh: true } : {});
  for (const line of model.warnings) warn(line);
  const read = [...(options.live ? [`the cluster ${options.live.cluster}`] : []), ...paths].join(', ');
  if (loaded.cluster.policies.length === 0) warn(`no policy found in ${read}: every cell is allowed`);
  return model;
}

/**
 * The policy model's verdicts for a test that asks for them (`expect: fromPolicies` or a
 * `fromPolicies` block), for the three-way comparison; undefined when it does not ask. Cells the
 * model cannot place (a local source, a dns:// target …) get no model verdict; when the model is
 * the only expectation and places no cell at all, that is bad input.
 */
export async function policyVerdictsFor(
  test: ReachabilityTest,
  options: PolicyModelOptions,
): Promise<Map<string, Map<string, ModelVerdict>> | undefined> {
  if (!test.fromPolicies) {
    if (test.expectFromPolicies) {
      throw new ConfigError(
        test.file,
        undefined,
        'spec.fromPolicies',
        '`expect: fromPolicies` needs a fromPolicies block naming the policies (and workloads) to read',
      );
    }
    return undefined;
  }
  const model = await loadPolicyModel([...test.fromPolicies.policies, ...test.fromPolicies.workloads], options);
  const predictions = predictTest(model, test, { evidence: true });
  const verdicts = modelVerdicts(predictions);
  if (test.expectFromPolicies && [...verdicts.values()].every((row) => row.size === 0)) {
    const first = [...predictions.values()].flatMap((row) => [...row.values()]).find((p) => p.kind === 'unknown');
    const why = first?.kind === 'unknown' ? first.detail : 'no cell';
    throw new ConfigError(
      test.file,
      undefined,
      'spec.expect',
      `the policy model cannot decide any cell of this test (${why}), so \`expect: fromPolicies\` checks nothing`,
    );
  }
  return verdicts;
}
