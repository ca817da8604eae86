// `--ignore-kind KIND[.group]`: the one way to leave policy objects out of the model on purpose.
import type { Command, OptionValues } from '@commander-js/extra-typings';
import { UsageError } from '../orchestration/usage-error.ts';
import type { KindFilter } from '../policy/index.ts';
import { collect } from './options.ts';

/**
 * Adds the flag to a command whose manifests feed the policy model. Objects of a policy API group
 * prober does not evaluate are an error unless named here, so a skipped policy is always a choice.
 */
export function addIgnoreKindOption<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command.option(
    '--ignore-kind <KIND[.group]>',
    'leave objects of this kind out of the policy model on purpose, e.g. GlobalNetworkPolicy.crd.projectcalico.org (repeatable); ' +
      'otherwise a policy kind prober does not evaluate is an error',
    collect,
    [],
  );
}

/**
 * The parsed `--ignore-kind` values; a malformed one is a usage error (exit 2). The policy layer is
 * loaded here, when a command runs, not when its flags are declared: every command declares them.
 */
export async function ignoreKindsFlag(values: readonly string[]): Promise<KindFilter[]> {
  const { parseKindFilter } = await import('../policy/index.ts');
  return values.map((value) => {
    const filter = parseKindFilter(value);
    if (typeof filter === 'string') throw new UsageError(`--ignore-kind: ${filter}`);
    return filter;
  });
}
