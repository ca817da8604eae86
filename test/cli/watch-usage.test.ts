// `prober watch`'s bad input: one line naming the flag or the file, exit 2, nothing served.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { ROOT } from '../helpers/prober.ts';

const TEST = join(ROOT, 'policies', 'expectations.yaml');

const ROWS: readonly { readonly name: string; readonly args: readonly string[]; readonly error: RegExp }[] = [
  {
    name: 'an interval below a second',
    args: ['--interval', '500ms'],
    error: /^prober: --interval: "500ms" is out of range: a watch interval is from 1s to 1h\n$/,
  },
  {
    name: 'an interval that is no duration',
    args: ['--interval', '30'],
    error: /^prober: --interval: "30" is not a duration/,
  },
  {
    name: 'a non-local --listen',
    args: ['--listen', '0.0.0.0:9464'],
    error: /^prober: --listen: 0\.0\.0\.0 is not a loopback address; .* add --listen-non-local/,
  },
  {
    name: 'a --listen without a port',
    args: ['--listen', '127.0.0.1'],
    error: /^prober: --listen: "127\.0\.0\.1" is not HOST:PORT/,
  },
  {
    name: 'stdin as a test',
    args: ['-f', '-'],
    error: /^prober: -f: a watch reads its tests again at every run, so "-" \(stdin\) cannot be one\n$/,
  },
  {
    name: 'a lab name that is none',
    args: ['--lab', 'Not_A_Lab'],
    error: /^prober: --lab: "Not_A_Lab" is not a lab name/,
  },
];

for (const row of ROWS)
  t.test(`${row.name}: exit 2, one line`, async (t) => {
    const run = await cli(['watch', '-f', TEST, ...row.args]);
    t.equal(run.status, 2);
    t.equal(run.stdout, '');
    t.match(run.stderr, row.error);
  });

t.test('a lab that is not up: exit 2 before anything is served', async (t) => {
  const run = await cli(['watch', '-f', TEST, '--lab', 'pt-never-up', '--listen', '127.0.0.1:0'], {
    env: { ...process.env, PROBER_LAB_DIR: mkdtempSync(join(tmpdir(), 'prober-watch-')) },
  });
  t.equal(run.status, 2);
  t.match(run.stderr, /^prober: lab "pt-never-up" is not up/);
  t.notMatch(run.stderr, /metrics on/);
});

t.test('a test file with an error: file, line, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prober-watch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: { name: x }\nspec: { sources: 3 }\n',
  );
  const broken = await cli(['watch', '-f', bad]);
  t.equal(broken.status, 2);
  t.match(broken.stderr, new RegExp(`^prober: ${bad}:\\d+: `));
});

const CLUSTER_ROWS: readonly { readonly name: string; readonly args: readonly string[]; readonly error: RegExp }[] = [
  {
    name: 'neither -f nor --cluster',
    args: ['watch'],
    error: /^prober: prober watch: needs -f \(a test file to watch\), or --cluster\n$/,
  },
  {
    name: '--cluster with a test file',
    args: ['watch', '--cluster', '-f', TEST],
    error: /^prober: prober watch: -f is for the lab; with --cluster the ReachabilityTest resources say/,
  },
  {
    name: '--cluster with --lab',
    args: ['watch', '--cluster', '--lab', 'prober-lab'],
    error: /^prober: prober watch: --lab is for the lab/,
  },
  {
    name: '--cluster with --expect',
    args: ['watch', '--cluster', '--expect', 'both'],
    error: /^prober: prober watch: --expect is for the lab/,
  },
  {
    name: 'a cluster flag without --cluster',
    args: ['watch', '-f', TEST, '--kubeconfig', '/nonexistent'],
    error: /^prober: prober watch: --kubeconfig is for --cluster only\n$/,
  },
  {
    name: 'a namespace that is no name, with --cluster',
    args: ['watch', '--cluster', '-n', 'Not_A_Namespace'],
    error: /^prober: -n: /,
  },
];

for (const row of CLUSTER_ROWS)
  t.test(`${row.name}: exit 2, one line, nothing served`, async (t) => {
    const run = await cli([...row.args, '--listen', '127.0.0.1:0']);
    t.equal(run.status, 2);
    t.match(run.stderr, row.error);
    t.notMatch(run.stderr, /metrics on/);
  });
