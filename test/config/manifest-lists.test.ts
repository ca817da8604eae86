// Lists in manifest files — kubectl's `kind: List` and the API's typed lists (`PodList`) — are read
// as their items, each at its own line, by every reader of manifests (simulate, check, run, the lab).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readManifestObjects } from '../../src/config/manifest-files.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

const FILE = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: shop }
  - apiVersion: v1
    kind: PodList
    items:
      - apiVersion: v1
        kind: Pod
        metadata: { name: web-1, namespace: shop }
---
apiVersion: apps/v1
kind: DeploymentList
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: api, namespace: shop }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: shop }
data: { items: "not a list" }
`;

t.test('List, a typed list inside it and a typed list on its own are read as their objects', async (t) => {
  const dir = tempDir(t, 'lists');
  writeFileSync(join(dir, 'lists.yaml'), FILE);
  const { objects } = await readManifestObjects(['lists.yaml'], inputIo(dir));
  t.same(
    objects.map((o) => [(o.value as { kind: string }).kind, o.source]),
    [
      ['Service', 'lists.yaml:4'],
      ['Pod', 'lists.yaml:10'],
      ['Deployment', 'lists.yaml:17'],
      ['ConfigMap', 'lists.yaml:21'],
    ],
  );
  t.equal(objects[1]!.locate(['metadata', 'name']), 'lists.yaml:12', 'fields of a nested item keep their lines');
});
