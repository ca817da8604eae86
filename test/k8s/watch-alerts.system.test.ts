// The alert rules of `prober watch` (k8s/prober/watch/prometheus-rule.yaml) under Prometheus's own
// rule checker and unit tester: `promtool check rules` and `promtool test rules` with
// test/fixtures/watch/alerts.test.yaml, on the PrometheusRule's spec written as a plain rules file.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse, stringify } from 'yaml';
import { ROOT } from '../helpers/prober.ts';

const RULE = join(ROOT, 'k8s', 'prober', 'watch', 'prometheus-rule.yaml');
const TESTS = join(ROOT, 'test', 'fixtures', 'watch', 'alerts.test.yaml');

type Json = Record<string, any>;

/** A directory with the rules as `rules.yaml` (the PrometheusRule's spec, possibly changed) and the unit tests. */
function rulesDir(t: Test, change: (spec: Json) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'prober-alerts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const spec = (parse(readFileSync(RULE, 'utf8')) as Json).spec as Json;
  change(spec);
  writeFileSync(join(dir, 'rules.yaml'), stringify(spec));
  copyFileSync(TESTS, join(dir, 'alerts.test.yaml'));
  return dir;
}

const promtool = (dir: string, ...args: string[]) =>
  spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });

const alert = (spec: Json, name: string): Json =>
  (spec.groups[0].rules as Json[]).find((rule) => rule.alert === name) ?? {};

t.test('the rules are valid and every alert fires on what should fire it, and only then', async (t) => {
  const dir = rulesDir(t);
  const check = promtool(dir, 'check', 'rules', 'rules.yaml');
  t.equal(check.status, 0, check.stdout + check.stderr);
  t.match(check.stdout, /SUCCESS: 3 rules found/);
  const run = promtool(dir, 'test', 'rules', 'alerts.test.yaml');
  t.equal(run.status, 0, run.stdout + run.stderr);
});

t.test('the unit tests notice a rule that fires too soon, on the wrong series, or never', async (t) => {
  const broken: [string, (spec: Json) => void][] = [
    ['drift without its 5 minutes', (spec) => (alert(spec, 'ProberReachabilityDrift').for = '1m')],
    [
      'drift on any cell result',
      (spec) => (alert(spec, 'ProberReachabilityDrift').expr = 'sum by (test) (prober_cell_result) > 0'),
    ],
    [
      'no successful run that forgets tests never judged',
      (spec) =>
        (alert(spec, 'ProberNoSuccessfulRun').expr =
          'time() - max by (test) (prober_last_successful_run_timestamp_seconds) > 900'),
    ],
    [
      'undecided counting matched cells',
      (spec) => (alert(spec, 'ProberCellsUndecided').expr = 'sum by (test) (prober_cell_result{result="matched"}) > 0'),
    ],
  ];
  for (const [what, change] of broken) {
    const run = promtool(rulesDir(t, change), 'test', 'rules', 'alerts.test.yaml');
    t.not(run.status, 0, `${what}: promtool test rules fails`);
  }
});
