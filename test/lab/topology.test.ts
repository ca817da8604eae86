// Deriving the lab from manifests: two pods whose names would give the same network namespace are
// refused at the second one's file:line, naming both (`a-b`/`c` and `a`/`b-c` are both `lab-a-b-c`).

import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import { deriveTopology } from '../../src/lab/topology.ts';

const pod = (namespace: string, name: string, source: string) => ({
  value: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c' }] } },
  source,
});

t.test('two pods that would share a network namespace', async (t) => {
  const error = t.throws(() => deriveTopology('lab', [pod('a-b', 'c', 'one.yaml:1'), pod('a', 'b-c', 'two.yaml:9')]));
  t.type(error, ConfigError);
  t.equal(
    String(error),
    'two.yaml:9: metadata.name: pod a/b-c would share the network namespace lab-a-b-c with pod a-b/c (one.yaml:1)',
  );
});

t.test('distinct names get distinct namespaces', async (t) => {
  const topology = deriveTopology('lab', [pod('a-b', 'c', 'one.yaml:1'), pod('a', 'b-d', 'two.yaml:9')]);
  t.same(
    topology.pods.map((p) => p.netns),
    ['lab-a-b-c', 'lab-a-b-d'],
  );
});
