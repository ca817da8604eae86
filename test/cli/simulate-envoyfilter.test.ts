// `prober simulate` and `lint` over a cluster whose EnvoyFilter holds a local rate limit the engine does not
// reproduce (Envoy's per-descriptor buckets, as in Istio's local rate limit task): a rate limit decides no
// reachability verdict, so both run and warn, naming the file and the field, instead of stopping (exit 2).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const CLUSTER = `apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: web, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.9.0.1, podIPs: [{ip: 10.9.0.1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: web}
spec: {podSelector: {}}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: per-path, namespace: web}
spec:
  workloadSelector: {labels: {app: web}}
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.local_ratelimit
        typed_config:
          '@type': type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
          stat_prefix: http_local_rate_limiter
          token_bucket: {max_tokens: 100, tokens_per_fill: 100, fill_interval: 1s}
          descriptors:
          - entries: [{key: path, value: /api}]
            token_bucket: {max_tokens: 5, tokens_per_fill: 5, fill_interval: 60s}
`;

const dir = tempDir(t, 'simulate-envoyfilter');
writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
const WARNING = /cluster\.yaml:\d+: EnvoyFilter web\/per-path: .*descriptors: not supported.*not modelled/;

t.test('simulate decides the matrix and warns about the limit it does not model', async (t) => {
  const out = await cli(['simulate', '-f', 'cluster.yaml', '--port', '8080'], { cwd: dir });
  t.equal(out.status, 0, out.stderr);
  t.match(out.stderr, WARNING);
  t.match(out.stdout, /web\/web/);
});

t.test('lint reports the same and fails on nothing it was not asked to', async (t) => {
  const out = await cli(['lint', '-f', 'cluster.yaml', '--fail-on', 'error'], { cwd: dir });
  t.not(out.status, 2, out.stderr);
  t.match(`${out.stdout}${out.stderr}`, WARNING);
});
