// `lab demo`: a lab profile's story on this host — lab up, its checks before/after its policies, lab down.

import { styleText } from 'node:util';
import { type CheckAnswer, runDemoChecks } from '../lab/demo-checks.ts';
import { labDown, labUp } from '../lab/lab.ts';
import { labApply } from '../lab/policies.ts';
import { proberArgv } from '../lab/self.ts';
import { labRoot } from '../lab/state.ts';
import { defaultTimeAppPaths, type TimeAppPaths, timeAppLauncher } from '../lab/time-app.ts';
import type { Io, OutputStream } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import { escapeText } from '../report/escape.ts';
import type { OutputFormat } from '../report/formats.ts';
import { demoVerdict, possessive } from './demo-verdict.ts';
import { withInterrupts } from './interrupts.ts';
import { type DemoOverrides, demoPlan } from './lab-inputs.ts';
import { labLog } from './lab-lifecycle.ts';
import { runLabTest } from './lab-test.ts';
import type { RunFlags } from './run-flags.ts';
import { UsageError } from './usage-error.ts';

/** Inputs of the demo: the profile that tells the story, and command-line values replacing its own. */
export interface DemoOptions {
  readonly lab: string;
  readonly profile: string;
  readonly overrides: DemoOverrides;
  /** Where the time app's runtime and build are; each defaults to defaultTimeAppPaths(). */
  readonly timeApp: { readonly [K in keyof TimeAppPaths]?: TimeAppPaths[K] | undefined };
  readonly flags: RunFlags;
  /** Every workload in the mesh once the policies are applied (`lab apply --assume-mesh`). */
  readonly assumeMesh?: boolean;
}

/** The fields of `paths` that are set: an option left out keeps its default. */
function definedOnly(paths: DemoOptions['timeApp']): Partial<TimeAppPaths> {
  return Object.fromEntries(Object.entries(paths).filter(([, value]) => value !== undefined));
}

/**
 * Formats whose documents can follow one another on stdout: the demo prints two reports (no policy,
 * then with the policies). Two JUnit, SVG or HTML documents back to back make no valid file.
 */
const DEMO_FORMATS: readonly OutputFormat[] = ['table', 'json', 'markdown'];

/**
 * Where the story goes: with the table it is part of what a person reads on stdout; with a machine
 * format stdout holds only the reports, and the story goes to stderr.
 */
const narrative = (flags: RunFlags, io: Io): OutputStream => (flags.output === 'table' ? io.stdout : io.stderr);

const say = (flags: RunFlags, io: Io, text: string): void => {
  narrative(flags, io).write(`\n${flags.color ? styleText('bold', text) : text}\n`);
};

function printChecks(flags: RunFlags, io: Io, title: string, answers: readonly CheckAnswer[]): void {
  say(flags, io, title);
  // The summary quotes what the lab's programs answered: escaped before it reaches the terminal.
  for (const a of answers)
    narrative(flags, io).write(
      `  ${a.ok ? 'works   ' : 'error   '} ${escapeText(a.check.path).padEnd(16)} ${escapeText(a.check.label).padEnd(30)} ${escapeText(a.summary)}\n`,
    );
}

/**
 * Runs the story; exit 0 only when both matrices match and the profile's checks show what it says.
 *
 * @example await runLabDemo({ lab: 'prober-lab', profile: 'policies/lab-profile.yaml', overrides: {}, timeApp: {}, flags }, io)
 */
export async function runLabDemo(options: DemoOptions, io: Io): Promise<ExitCode> {
  const prober = proberArgv();
  const { lab, flags } = options;
  if (!DEMO_FORMATS.includes(flags.output))
    throw new UsageError(
      `lab demo -o ${flags.output}: the demo prints two reports (no policy, then with the policies), which make no single ${flags.output} document; use ${DEMO_FORMATS.join(', ')}, or lab test for one report`,
    );
  // The profile is read before anything is created: a bad one is exit 2 with nothing to undo.
  const plan = await demoPlan(options.profile, options.overrides, io);
  const { story, policies } = plan;
  const owner = possessive(story.requiredBy);
  const root = labRoot(io.env);
  const applied = policies.join(', ');
  return withInterrupts(io.stderr, async (signal) => {
    const log = labLog(lab, io);
    const state = await labUp({
      lab,
      root,
      env: io.env,
      io,
      manifests: plan.manifests,
      programs: plan.programs,
      prober,
      timeApp: timeAppLauncher({ ...defaultTimeAppPaths(), ...definedOnly(options.timeApp) }),
      signal,
      log,
    });
    try {
      const checks = () => runDemoChecks(state.topology, prober, story.checks, story.from, story.host, root);
      const before = await checks();
      printChecks(flags, io, `${owner} checks from ${story.from}, no policy (curl http://${story.host}/…):`, before);
      say(
        flags,
        io,
        'Reachability with no policy, judged against the policy model (nothing isolated, so everything allowed):',
      );
      const test = { lab, file: plan.test, flags };
      const first = await runLabTest({ ...test, expect: 'policies' }, io);
      signal.throwIfAborted();
      await labApply(lab, policies, root, io, io.env, { assumeMesh: options.assumeMesh === true });
      log(`applied ${applied}`);
      const after = await checks();
      printChecks(flags, io, `${owner} checks from ${story.from}, with ${applied}:`, after);
      say(flags, io, `Reachability with ${applied}, judged against the written expectations and the policy model:`);
      const second = await runLabTest({ ...test, expect: 'both' }, io);
      const verdict = demoVerdict(story, before, after);
      say(flags, io, verdict.line);
      if (first !== 0 || second !== 0) return first === 2 || second === 2 ? 2 : 1;
      return verdict.holds ? 0 : 1;
    } finally {
      const { skipped } = await labDown(lab, root);
      for (const line of skipped) log(line);
      log('removed');
    }
  });
}
