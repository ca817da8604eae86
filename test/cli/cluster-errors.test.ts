// A cluster prober cannot reach is one line and exit 2 from the single binary, matched by class across its lazy imports.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { closedPort } from '../helpers/peers.ts';
import { ROOT, startBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

t.test('an unreachable API server: its one-line message and exit 2, without the wrapped cause', async (t) => {
  // The KubeApiError is thrown by cluster code the binary loads with `await import()`; the CLI matches
  // its class. A miss would fall through to the generic handler, which appends the cause ("fetch failed").
  const port = await closedPort();
  const kubeconfig = join(tempDir(t, 'kubeconfig'), 'config');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}` } }],
      users: [{ name: 'u', user: { token: 'unused' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  const test = join(ROOT, 'policies', 'expectations.yaml');
  const { code, stdout, stderr } = await startBinary(t, ['run', '-f', test, '--kubeconfig', kubeconfig]).exited;
  t.equal(code, 2, 'could not decide');
  t.equal(stdout, '', 'no report');
  t.equal(
    stderr,
    `prober: cannot reach the Kubernetes API server at https://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    'exactly the error the cluster code wrote',
  );
});
