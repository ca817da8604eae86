// `lab demo`: the seed's whole story on this host — lab up, before/after the NetworkPolicy, lab down.

import { styleText } from 'node:util';
import type { ExitCode } from '../model/report.ts';
import { escapeText } from '../report/escape.ts';
import { labDown, labUp } from '../lab/lab.ts';
import { labApply } from '../lab/policies.ts';
import { seedChecks, type SeedAnswer } from '../lab/seed-checks.ts';
import { proberArgv } from '../lab/self.ts';
import { timeAppLauncher, type TimeAppPaths } from '../lab/time-app.ts';
import { effectiveDefaults, type RunFlags } from '../orchestration/run-flags.ts';
import { withInterrupts } from '../orchestration/interrupts.ts';
import { runLabTest } from './lab-test.ts';

/** Inputs of the demo; defaults are the repository's own lab. */
export interface DemoOptions {
  readonly lab: string;
  readonly manifests: readonly string[];
  readonly policies: readonly string[];
  readonly test: string;
  readonly ingressNamespace: string;
  readonly host: string;
  readonly timeApp: TimeAppPaths;
  readonly flags: RunFlags;
}

const say = (flags: RunFlags, text: string): void => {
  process.stdout.write(`\n${flags.color ? styleText('bold', text) : text}\n`);
};

function printChecks(flags: RunFlags, title: string, answers: readonly SeedAnswer[]): void {
  say(flags, title);
  // The summary quotes what the lab's programs answered: escaped before it reaches the terminal.
  for (const a of answers)
    process.stdout.write(
      `  ${a.ok ? 'works   ' : 'error   '} ${escapeText(a.request.path).padEnd(16)} ${escapeText(a.request.label).padEnd(30)} ${escapeText(a.summary)}\n`,
    );
}

/** Runs the story; exit 0 only when both matrices match and the seed's checks behave as it requires. */
export async function runLabDemo(options: DemoOptions): Promise<ExitCode> {
  const prober = proberArgv();
  const { lab, flags } = options;
  return withInterrupts(async (signal) => {
    const log = (line: string) => process.stderr.write(`lab ${lab}: ${escapeText(line)}\n`);
    const state = await labUp({
      lab,
      manifests: options.manifests,
      prober,
      timeApp: timeAppLauncher(options.timeApp),
      signal,
      log,
    });
    try {
      const before = await seedChecks(state.topology, prober, options.ingressNamespace, options.host);
      printChecks(
        flags,
        `The seed's checks from ${options.ingressNamespace}, no policy (curl http://${options.host}/…):`,
        before,
      );
      say(
        flags,
        'Reachability with no policy, judged against the policy model (nothing isolated, so everything allowed):',
      );
      const test = { lab, file: options.test, flags, defaults: effectiveDefaults };
      const first = await runLabTest({ ...test, expect: 'policies' });
      signal.throwIfAborted();
      await labApply(lab, options.policies);
      log(`applied ${options.policies.join(', ')}`);
      const after = await seedChecks(state.topology, prober, options.ingressNamespace, options.host);
      printChecks(
        flags,
        `The seed's checks from ${options.ingressNamespace}, with ${options.policies.join(', ')}:`,
        after,
      );
      say(
        flags,
        `Reachability with ${options.policies.join(', ')}, judged against the written expectations and the policy model:`,
      );
      const second = await runLabTest({ ...test, expect: 'both' });
      const [, case1Before, case2Before] = before;
      const [, case1After, case2After] = after;
      const seedHolds = Boolean(case1Before?.ok && case2Before?.ok && case1After?.ok && case2After && !case2After.ok);
      say(
        flags,
        seedHolds
          ? 'Case 1 still works and case 2 gets an error, as the seed requires.'
          : "The seed's requirement does NOT hold: see the checks above.",
      );
      if (first !== 0 || second !== 0) return first === 2 || second === 2 ? 2 : 1;
      return seedHolds ? 0 : 1;
    } finally {
      const { skipped } = await labDown(lab);
      for (const line of skipped) log(line);
      log('removed');
    }
  });
}
