// ConfigMap volume features the lab does not implement (items, subPath, subPathExpr) are refused at
// `lab up` with file:line and field, exit 2, before anything is created — not run differently.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { lab, labName, leftovers } from '../helpers/lab.ts';
import { tempDir } from '../helpers/temp.ts';

/** A Deployment mounting ConfigMap `conf`; `volume` and `mount` are extra YAML lines (8 and 12 spaces in). */
function manifest(volume: string, mount: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: { name: conf, namespace: ns1 }
data: { a.conf: "x", b.conf: "y" }
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
        - name: main
          image: example.com/web:1
          ports: [{ containerPort: 8080 }]
          volumeMounts:
            - name: conf
              mountPath: /etc/web
${mount}      volumes:
        - name: conf
          configMap:
            name: conf
${volume}`;
}

/** [row, extra volume lines, extra mount lines, the expected error after "prober: <file>:"] */
const rows: [string, string, string, RegExp][] = [
  [
    'configMap.items',
    '            items: [{ key: a.conf, path: sub/renamed.conf }]\n',
    '',
    /^25: spec\.template\.spec\.volumes\[0\]\.configMap\.items: the lab does not implement ConfigMap items \(key → path\)/,
  ],
  [
    'subPath',
    '',
    '              subPath: a.conf\n',
    /^21: spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.subPath: the lab does not implement subPath for ConfigMap volumes/,
  ],
  [
    'subPathExpr',
    '',
    '              subPathExpr: $(POD_NAME)\n',
    /^21: spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.subPathExpr: the lab does not implement subPathExpr/,
  ],
];

for (const [row, volume, mount, error] of rows) {
  t.test(`a ConfigMap volume with ${row}: one line with file:line and field, exit 2, nothing made`, async (t) => {
    const file = join(tempDir(t, 'lab-unsupported'), 'web.yaml');
    writeFileSync(file, manifest(volume, mount));
    const name = labName();
    t.teardown(() => {
      lab(['down', '--name', name]);
    });
    const up = lab(['up', '--name', name, '-f', file]);
    t.equal(up.status, 2, 'exit 2');
    t.equal(up.stderr.trim().split('\n').length, 1, `one line: ${up.stderr}`);
    t.ok(up.stderr.startsWith(`prober: ${file}:`), 'names the file');
    t.match(up.stderr.slice(`prober: ${file}:`.length), error);
    t.same(leftovers(name), [], 'nothing created');
  });
}

t.test('a whole ConfigMap mounted at a directory still comes up', async (t) => {
  const file = join(tempDir(t, 'lab-unsupported'), 'web.yaml');
  writeFileSync(file, manifest('', ''));
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const up = lab(['up', '--name', name, '-f', file]);
  t.equal(up.status, 0, up.stderr);
});
