// The programs a manifest configures run without root: as the lab's uid, in a mount namespace where
// only their own directories can be written, so a log path in a ConfigMap cannot write on the host.

import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { lab, labName, labUp, leftovers } from '../helpers/lab.ts';
import { tempDir } from '../helpers/temp.ts';

const RUN = '/run/prober-lab';
const LAB_UID = 65532;
const LAB_GID = 65532;

/** An httpd main config listening on `listen`, logging errors to `errorLog`. */
function httpdConf(listen: number, errorLog: string): string {
  return `    ServerRoot "\${APACHERR_ROOT}"
    Listen ${listen}
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
    ErrorLog ${errorLog}
    DocumentRoot "\${APACHERR_ROOT}/htdocs"
`;
}

/** A webdis ConfigMap named `name` logging to `logfile`. */
function webdisConf(name: string, logfile: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: ns1 }
data:
  webdis.json: |
    { "redis_host": "127.0.0.1", "redis_port": 6379, "http_host": "127.0.0.1", "http_port": 7379,
      "threads": 1, "pool_size": 1, "daemonize": false, "database": 0, "verbosity": 4,
      "logfile": ${JSON.stringify(logfile)} }
`;
}

/**
 * A redis pod (first, so its directory exists when the others start), a pod of httpd (port 80) and
 * webdis, and a pod of webdis alone (`bridge`), each configured by its own ConfigMap.
 */
function manifests(errorLog: string, webdisLog: string, bridgeLog: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: ns1 }
spec:
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers: [{ name: redis, image: redis:7, ports: [{ containerPort: 6379 }] }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: conf, namespace: ns1 }
data:
  httpd.conf: |
${httpdConf(80, errorLog)}---
${webdisConf('webdis', webdisLog)}---
${webdisConf('bridge', bridgeLog)}---
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
          command: [httpd, -DFOREGROUND, -f, /usr/local/apache2/conf/httpd.conf]
          ports: [{ containerPort: 80 }]
          volumeMounts: [{ name: conf, mountPath: /usr/local/apache2/conf }]
        - name: webdis
          image: nicolas/webdis:0.1.22
          volumeMounts: [{ name: webdis, mountPath: /etc/webdis }]
      volumes:
        - { name: conf, configMap: { name: conf } }
        - { name: webdis, configMap: { name: webdis } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: bridge, namespace: ns1 }
spec:
  selector: { matchLabels: { app: bridge } }
  template:
    metadata: { labels: { app: bridge } }
    spec:
      containers:
        - name: webdis
          image: nicolas/webdis:0.1.22
          volumeMounts: [{ name: bridge, mountPath: /etc/webdis }]
      volumes: [{ name: bridge, configMap: { name: bridge } }]
`;
}

/** A path the test must never see created, removed at teardown in case it is. */
function canary(t: Test, path: string): string {
  t.teardown(() => rmSync(path, { force: true }));
  return path;
}

/** The Uid:, Gid:, Groups: and CapEff: lines of a process. */
function identity(pid: number): { uid: string; gid: string; groups: string; capEff: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups'), capEff: field('CapEff') };
}

/** The PIDs of a process group (Apache's workers are in its group). */
function groupOf(leader: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === leader;
      } catch {
        return false;
      }
    })
    .map(Number);
}

t.test("an httpd ErrorLog outside the container's directory is not written: Apache does not start", async (t) => {
  const dir = tempDir(t, 'lab-errorlog');
  const name = labName();
  const target = canary(t, `/etc/prober-pwned-${name}`);
  const file = join(dir, 'web.yaml');
  writeFileSync(file, manifests(target, '/dev/stderr', '/dev/stderr'));
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const up = lab(['up', '--name', name, '-f', file]);
  t.notOk(existsSync(target), `${target} was not created`);
  t.equal(up.status, 2, 'lab up fails: exit 2');
  t.match(up.stderr, /apache of web-0 exited: .*could not open error log file/, "with Apache's own reason");
  t.same(leftovers(name), [], 'and removes what it made');
});

t.test('redis, httpd and webdis run as the lab uid, write only their own directories, and work', async (t) => {
  const dir = tempDir(t, 'lab-uid');
  const name = labName();
  // Another program's directory belongs to the same uid, and /tmp is writable by every user: only
  // the mount namespace keeps webdis from writing there.
  const redisDir = join(RUN, name, 'pods', `${name}-ns1-db-0`, 'redis');
  const webdisLog = join(redisDir, 'pwned');
  const bridgeLog = canary(t, `/tmp/prober-pwned-${name}`);
  const file = join(dir, 'web.yaml');
  writeFileSync(file, manifests('/proc/self/fd/2', webdisLog, bridgeLog));
  labUp(t, name, [file]);
  t.ok(existsSync(redisDir), "redis's directory exists");
  t.notOk(existsSync(webdisLog), `webdis did not create ${webdisLog} in the redis container's directory`);
  t.notOk(existsSync(bridgeLog), `the other webdis did not create ${bridgeLog}`);
  const state = JSON.parse(readFileSync(join(RUN, name, 'state.json'), 'utf8')) as {
    programs: { kind: string; pod: string; container: string; pid: number }[];
  };
  const programs = state.programs.filter((p) => ['redis', 'apache', 'webdis'].includes(p.kind));
  t.same(programs.map((p) => p.kind).sort(), ['apache', 'redis', 'webdis', 'webdis'], 'the four programs run');
  for (const program of programs) {
    const pids = groupOf(program.pid);
    t.ok(pids.includes(program.pid), `${program.kind} leads its process group`);
    for (const pid of pids) {
      t.same(
        identity(pid),
        {
          uid: `${LAB_UID}\t${LAB_UID}\t${LAB_UID}\t${LAB_UID}`,
          gid: `${LAB_GID}\t${LAB_GID}\t${LAB_GID}\t${LAB_GID}`,
          groups: '',
          capEff: '0000000000000000',
        },
        `${program.kind} pid ${pid}: the lab's uid and gid, no groups, no capabilities`,
      );
    }
    const own = join(RUN, name, 'pods', `${name}-ns1-${program.pod}`, program.container);
    t.equal(statSync(own).uid, LAB_UID, `${program.kind} owns its directory ${own}`);
  }
  // Apache wrote its pid file in its own directory, and answered on port 80 (lab up waited for it).
  const pidFile = join(RUN, name, 'pods', `${name}-ns1-web-0`, 'httpd', 'apache2', 'logs', 'httpd.pid');
  t.equal(statSync(pidFile).uid, LAB_UID, 'the pid file is written, by the lab uid');
});
