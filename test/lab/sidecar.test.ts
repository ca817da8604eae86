// The lab's sidecar, as text: which ports are HTTP (Istio's port naming), what the capture rules
// redirect and skip, and what HAProxy is told to do with a denied or a plaintext source.

import { join } from 'node:path';
import t from 'tap';
import { readManifestObjects } from '../../src/config/manifest-files.ts';
import { captureRuleset, sidecarPorts, sidecarProgram } from '../../src/lab/sidecar.ts';
import { deriveTopology } from '../../src/lab/topology.ts';
import { inputIo } from '../helpers/input-io.ts';
import { LAB_FIXTURES } from '../helpers/lab.ts';

const { objects } = await readManifestObjects([join(LAB_FIXTURES, 'mesh')], inputIo());
const topology = deriveTopology('lab', objects);
const pod = (name: string) => topology.pods.find((p) => p.name === `${name}-0`)!;

t.test('ports: HTTP by the Service port name (or the container port name), else TCP', async (t) => {
  t.same(sidecarPorts(topology, pod('web')), [{ port: 8080, http: true, proxyPort: 15100 }]);
  // `tcp-redis` on the Service, `redis` on the container: plain TCP, as Istio reads them.
  t.same(sidecarPorts(topology, pod('redis')), [{ port: 6379, http: false, proxyPort: 15100 }]);
});

t.test('capture: inbound to the app port, the pod to itself and to its own Service; not the node', async (t) => {
  const redis = pod('redis');
  const rules = captureRuleset(topology, redis, sidecarPorts(topology, redis));
  t.match(rules, `ip saddr ${topology.nodeIp} return`);
  t.match(rules, 'iifname != "lo" tcp dport 6379 redirect to :15100');
  t.match(rules, `ip daddr ${redis.ip} tcp dport 6379 redirect to :15100`);
  const service = topology.services.find((s) => s.name === 'redis')!;
  t.match(rules, `ip daddr ${service.clusterIp} tcp dport 6379 redirect to :15100`);
  t.match(rules, 'ip saddr 127.0.0.6 return', "the sidecar's own connections to the app pass");
  t.match(rules, 'iifname != "lo" tcp dport 6379 reject with tcp reset', 'connections from before the capture end');
});

t.test('config: L4 deny on the first data, L7 deny 403, plaintext refused at accept', async (t) => {
  const config = (name: string, access: Parameters<typeof sidecarProgram>[3]) =>
    sidecarProgram(topology, pod(name), '/run/x', access).files[0]!.content;
  const open = config('redis', new Map());
  t.match(open, 'acl allowed always_true');
  t.match(open, `server app ${pod('redis').ip}:6379 source 127.0.0.6`);
  const app = pod('app').ip;
  const l4 = config('redis', new Map([[6379, { allow: [app], refuse: [] }]]));
  t.match(l4, `acl allowed src ${topology.nodeIp} ${topology.nodeIp6} ${app}\n`);
  t.match(l4, 'tcp-request content accept if allowed\n  tcp-request content reject if { req.len gt 0 }');
  t.notMatch(l4, 'refused');
  const client = pod('client').ip;
  const l7 = config('web', new Map([[8080, { allow: [app], refuse: [client] }]]));
  t.match(l7, 'mode http');
  t.match(l7, 'http-request deny deny_status 403 content-type text/plain string "RBAC: access denied" if !allowed');
  t.match(l7, `acl refused src ${client}\n  tcp-request connection reject if refused`);
});
