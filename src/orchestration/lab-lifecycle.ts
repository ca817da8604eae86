// What `lab up`, `down`, `status`, `apply` and `reset` do: each one call into lab/, with the lines it prints.

import { describeLab } from '../lab/describe.ts';
import { labDown, labUp } from '../lab/lab.ts';
import { labApply, labReset } from '../lab/policies.ts';
import { proberArgv } from '../lab/self.ts';
import { labRoot, readState } from '../lab/state.ts';
import { labStopPods } from '../lab/stop-pods.ts';
import { defaultTimeAppPaths, timeAppLauncher } from '../lab/time-app.ts';
import { describeUnenforced, parseUnenforced } from '../lab/unenforced.ts';
import type { Io } from '../model/io.ts';
import { escapeText } from '../report/escape.ts';
import { counted } from '../report/verdict-line.ts';
import { withInterrupts } from './interrupts.ts';
import { labInputs } from './lab-inputs.ts';
import { UsageError } from './usage-error.ts';

/** Where a lab command writes: the description on stdout, its own lines (escaped, prefixed) on `io`'s stderr. */
export function labLog(lab: string, io: Io): (line: string) => void {
  return (line) => void io.stderr.write(`lab ${lab}: ${escapeText(line)}\n`);
}

/** Options of `lab up`. */
export interface LabUpOptions {
  readonly lab: string;
  readonly manifests: readonly string[] | undefined;
  /** The lab profile to use, if any (the CLI picks the repository's when neither it nor -f is given). */
  readonly profile: string | undefined;
  readonly appRuntime?: string | undefined;
  readonly appDir?: string | undefined;
}

/** Stands a lab up from manifests (and a profile's program choices), then describes it on stdout. */
export async function standLabUp(options: LabUpOptions, io: Io): Promise<0> {
  const inputs = await labInputs(options.manifests, options.profile, io);
  const paths = defaultTimeAppPaths();
  await withInterrupts(io.stderr, async (signal) => {
    const state = await labUp({
      lab: options.lab,
      root: labRoot(io.env),
      env: io.env,
      io,
      manifests: inputs.manifests,
      programs: inputs.programs,
      prober: proberArgv(),
      timeApp: timeAppLauncher({
        rootfs: options.appRuntime ?? paths.rootfs,
        appDir: options.appDir ?? paths.appDir,
      }),
      signal,
      log: labLog(options.lab, io),
    });
    io.stdout.write(describeLab(state));
  });
  return 0;
}

/** Removes every namespace, process, rule and file of a lab, saying what it removed and what it left. */
export async function takeLabDown(lab: string, io: Io): Promise<0> {
  const { removed, skipped } = await labDown(lab, labRoot(io.env));
  const log = labLog(lab, io);
  for (const line of skipped) log(line);
  log(removed > 0 ? `removed ${counted(removed, 'namespace')}` : 'nothing to remove');
  return 0;
}

/** Describes a running lab; a lab that is not up is a usage error. */
export async function showLabStatus(lab: string, io: Io): Promise<0> {
  const state = await readState(labRoot(io.env), lab);
  if (!state) throw new UsageError(`lab "${lab}" is not up (start it with \`prober lab up\`)`);
  io.stdout.write(describeLab(state));
  return 0;
}

/** Enforces a policy set in a lab (replacing the applied one) and names the pods it isolates. */
export async function applyLabPolicies(
  lab: string,
  policies: readonly string[],
  io: Io,
  options: {
    readonly assumeMesh?: boolean;
    readonly unenforced?: readonly string[];
    readonly snat?: readonly string[];
  } = {},
): Promise<0> {
  const unenforced = parseUnenforced(options.unenforced ?? []);
  if (typeof unenforced === 'string') throw new UsageError(unenforced);
  const { assumeMesh, snat } = options;
  const { firewalls } = await labApply(lab, [...policies], labRoot(io.env), io, io.env, {
    ...(assumeMesh ? { assumeMesh } : {}),
    unenforced,
    ...(snat ? { snat } : {}),
  });
  const isolated = firewalls.filter((f) => f.ingressIsolated || f.egressIsolated).map((f) => f.netns);
  const left = describeUnenforced(unenforced);
  labLog(
    lab,
    io,
  )(
    `applied ${policies.join(', ')}; isolated pods: ${isolated.join(', ') || 'none'}${left ? `; left unenforced: ${left}` : ''}`,
  );
  return 0;
}

/** Stops pods of a lab: Services send their traffic to the endpoints still ready. */
export async function stopLabPods(lab: string, pods: readonly string[], io: Io): Promise<0> {
  await labStopPods(lab, labRoot(io.env), pods);
  labLog(lab, io)(`stopped ${pods.map(escapeText).join(', ')}; Service routing updated in every other pod`);
  return 0;
}

/** Removes every policy rule of a lab: everything is allowed again. */
export async function resetLabPolicies(lab: string, io: Io): Promise<0> {
  await labReset(lab, labRoot(io.env), io, io.env);
  labLog(lab, io)('policies removed');
  return 0;
}
