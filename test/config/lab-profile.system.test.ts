// Bad lab profiles through the real binary: one line naming file:line and field, exit 2, nothing created.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseLabProfile } from '../../src/config/load-lab-profile.ts';
import { lab, labName, leftovers } from '../helpers/lab.ts';
import { tempDir } from '../helpers/temp.ts';

const GOOD = `apiVersion: prober/v1alpha1
kind: LabProfile
metadata:
  name: demo
spec:
  manifests: [manifests]
  programs:
    - image: registry.example/team/app
      program: time-app
  demo:
    requiredBy: the seed
    from: edge
    host: shop.lan
    policies: [policies]
    test: test.yaml
    checks:
      - path: /set
        label: set up
      - name: case 1
        path: /get
        label: reads
        before: works
        after: works
      - name: case 2
        path: /cache/GET/x
        label: reads the cache
        before: works
        after: error
`;

/** [name, file text, expected line, expected field (or null), message pattern] */
const rows: [string, string, number | null, string | null, RegExp][] = [
  ['wrong kind', GOOD.replace('kind: LabProfile', 'kind: ReachabilityTest'), 2, 'kind', /must be "LabProfile"/],
  [
    'unknown field in the demo',
    GOOD.replace('    host: shop.lan', '    host: shop.lan\n    hosts: [a]'),
    14,
    'spec.demo.hosts',
    /unknown field "hosts"/,
  ],
  [
    'a program prober cannot run',
    GOOD.replace('program: time-app', 'program: nginx'),
    9,
    'spec.programs[0].program',
    /must be one of "redis", "apache", "webdis", "time-app", "synthetic"/,
  ],
  [
    'an image with a tag',
    GOOD.replace('image: registry.example/team/app', 'image: registry.example/team/app:2.0'),
    8,
    'spec.programs[0].image',
    /without tag or digest/,
  ],
  [
    'an image chosen twice',
    GOOD.replace(
      '      program: time-app\n',
      '      program: time-app\n    - image: registry.example/team/app\n      program: redis\n',
    ),
    10,
    'spec.programs[1].image',
    /already chosen in programs\[0\]/,
  ],
  [
    'a host with a space',
    GOOD.replace('host: shop.lan', 'host: "shop lan"'),
    13,
    'spec.demo.host',
    /"shop lan" is not a host name/,
  ],
  [
    'a namespace that is no namespace name',
    GOOD.replace('from: edge', 'from: Edge_1'),
    12,
    'spec.demo.from',
    /"Edge_1" is not a namespace name/,
  ],
  [
    'a path without its slash',
    GOOD.replace('path: /get', 'path: get'),
    20,
    'spec.demo.checks[1].path',
    /"get" is not a request path/,
  ],
  [
    'a path that would change the URL',
    GOOD.replace('path: /get', 'path: "/get x"'),
    20,
    'spec.demo.checks[1].path',
    /is not a request path/,
  ],
  [
    'before is neither works nor error',
    GOOD.replace('        before: works\n        after: works', '        before: ok\n        after: works'),
    22,
    'spec.demo.checks[1].before',
    /must be one of "works", "error"/,
  ],
  [
    'an expectation on a check without a name',
    GOOD.replace('        label: set up\n', '        label: set up\n        after: works\n'),
    17,
    'spec.demo.checks[0].name',
    /needs a name for the verdict/,
  ],
  [
    'two checks of one name',
    GOOD.replace('name: case 2', 'name: Case 1'),
    24,
    'spec.demo.checks[2].name',
    /"Case 1" is already used by checks\[1\]/,
  ],
  [
    'no check says what it must show',
    GOOD.replace(/ {8}(before|after): \w+\n/g, ''),
    17,
    'spec.demo.checks',
    /no check says what it must show/,
  ],
  ['a tab in the YAML', GOOD.replace('  name: demo', '\tname: demo'), 4, null, /invalid YAML/],
];

for (const [name, text, line, field, message] of rows) {
  t.test(`lab up --profile: ${name}`, async (t) => {
    const dir = tempDir(t, 'lab-profile');
    const file = join(dir, 'profile.yaml');
    writeFileSync(file, text);
    const lab_ = labName();
    const run = lab(['up', '--name', lab_, '--profile', file]);
    t.equal(run.status, 2, 'exit 2');
    const where = line === null ? '' : `:${line}`;
    const prefix = `prober: ${file}${where}: ${field ? `${field}: ` : ''}`;
    t.ok(run.stderr.startsWith(prefix), `starts with ${prefix}: ${run.stderr}`);
    t.match(run.stderr, message);
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.same(leftovers(lab_), [], 'nothing created');
  });
}

t.test('paths inside the working directory the command was given come back relative to it', async (t) => {
  t.same(parseLabProfile('/srv/lab/profile.yaml', GOOD, '/srv').manifests, ['lab/manifests']);
  t.same(parseLabProfile('lab/profile.yaml', GOOD, '/srv').demo?.test, 'lab/test.yaml', 'the file too is from there');
  t.same(parseLabProfile('/srv/lab/profile.yaml', GOOD, '/elsewhere').manifests, ['/srv/lab/manifests']);
});

t.test('the good profile loads: paths from its directory, checks in order', async (t) => {
  const profile = parseLabProfile('/srv/lab/profile.yaml', GOOD, process.cwd());
  t.same(profile.manifests, ['/srv/lab/manifests']);
  t.same(profile.programs, [{ image: 'registry.example/team/app', program: 'time-app' }]);
  t.equal(profile.demo?.test, '/srv/lab/test.yaml');
  t.same(profile.demo?.policies, ['/srv/lab/policies']);
  t.same(
    profile.demo?.checks.map((c) => c.name ?? c.path),
    ['/set', 'case 1', 'case 2'],
  );
  t.equal(
    parseLabProfile('p.yaml', GOOD.replace('    requiredBy: the seed\n', ''), process.cwd()).demo?.requiredBy,
    'the profile',
  );
});

t.test('a profile larger than 1 MiB is refused before it is parsed', async (t) => {
  const dir = tempDir(t, 'lab-profile');
  const file = join(dir, 'big.yaml');
  writeFileSync(file, `${GOOD}#${'x'.repeat(1024 * 1024)}\n`);
  const run = lab(['up', '--name', labName(), '--profile', file]);
  t.equal(run.status, 2);
  t.equal(run.stderr, `prober: ${file}: is larger than 1 MiB, the most a lab profile may hold\n`);
});

t.test('a missing profile is exit 2 and names the file', async (t) => {
  const run = lab(['up', '--name', labName(), '--profile', '/nonexistent/profile.yaml']);
  t.equal(run.status, 2);
  t.equal(run.stderr, 'prober: /nonexistent/profile.yaml: no such file\n');
});

t.test('lab demo refuses a profile without a demo, before anything is created', async (t) => {
  const dir = tempDir(t, 'lab-profile');
  const file = join(dir, 'profile.yaml');
  writeFileSync(file, GOOD.slice(0, GOOD.indexOf('  demo:')));
  const name = labName();
  const run = lab(['demo', '--name', name, '--profile', file]);
  t.equal(run.status, 2);
  t.match(run.stderr, /^prober: \S+profile\.yaml: spec\.demo: the profile has no demo/);
  t.same(leftovers(name), [], 'nothing created');
});

t.test('lab demo with -f but no --profile is a usage error: no story to tell', async (t) => {
  const run = lab(['demo', '--name', labName(), '-f', 'k8s']);
  t.equal(run.status, 2);
  t.match(run.stderr, /^prober: lab demo: -f names the manifests but no --profile tells the story/);
});
