// Which table and picture `prober simulate` prints for the repository's lab: the wide table when it fits
// the width, the compact one when not, --table to choose, -o svg|html. The commands run in this process
// (helpers/cli-in-process.ts): their stdout is not a terminal, as when piped.

import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { ROOT } from '../helpers/prober.ts';

/**
 * The repository's workloads without policies: the lab's four, prober's Job and its watch controller, 6 × 6,
 * names up to 49 characters, about 250 columns wide.
 */
function simulate(args: readonly string[], env: Record<string, string> = {}) {
  const { COLUMNS: _columns, ...rest } = process.env;
  return cli(['simulate', '-f', 'policies/networkpolicy', '-f', 'k8s', ...args], {
    cwd: ROOT,
    env: { ...rest, ...env },
  });
}

const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

t.test('piped with no COLUMNS: 120 wide, so the 6 × 6 matrix is compact', async (t) => {
  const run = await simulate([]);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /^6 sources × 6 targets, one mark per cell; columns are numbered and named below$/m);
  t.match(run.stdout, /^ +│12│3│4│5│6│$/m, 'a bar between namespaces');
  t.match(run.stdout, /^d-redis\/ +│/m);
  t.match(run.stdout, /^ {2}5 redis:6379$/m, 'the column legend');
  t.ok(widest(run.stdout) <= 120, `at most 120 wide (${widest(run.stdout)})`);
});

t.test('COLUMNS wide enough, or --table wide: the wide table', async (t) => {
  for (const [args, env] of [
    [[], { COLUMNS: '300' }],
    [['--table', 'wide'], {}],
  ] as const) {
    const run = await simulate(args, env);
    t.equal(run.status, 0, run.stderr);
    t.match(run.stdout, /│ from \\ to +│ a-ingress-traefik\/traefik-ingress-controller:8000 │/);
  }
  t.match(
    (await simulate(['--table', 'compact'], { COLUMNS: '300' })).stdout,
    /^ +│12│3│4│5│6│$/m,
    '--table compact wins',
  );
});

t.test('-o svg and -o html through the command', async (t) => {
  const svg = await simulate(['-o', 'svg']);
  t.equal(svg.status, 0, svg.stderr);
  t.match(svg.stdout, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.equal(
    svg.stdout.match(/<rect class="k\d+ [cp]" x="\d+" y="\d+" width="15" height="15"><title>/g)?.length,
    36,
    'one rect per cell',
  );
  const html = await simulate(['-o', 'html']);
  t.equal(html.status, 0, html.stderr);
  t.match(html.stdout, /^<!DOCTYPE html>/);
});

t.test('--diff and --explain draw no picture: a usage error', async (t) => {
  const run = await simulate(['--diff', 'policies/networkpolicy', 'policies/cilium', '-o', 'svg']);
  t.equal(run.status, 2);
  t.match(run.stderr, /^prober: --diff prints table, markdown or json/);
  const bad = await simulate(['--table', 'tiny']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--table <style>' argument 'tiny' is invalid\. Allowed choices are auto, wide, compact\./);
});
