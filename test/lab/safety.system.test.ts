// The lab as root meets hostile manifests and arguments: names are refused at load, files stay inside
// the lab's own directories, and `lab down` signals only processes that are still the lab's.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { LAB_FIXTURES, lab, labName, labUp, leftovers } from '../helpers/lab.ts';
import { tempDir } from '../helpers/temp.ts';

const RUN = '/run/prober-lab';

/** A bare Pod in `ns1` running the synthetic target, with its name and container name as given. */
function pod(name: string, container = 'main'): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${JSON.stringify(name)}
  namespace: ns1
  labels: { app: x }
spec:
  containers:
    - name: ${JSON.stringify(container)}
      image: example.com/x:1
      ports: [{ containerPort: 8080 }]
`;
}

/** Every file under `dir` (no symlinks followed). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

t.test('a Pod named with ../ is refused at load with file:line, and nothing is created or removed', async (t) => {
  const dir = tempDir(t, 'lab-victim');
  const victim = join(dir, 'victim');
  mkdirSync(victim);
  writeFileSync(join(victim, 'canary'), 'still here\n');
  // /etc/netns/<lab>-ns1-<pod> lands on the victim directory once the path is normalised.
  const file = join(dir, 'pod.yaml');
  writeFileSync(file, pod(`../../../..${victim}`));
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const up = lab(['up', '--name', name, '-f', file]);
  t.equal(up.status, 2, 'exit 2');
  t.match(
    up.stderr,
    /^prober: \S*pod\.yaml:4: metadata\.name: "\.\.\/\.\.\/[^\n]*" is not a valid Pod name: a lowercase RFC 1123 subdomain/,
  );
  t.equal(up.stderr.trim().split('\n').length, 1, 'one line');
  t.ok(existsSync(join(victim, 'canary')), 'the directory the name points at is untouched');
  t.same(leftovers(name), [], 'nothing created');
});

t.test('a container name with / is refused at load, and no log is written where it points', async (t) => {
  const dir = tempDir(t, 'lab-log');
  const target = join(dir, 'logtarget.log');
  const name = labName();
  // The log used to be <run dir>/logs/<pod>.<container>.log: walk up from there to the target.
  const logs = join(RUN, name, 'logs');
  let container = '';
  for (let up = 1; up < 12 && join(logs, `web.${container}.log`) !== target; up++)
    container = `${'../'.repeat(up)}${dir.slice(1)}/logtarget`;
  t.equal(join(logs, `web.${container}.log`), target, 'the name points at the target');
  const file = join(dir, 'pod.yaml');
  writeFileSync(file, pod('web', container));
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const up = lab(['up', '--name', name, '-f', file]);
  t.equal(up.status, 2, 'exit 2');
  t.match(
    up.stderr,
    /^prober: \S*pod\.yaml:9: spec\.containers\[0\]\.name: "[^\n]*" is not a valid container name: a lowercase RFC 1123 label/,
  );
  t.notOk(existsSync(target), 'no log outside the lab');
  t.same(leftovers(name), [], 'nothing created');
});

t.test(
  'a ConfigMap mounted by httpd outside /usr/local/apache2 lands inside the lab, never at its host path',
  async (t) => {
    const dir = tempDir(t, 'lab-mount');
    const cron = join(dir, 'cron.d');
    const file = join(dir, 'apache.yaml');
    writeFileSync(
      file,
      `apiVersion: v1
kind: ConfigMap
metadata: { name: conf, namespace: ns1 }
data:
  httpd.conf: |
    ServerRoot "\${APACHERR_ROOT}"
    Listen 8080
    ServerName web.ns1
    LoadModule mpm_event_module modules/mod_mpm_event.so
    <IfModule !unixd_module>
        LoadModule unixd_module modules/mod_unixd.so
    </IfModule>
    LoadModule authz_core_module modules/mod_authz_core.so
    User www-data
    Group www-data
    PidFile logs/httpd.pid
    DefaultRuntimeDir logs
    ErrorLog /proc/self/fd/2
    DocumentRoot "\${APACHERR_ROOT}/htdocs"
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cron, namespace: ns1 }
data:
  prober-job: "* * * * * root touch /tmp/prober-cron-ran\\n"
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ns1 }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: httpd
          image: httpd:2.4
          ports: [{ containerPort: 8080 }]
          volumeMounts:
            - { name: conf, mountPath: /usr/local/apache2/conf }
            - { name: cron, mountPath: ${JSON.stringify(cron)} }
      volumes:
        - { name: conf, configMap: { name: conf } }
        - { name: cron, configMap: { name: cron } }
`,
    );
    const name = labName();
    labUp(t, name, [file]);
    t.notOk(existsSync(cron), 'nothing written at the mount path on the host');
    const inside = filesUnder(join(RUN, name, 'pods')).filter((f) => f.endsWith('/prober-job'));
    t.equal(inside.length, 1, 'the ConfigMap file is inside the lab');
    t.ok(inside[0]?.endsWith(`/httpd${cron}/prober-job`), `under the container's own directory: ${inside[0]}`);
  },
);

/** A state file that a `--name` walking out of the run directory would find, naming a lab of its own. */
function plantState(t: Test, dir: string): { name: string; state: string; planted: string } {
  const planted = `${labName()}-planted`;
  t.teardown(() => rmSync(join(RUN, planted), { recursive: true, force: true }));
  const state = join(dir, 'state.json');
  const topology = {
    lab: planted,
    nodeNetns: `${planted}-node`,
    nodeIp: '10.244.0.1',
    prefixLength: 16,
    namespaces: [],
    pods: [],
    services: [],
    extraHosts: [],
  };
  writeFileSync(
    state,
    JSON.stringify({ lab: planted, createdAt: 'PLANTED', manifests: [], topology, programs: [], policies: [] }),
  );
  return { name: `../..${dir}`, state, planted };
}

const traversal: [string, (name: string, dir: string) => string[]][] = [
  ['status', (name) => ['status', '--name', name]],
  ['apply', (name) => ['apply', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-policies')]],
  ['reset', (name) => ['reset', '--name', name]],
  ['test', (name) => ['test', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-test.yaml')]],
  ['up', (name) => ['up', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic')]],
  ['down', (name) => ['down', '--name', name]],
  ['demo', (name) => ['demo', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic')]],
];

for (const [command, args] of traversal) {
  t.test(`lab ${command} --name ../../x is refused before anything is read or written`, async (t) => {
    const dir = tempDir(t, 'lab-name');
    const { name, state, planted } = plantState(t, dir);
    t.equal(join(RUN, name, 'state.json'), state, 'the name points at the planted state');
    const before = statSync(state).mtimeMs;
    const run = lab(args(name, dir));
    t.equal(run.status, 2, 'exit 2');
    t.match(run.stderr, /^prober: --name: "\.\.\/\.\.\/[^\n]*" is not a lab name/);
    t.notMatch(run.stdout, /PLANTED|planted/, 'the planted state was not read');
    t.notOk(existsSync(join(RUN, planted)), 'nor used to write a lab of its own');
    t.equal(statSync(state).mtimeMs, before, 'nor written');
    t.same(readdirSync(dir), ['state.json'], 'nothing created next to it');
  });
}

t.test("lab down leaves alone a process whose PID state.json names but that is not the lab's", async (t) => {
  const name = labName();
  labUp(t, name, [join(LAB_FIXTURES, 'synthetic')]);
  const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
  t.teardown(() => {
    bystander.kill('SIGKILL');
  });
  // Still running, not merely unreaped (this process is its parent and blocks while `lab` runs).
  const running = (pid: number): boolean => {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    return /\) [RSD] /.test(stat);
  };
  const file = join(RUN, name, 'state.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as { programs: { pod: string; kind: string; pid: number }[] };
  const program = state.programs.find((p) => p.pod === 'db-0' && p.kind === 'synthetic')!;
  program.pid = bystander.pid!;
  writeFileSync(file, JSON.stringify(state));
  const down = lab(['down', '--name', name]);
  t.equal(down.status, 0, 'down succeeds');
  t.match(
    down.stderr,
    new RegExp(`pid ${bystander.pid} \\(db-0/db\\) is no longer the process the lab started: left alone`),
  );
  t.ok(running(bystander.pid!), 'the unrelated process was not signalled: it still runs');
  t.same(leftovers(name), [], 'the lab itself is gone, its real process included');
});

t.test("lab down of a name that prefixes another lab's name leaves that lab alone", async (t) => {
  const short = labName();
  const long = `${short}-b`;
  t.teardown(() => {
    lab(['down', '--name', short]);
  });
  labUp(t, long, [join(LAB_FIXTURES, 'synthetic')]);
  const before = leftovers(long);
  t.ok(before.length > 6, 'the longer lab is up');
  const down = lab(['down', '--name', short]);
  t.equal(down.status, 0);
  t.match(down.stderr, /nothing to remove/);
  t.same(leftovers(long), before, 'every namespace, file and process of the other lab is still there');
  t.equal(lab(['status', '--name', long]).status, 0, 'and it is still up');
  const up = lab(['up', '--name', short, '-f', join(LAB_FIXTURES, 'synthetic')]);
  t.equal(up.status, 2, 'a lab whose namespaces would mix with a running one is refused');
  t.match(up.stderr, new RegExp(`^prober: lab "${short}" would share network namespace names with lab "${long}"`));
  t.same(
    leftovers(short).filter((l) => !l.includes(long)),
    [],
    'and leaves nothing',
  );
  t.same(leftovers(long), before, 'nor touches the running lab');
});
