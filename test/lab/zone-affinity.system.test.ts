// The Pippo/Paperino example in the lab: 10 client pods and 6 cache pods on four nodes in two zones.
// Each Pippo pod opens 100 connections to a Service and counts which Paperino pod answered (prober
// serve's x-pod-name). With trafficDistribution: PreferClose every answer comes from its own zone
// (and every Paperino pod of that zone answers, as test/e2e/network/traffic_distribution.go asks);
// without it answers spread over both zones; when zone-a's Paperino pods stop, zone-a falls back to
// zone-b (pkg/proxy/topology.go, topologyModeFromHints). internalTrafficPolicy: Local never falls back.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { ROOT } from '../helpers/prober.ts';

const REQUESTS = 100;
const name = labName();
labUp(t, name, [join(ROOT, 'examples', 'zone-affinity'), join(LAB_FIXTURES, 'zone-local.yaml')]);

interface StatePod {
  namespace: string;
  name: string;
  netns: string;
  node: string;
  labels: Record<string, string>;
}
const topology = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8')).topology as {
  pods: StatePod[];
  nodes: { name: string; zone?: string }[];
};
const zoneOf = (pod: StatePod): string => topology.nodes.find((n) => n.name === pod.node)?.zone ?? '?';
const byName = new Map(topology.pods.map((p) => [p.name, p]));
const pippo = topology.pods.filter((p) => p.labels.app === 'pippo');
const paperino = topology.pods.filter((p) => p.labels.app === 'paperino');

// Runs in a pod's network namespace: `count` requests, each on a new connection (the DNAT choice is
// per connection), ten at a time; prints the answering pod's name per request ("error" when none). The
// timeout is generous: on a loaded host an answer may be slow, and who answers is what is measured.
const CLIENT = `
const http = require('node:http');
const [url, count] = [process.argv[1], Number(process.argv[2])];
const one = () => new Promise((resolve) => {
  const req = http.get(url, { agent: false, timeout: 10000 }, (res) => { res.resume(); resolve(res.headers['x-pod-name'] ?? 'none'); });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => resolve('error'));
});
(async () => {
  const answers = [];
  for (let i = 0; i < count; i += 10) answers.push(...await Promise.all(Array.from({ length: Math.min(10, count - i) }, one)));
  process.stdout.write(JSON.stringify(answers));
})();`;

/** Which pod answered each of `count` requests from `pod` to `url`. */
function answers(pod: StatePod, url: string, count = REQUESTS): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, '-e', CLIENT, url, String(count)]);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`exit ${code}`)),
    );
  });
}

/** Every Pippo pod's answers, in parallel; and how long the whole round took. */
async function round(service: string, count = REQUESTS): Promise<{ per: Map<StatePod, string[]>; ms: number }> {
  const started = performance.now();
  const url = `http://${service}.zones.svc.cluster.local/`;
  const all = await Promise.all(pippo.map((p) => answers(p, url, count)));
  return { per: new Map(pippo.map((p, i) => [p, all[i]!])), ms: performance.now() - started };
}

/** The fraction of answers from the client's own zone, over every client. */
function sameZone(per: Map<StatePod, string[]>): number {
  let same = 0;
  let total = 0;
  for (const [client, names] of per) {
    for (const n of names) {
      total++;
      if (byName.has(n) && zoneOf(byName.get(n)!) === zoneOf(client)) same++;
    }
  }
  return same / total;
}

t.test('the example spreads both Deployments over both zones', async (t) => {
  t.equal(pippo.length, 10);
  t.equal(paperino.length, 6);
  for (const zone of ['zone-a', 'zone-b']) {
    t.equal(pippo.filter((p) => zoneOf(p) === zone).length, 5, `5 pippo pods in ${zone}`);
    t.equal(paperino.filter((p) => zoneOf(p) === zone).length, 3, `3 paperino pods in ${zone}`);
  }
  t.match(lab(['status', '--name', name]).stdout, /zones\/pippo-0 .* node node-a1 \(zone-a\)/);
});

t.test('PreferClose: every Pippo pod is answered by each Paperino pod of its zone, and only those', async (t) => {
  const { per, ms } = await round('paperino');
  for (const [client, names] of per) {
    const local = paperino.filter((p) => zoneOf(p) === zoneOf(client)).map((p) => p.name);
    t.same(
      names.filter((n) => !local.includes(n)),
      [],
      `${client.name} (${zoneOf(client)}): ${REQUESTS} answers, all from ${local.join(', ')}`,
    );
    t.same([...new Set(names)].sort(), [...local].sort(), `${client.name}: every same-zone endpoint answered`);
  }
  t.equal(sameZone(per), 1);
  t.comment(`PreferClose: ${pippo.length} × ${REQUESTS} requests, same zone ${sameZone(per)}, ${Math.round(ms)} ms`);
});

t.test('without trafficDistribution answers come from both zones', async (t) => {
  const { per, ms } = await round('paperino-anywhere');
  for (const [client, names] of per) {
    t.same(
      names.filter((n) => !byName.has(n)),
      [],
      `${client.name}: every request answered by a pod`,
    );
    const zones = new Set(names.filter((n) => byName.has(n)).map((n) => zoneOf(byName.get(n)!)));
    t.same([...zones].sort(), ['zone-a', 'zone-b'], `${client.name}: both zones answer`);
  }
  const fraction = sameZone(per);
  // Half the endpoints are in each zone: about 0.5; 1000 answers keep it well inside these bounds.
  t.ok(fraction > 0.35 && fraction < 0.65, `same zone ${fraction}`);
  t.comment(`no distribution: ${pippo.length} × ${REQUESTS} requests, same zone ${fraction}, ${Math.round(ms)} ms`);
});

t.test('internalTrafficPolicy Local and PreferSameNode keep answers on the client node', async (t) => {
  for (const service of ['paperino-local', 'paperino-same-node']) {
    const { per } = await round(service, 20);
    for (const [client, names] of per) {
      const onNode = paperino.filter((p) => p.node === client.node).map((p) => p.name);
      t.same(
        names.filter((n) => !onNode.includes(n)),
        [],
        `${service}: ${client.name} on ${client.node} answered by ${onNode.join(', ')}`,
      );
    }
  }
});

t.test('when zone-a has no Paperino left, zone-a falls back to zone-b; Local drops', async (t) => {
  const zoneA = paperino.filter((p) => zoneOf(p) === 'zone-a');
  const stop = lab(['stop', '--name', name, ...zoneA.map((p) => `zones/${p.name}`)]);
  t.equal(stop.status, 0, stop.stderr);
  t.match(lab(['status', '--name', name]).stdout, new RegExp(`zones/${zoneA[0]!.name} .*\\(stopped\\)`));
  const { per, ms } = await round('paperino');
  const zoneB = paperino.filter((p) => zoneOf(p) === 'zone-b').map((p) => p.name);
  for (const [client, names] of per)
    t.same(
      names.filter((n) => !zoneB.includes(n)),
      [],
      `${client.name} (${zoneOf(client)}): answered by zone-b only`,
    );
  const fromA = [...per].filter(([c]) => zoneOf(c) === 'zone-a');
  t.equal(fromA.length, 5);
  t.comment(`fallback: zone-a clients answered by zone-b, same zone ${sameZone(per)}, ${Math.round(ms)} ms`);

  const sameNode = await round('paperino-same-node', 20);
  for (const [client, names] of sameNode.per) {
    const expected =
      zoneOf(client) === 'zone-a' ? zoneB : paperino.filter((p) => p.node === client.node).map((p) => p.name);
    t.same(
      names.filter((n) => !expected.includes(n)),
      [],
      `PreferSameNode: ${client.name} falls back to its zone, then to every zone`,
    );
  }
  const local = await round('paperino-local', 5);
  for (const [client, names] of local.per) {
    const expected =
      zoneOf(client) === 'zone-a' ? ['error'] : paperino.filter((p) => p.node === client.node).map((p) => p.name);
    t.same(
      names.filter((n) => !expected.includes(n)),
      [],
      `Local: ${client.name} ${zoneOf(client) === 'zone-a' ? 'gets no answer (dropped, no fallback)' : 'is still answered on its node'}`,
    );
  }
});
