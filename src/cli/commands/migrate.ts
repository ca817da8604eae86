// `prober migrate`: AdminNetworkPolicy / BaselineAdminNetworkPolicy manifests as ClusterNetworkPolicy v1alpha2 YAML.

import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { collect, stdinAtMostOnce } from '../options.ts';

/** Registers `migrate`. */
export function registerMigrate(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  program
    .command('migrate')
    .summary('rewrite AdminNetworkPolicy/BaselineAdminNetworkPolicy as ClusterNetworkPolicy v1alpha2 YAML')
    .description(
      'Reads manifests as `simulate` does and writes, for each AdminNetworkPolicy and BaselineAdminNetworkPolicy ' +
        '(policy.networking.k8s.io/v1alpha1), the ClusterNetworkPolicy (v1alpha2, network-policy-api v0.2.0) that ' +
        'means the same, to stdout. Other objects are read (for the checks) but not written. What has no exact ' +
        'translation is listed on stderr at its file:line and nothing is written.',
    )
    .option(
      '-f, --file <path>',
      'manifests: a file or directory of policies (repeatable; - reads them from stdin)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
Examples:
  prober migrate -f anp.yaml -f banp.yaml > cnp.yaml
  kubectl get adminnetworkpolicies,baselineadminnetworkpolicies -o yaml | prober migrate -f -

AdminNetworkPolicy → tier Admin, same priority; BaselineAdminNetworkPolicy → tier Baseline, priority 0;
Allow → Accept; ports → protocols. docs/migrate.md lists what cannot be translated.

Exit codes: 0 written · 2 bad input, or some field without an exact translation (nothing written).`,
    )
    .action(async (opts) => {
      stdinAtMostOnce(opts.file);
      const { runMigrate } = await import('../../orchestration/migrate.ts');
      finish(await runMigrate({ manifests: opts.file }, io));
    });
}
