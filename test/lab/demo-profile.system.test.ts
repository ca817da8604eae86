// `lab demo` told by a profile other than the repository's: the synthetic cluster, checks from gamma
// to beta's api, their before/after judged by name, wording and paths from the profile's own directory.

import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, leftovers } from '../helpers/lab.ts';
import { tempDir } from '../helpers/temp.ts';

/** A profile in `dir` whose paths are relative to it; `apiAfter` is what the api check must show with the policies. */
function profile(dir: string, apiAfter: 'works' | 'error'): string {
  const fixtures = relative(dir, LAB_FIXTURES);
  const file = join(dir, 'synthetic-profile.yaml');
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: LabProfile
metadata: { name: synthetic }
spec:
  manifests: [${fixtures}/synthetic]
  demo:
    requiredBy: the synthetic story
    from: gamma
    host: api.beta.svc.cluster.local
    policies: [${fixtures}/synthetic-policies]
    test: ${fixtures}/synthetic-test.yaml
    checks:
      - { path: /status/204, label: "a step, not judged" }
      - { name: the api, path: /, label: "gamma → api", before: works, after: ${apiAfter} }
      - { name: a 503, path: /status/503, label: an error answer, before: error, after: error }
`,
  );
  return file;
}

t.test('the story holds: checks and both matrices as the profile says, exit 0', async (t) => {
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const run = lab(['demo', '--name', name, '--profile', profile(tempDir(t, 'demo-profile'), 'error'), '--no-color']);
  t.equal(run.status, 0, run.stderr);
  const [before, after] = run.stdout.split(/The synthetic story's checks from gamma, with /);
  t.match(
    before,
    /The synthetic story's checks from gamma, no policy \(curl http:\/\/api\.beta\.svc\.cluster\.local\/…\):/,
  );
  t.match(before, /\n {2}works {4}\/ {16}gamma → api .*HTTP 200/);
  t.match(before, /\n {2}error {4}\/status\/503 .*HTTP 503/);
  t.match(after, /\n {2}error {4}\/ {16}gamma → api /, 'the api is cut off from gamma by the policies');
  t.match(
    run.stdout,
    /\nThe api gets an error and a 503 still gets an error, as the synthetic story requires\.\n/,
    'the verdict names the checks of the profile',
  );
  t.same(leftovers(name), [], 'the demo took the lab down');
});

t.test('a check that does not show what the profile says: exit 1 and the requirement named', async (t) => {
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const run = lab(['demo', '--name', name, '--profile', profile(tempDir(t, 'demo-profile'), 'works'), '--no-color']);
  t.equal(run.status, 1, run.stderr);
  t.match(run.stdout, /\nThe synthetic story's requirement does NOT hold: see the checks above\.\n/);
  t.same(leftovers(name), [], 'the demo took the lab down');
});

t.test('-o json: stdout holds only the two reports, one JSON document each; the story goes to stderr', async (t) => {
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const run = lab(['demo', '--name', name, '--profile', profile(tempDir(t, 'demo-profile'), 'error'), '-o', 'json']);
  t.equal(run.status, 0, run.stderr);
  // Each report is a pretty-printed object: only a document's first line starts with "{".
  const documents = run.stdout.split(/^(?=\{)/m);
  t.equal(documents.length, 2, 'two documents: no policy, then with the policies');
  const reports = documents.map((d) => JSON.parse(d) as { kind: string; metadata: { backend: string } });
  t.same(
    reports.map((r) => [r.kind, r.metadata.backend]),
    [
      ['ReachabilityReport', 'lab'],
      ['ReachabilityReport', 'lab'],
    ],
  );
  t.match(run.stderr, /The synthetic story's checks from gamma, no policy/, 'the checks on stderr');
  t.match(run.stderr, /The api gets an error and a 503 still gets an error, as the synthetic story requires\./);
  t.same(leftovers(name), [], 'the demo took the lab down');
});

t.test('-o junit is refused before the lab is made: two reports would make no one XML document', async (t) => {
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const run = lab(['demo', '--name', name, '--profile', profile(tempDir(t, 'demo-profile'), 'error'), '-o', 'junit']);
  t.equal(run.status, 2);
  t.match(run.stderr, /^prober: lab demo -o junit: /);
  t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
  t.same(leftovers(name), [], 'nothing made');
});
