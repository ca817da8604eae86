// prober's probe pod (--agent=pod) carries its source's labels, so the Services selecting the source select
// it too, and the endpointslice controller lists it. Its readiness probe never passes: it is never
// published as ready (unless the Service publishes not-ready addresses, where only `serving` tells), and
// never counted as proof that a target is alive. The Kubernetes API server is the in-process fake
// (test/cluster/fake/), with an endpointslice controller that builds slices from the pods; the agents are
// the real `prober agent` in network namespaces.

import t from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { checkTargets } from '../../src/cluster/discovery.ts';
import { parseTarget } from '../../src/model/target.ts';
import { until } from '../helpers/wait.ts';
import { APP_URL, clusterLab, labRunArgs } from './fake/lab.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

// The second target is dropped in the client namespace: the probe pod lives at least its 5 s timeout.
const SLOW_SOURCE = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: probe-pod-endpoints }
spec:
  defaults: { attempts: 1 }
  sources:
    app: { namespace: c-app-count, selector: { app: pythonapp } }
  targets:
    app: { url: "${APP_URL}", timeout: 1s }
    dropped: { url: "tcp://10.77.0.1:9", timeout: 5s, liveness: none }
  expect:
    - { from: app, to: app, verdict: allow }
    - { from: app, to: dropped, verdict: deny }
`;

t.test(
  'the never-Ready probe pod is listed by the Services of its source, never as ready, never counted',
  async (t) => {
    const lab = await clusterLab(t);
    lab.pair.nft(
      lab.pair.client,
      `table inet prober_drop {
       chain input {
         type filter hook input priority 0; policy accept;
         tcp dport 9 drop
       }
     }`,
    );
    // A headless Service for peer discovery that publishes not-ready addresses, as StatefulSets use.
    lab.fake.addService({
      namespace: 'c-app-count',
      name: 'app-peers',
      selector: { app: 'pythonapp' },
      headless: true,
      publishNotReadyAddresses: true,
      ports: [{ name: 'http', port: 80 }],
    });
    const probeEndpoints = (): Json[] =>
      lab.fake
        .endpointSlices('c-app-count')
        .flatMap((slice) =>
          slice.endpoints
            .filter((e: Json) => e.targetRef.name.startsWith('prober-'))
            .map((e: Json) => ({ service: slice.metadata.labels['kubernetes.io/service-name'], ...e.conditions })),
        );
    const run = startProber(labRunArgs(lab, lab.testFile(SLOW_SOURCE), '--agent=pod'));
    const listed = await until(
      'the probe pod listed in the Services of its source',
      () => {
        const found = probeEndpoints();
        return found.length === 2 && found;
      },
      60_000,
    );
    t.same(
      listed,
      [
        { service: 'app-count-svc', ready: false, serving: false, terminating: false },
        { service: 'app-peers', ready: true, serving: false, terminating: false },
      ],
      'published as not ready, except where the Service publishes not-ready addresses',
    );
    // What prober's own check of the targets says while the probe pod is listed.
    const api = clientNodeApi(connect({ kubeconfig: lab.fake.kubeconfig, env: process.env }));
    const targets = ['http://app-count-svc.c-app-count.svc.cluster.local/', 'http://app-peers.c-app-count.svc/'].map(
      (url, i) => {
        const parsed = parseTarget(url);
        if (!parsed.ok) throw new Error(parsed.error);
        return { name: `t${i}`, address: parsed.value, liveness: 'auto' as const };
      },
    );
    t.same(probeEndpoints().length, 2, 'still listed when checked');
    const evidence = await checkTargets(api, targets);
    t.same(
      Object.fromEntries(evidence.alive),
      {
        t0: 'endpoints ready: 1 (Service c-app-count/app-count-svc)',
        t1: 'endpoints ready: 1 (Service c-app-count/app-peers)',
      },
      'only the workload pod counts',
    );
    const exit = await run.exited;
    t.equal(exit.code, 0, exit.stderr);
    t.same(lab.fake.everReady, [], 'the probe pod never reported Ready');
  },
);
