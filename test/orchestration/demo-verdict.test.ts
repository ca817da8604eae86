// The demo's verdict from a profile's named checks: what "before" and "after" mean, and the words printed.

import t from 'tap';
import type { DemoCheck, DemoStory } from '../../src/model/lab-profile.ts';
import { demoVerdict, possessive } from '../../src/orchestration/demo-verdict.ts';

const SEED: DemoStory = {
  requiredBy: 'the seed',
  from: 'a-ingress-traefik',
  host: 'pippo.lan',
  checks: [
    { path: '/count/set', label: 'initialise the time' },
    { name: 'case 1', path: '/count/get', label: 'case 1', before: 'works', after: 'works' },
    { name: 'case 2', path: '/redis/GET/time', label: 'case 2', before: 'works', after: 'error' },
  ],
};

const observe = (story: DemoStory, oks: boolean[]) => story.checks.map((check, i) => ({ check, ok: oks[i] ?? false }));

/** [row name, before, after, holds] — the seed's requirement, cell by cell. */
const rows: [string, boolean[], boolean[], boolean][] = [
  ['as the seed requires', [true, true, true], [true, true, false], true],
  ['the set-up step is no part of the verdict', [false, true, true], [false, true, false], true],
  ['case 2 still works after the policy', [true, true, true], [true, true, true], false],
  ['case 1 broken by the policy', [true, true, true], [true, false, false], false],
  ['case 2 already failing before', [true, true, false], [true, true, false], false],
  ['case 1 failing before', [true, false, true], [true, true, false], false],
  ['no answers at all', [], [], false],
];

for (const [name, before, after, holds] of rows) {
  t.test(name, async (t) => {
    const verdict = demoVerdict(SEED, observe(SEED, before), observe(SEED, after));
    t.equal(verdict.holds, holds);
    t.equal(
      verdict.line,
      holds
        ? 'Case 1 still works and case 2 gets an error, as the seed requires.'
        : "The seed's requirement does NOT hold: see the checks above.",
    );
  });
}

t.test('every combination of before and after has its words', async (t) => {
  const check = (name: string, before?: 'works' | 'error', after?: 'works' | 'error'): DemoCheck => ({
    name,
    path: '/',
    label: name,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
  });
  const story: DemoStory = {
    requiredBy: 'the security review',
    from: 'edge',
    host: 'shop.lan',
    checks: [
      check('checkout', 'error', 'works'),
      check('admin', 'error', 'error'),
      check('search', undefined, 'works'),
      check('metrics', 'works', undefined),
    ],
  };
  const ok = [true, false, true, true];
  const verdict = demoVerdict(story, observe(story, [false, false, false, true]), observe(story, ok));
  t.ok(verdict.holds);
  t.equal(
    verdict.line,
    'Checkout now works, admin still gets an error, search works and metrics works without a policy, as the security review requires.',
  );
  t.equal(possessive('the platform teams'), "The platform teams'");
  t.equal(possessive('the seed'), "The seed's");
});
