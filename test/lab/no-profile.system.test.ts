// The lab works for manifests brought without a profile: the repository's own manifests, read as any
// user's, stand up with prober's synthetic target where the profile would run the time app, and
// `lab test` judges them like a cluster run, before and after the NetworkPolicy.

import { join } from 'node:path';
import t from 'tap';
import { lab, labName, labUp } from '../helpers/lab.ts';
import { ROOT } from '../helpers/prober.ts';

const name = labName();
// -f without --profile: no profile at all (and so no time app runtime needed).
labUp(t, name, [join(ROOT, 'k8s')]);
const expectations = join(ROOT, 'policies', 'expectations.yaml');

t.test('images prober knows run their programs; the time app image, unknown here, the synthetic target', async (t) => {
  const status = lab(['status', '--name', name]);
  t.equal(status.status, 0);
  t.match(status.stdout, /c-app-count\/pythonapp-0 .* time-app=synthetic\n/);
  t.match(status.stdout, /b-apacherr\/apacherr-0 .* httpd=apache webdis=webdis\n/);
  t.match(status.stdout, /d-redis\/redis-0 .* redis=redis\n/);
});

t.test('lab test with no policy: everything allowed, as the policy model says', async (t) => {
  const run = lab(['test', '--name', name, '-f', expectations, '--expect', 'policies', '--no-color']);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /16 cells: 12 pass, 0 fail, 0 error, 4 unchecked — exit 0/);
});

t.test('lab test with the NetworkPolicy: written intent, model and observation agree', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', join(ROOT, 'policies', 'networkpolicy')]);
  t.equal(apply.status, 0, apply.stderr);
  const run = lab(['test', '--name', name, '-f', expectations, '--expect', 'both', '--no-color']);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /16 cells: 16 pass, 0 fail, 0 error, 0 unchecked — exit 0/);
});
