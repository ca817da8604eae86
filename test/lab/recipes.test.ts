// Where the recipes put a container's ConfigMap files: always below the container's own directory,
// whatever the mountPath says (/usr/local/apache2 is rebuilt there, anything else relocated too).

import t from 'tap';
import { containerPath } from '../../src/lab/programs/program.ts';
import { programFor } from '../../src/lab/programs/recipes.ts';
import type { LabContainer, LabPod } from '../../src/lab/topology-types.ts';

const DIR = '/run/prober-lab/x/pods/x-ns1-web-0/main';

function context(image: string, mounts: Record<string, string>, command: string[] = []) {
  const container: LabContainer = {
    name: 'main',
    image,
    command,
    args: [],
    env: {},
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    volumeMounts: Object.keys(mounts).map((name) => ({ name, mountPath: mounts[name]! })),
  };
  const pod: LabPod = {
    namespace: 'ns1',
    name: 'web-0',
    workload: 'ns1/web',
    labels: {},
    serviceAccount: 'default',
    node: 'node-a',
    netns: 'x-ns1-web-0',
    ip: '10.244.0.2',
    ips: ['10.244.0.2', 'fd00:10:244::2'],
    containers: [container],
    configVolumes: Object.fromEntries(Object.keys(mounts).map((name) => [name, { [`${name}.conf`]: 'data' }])),
    source: 'web.yaml:1',
  };
  return { pod, container, dir: DIR, prober: ['prober'] };
}

/** [row name, image, mount path, where the file must land] */
const rows: [string, string, string, string][] = [
  [
    'httpd: below /usr/local/apache2',
    'httpd:2.4',
    '/usr/local/apache2/conf/apacherr',
    `${DIR}/apache2/conf/apacherr/a.conf`,
  ],
  ['httpd: /etc/cron.d', 'httpd:2.4', '/etc/cron.d', `${DIR}/etc/cron.d/a.conf`],
  [
    'httpd: a traversal out of the server root',
    'httpd:2.4',
    '/usr/local/apache2/../../../etc/cron.d',
    `${DIR}/etc/cron.d/a.conf`,
  ],
  ['httpd: a relative path', 'httpd:2.4', 'etc/cron.d', `${DIR}/etc/cron.d/a.conf`],
  ['webdis: its config', 'nicolas/webdis:0.1.22', '/etc/webdis', `${DIR}/etc/webdis/a.conf`],
  ['webdis: a traversal', 'nicolas/webdis:0.1.22', '/../../../../etc/cron.d', `${DIR}/etc/cron.d/a.conf`],
];

for (const [name, image, mountPath, want] of rows) {
  t.test(name, async (t) => {
    const spec = programFor(context(image, { a: mountPath }));
    const file = spec.files.find((f) => f.path.endsWith('/a.conf'));
    t.equal(file?.path, want);
    for (const f of spec.files) t.ok(f.path.startsWith(`${DIR}/`), `${f.path} is inside the container's directory`);
    for (const d of spec.dirs) t.ok(d === DIR || d.startsWith(`${DIR}/`), `${d} is inside`);
    for (const [link] of spec.links) t.ok(link.startsWith(`${DIR}/`), `${link} is inside`);
  });
}

t.test("httpd: the command's paths follow their mounts into the container's directory", async (t) => {
  const spec = programFor(
    context('httpd:2.4', { a: '/usr/local/apache2/conf/x', b: '/etc/extra' }, [
      'httpd',
      '-DFOREGROUND',
      '-f',
      '/usr/local/apache2/conf/x/httpd.conf',
      '-C',
      'Include /etc/extra/b.conf',
      '/etc/extra/b.conf',
    ]),
  );
  t.same(spec.argv.slice(1, 6), [
    '-DFOREGROUND',
    '-f',
    `${DIR}/apache2/conf/x/httpd.conf`,
    '-C',
    'Include /etc/extra/b.conf',
  ]);
  t.equal(spec.argv[6], `${DIR}/etc/extra/b.conf`, 'an argument naming a mounted file is relocated');
});

t.test('containerPath resolves .. inside the container first', async (t) => {
  t.equal(containerPath(DIR, '/'), DIR);
  t.equal(containerPath(DIR, '/../..'), DIR);
  t.equal(containerPath(DIR, '/a/../../b'), `${DIR}/b`);
});

t.test(
  'an unknown image runs prober serve on its TCP and UDP port numbers, each once; SCTP ports are left out',
  async (t) => {
    const ctx = context('example.com/dns:1', {});
    const container: LabContainer = {
      ...ctx.container,
      ports: [
        { containerPort: 53, protocol: 'UDP' },
        { containerPort: 53, protocol: 'TCP' },
        { containerPort: 5353, protocol: 'UDP' },
        { containerPort: 9999, protocol: 'SCTP' },
      ],
    };
    const spec = programFor({ ...ctx, container });
    t.equal(spec.kind, 'synthetic');
    t.same(spec.argv.slice(1, 4), ['serve', '--port', '53,5353']);
  },
);
