// `lint`: the policy model of manifests checked for policies that do not do what they look like they do.
import type { Io } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import { type KindFilter, lint, withDnsServer } from '../policy/index.ts';
import { type FailOn, type LintFormat, lintExitCode, renderLintJson, renderLintTable } from '../report/lint.ts';
import { renderSarif } from '../report/sarif.ts';
import { loadPolicyModel, warnOn } from './policy-model.ts';
import { UsageError } from './usage-error.ts';
import { PROBER_VERSION } from './version.ts';

/** What `prober lint` was asked. */
export interface LintRequest {
  /** Policies and workloads (`-f`). */
  readonly manifests: readonly string[];
  readonly output: LintFormat;
  readonly failOn: FailOn;
  readonly assumeMesh: boolean;
  /** Namespace of objects that name none. */
  readonly namespace: string;
  readonly ignoreKinds: readonly KindFilter[];
}

/**
 * Loads the manifests as `simulate` does, runs every check and prints the findings on `io`; returns 1 when a
 * finding is at or above `failOn`, else 0 (bad input throws, and the CLI exits 2).
 *
 * @example
 *   await runLint({ manifests: ['policies', 'k8s'], output: 'sarif', failOn: 'error', assumeMesh: false,
 *     namespace: 'default', ignoreKinds: [] }, io);
 */
export async function runLint(request: LintRequest, io: Io): Promise<ExitCode> {
  if (request.manifests.length === 0) throw new UsageError('lint: name the manifests with -f (policies and workloads)');
  let assumed: string | undefined;
  const model = await loadPolicyModel(request.manifests, {
    assumeMesh: request.assumeMesh,
    defaultNamespace: request.namespace,
    ignoreKinds: request.ignoreKinds,
    warn: warnOn(io),
    io,
    transform: (cluster) => {
      const withDns = withDnsServer(cluster);
      assumed = withDns.assumed;
      return withDns.input;
    },
  });
  const result = lint(model, { assumedDns: assumed });
  const text =
    request.output === 'json'
      ? renderLintJson(result, request.failOn)
      : request.output === 'sarif'
        ? renderSarif(result, PROBER_VERSION)
        : renderLintTable(result, request.failOn);
  io.stdout.write(text);
  return lintExitCode(result, request.failOn);
}
