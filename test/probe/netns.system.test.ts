// Outcomes through real kernel filtering: two network namespaces on a veth link, nftables in between.

import { createInterface } from 'node:readline';
import t from 'tap';
import { parseAgentOutput } from '../../src/model/plan.ts';
import { netnsPair } from '../helpers/netns.ts';
import { proberCommand } from '../helpers/prober.ts';
import { waitFor } from '../helpers/wait.ts';

t.test(
  'nftables drop → timeout, reject with tcp reset → refused, icmp reject → unreachable, egress drop in the source → timeout',
  async (t) => {
    const pair = netnsPair(t);
    const [command, ...lead] = proberCommand();
    const server = pair.spawnIn(pair.server, command, [
      ...lead,
      'serve',
      '--port',
      '8080,8081,8082,8083,8084',
      '--host',
      pair.serverIp,
    ]);
    let listening = false;
    createInterface({ input: server.stderr! }).on('line', (line) => {
      if (line.includes('listening')) listening = true;
    });
    await waitFor('prober serve in the server namespace', () => listening);

    pair.nft(
      pair.server,
      `table inet prober_test {
       chain input {
         type filter hook input priority 0; policy accept;
         tcp dport 8081 drop
         tcp dport 8082 reject with tcp reset
         tcp dport 8083 reject with icmp type host-unreachable
       }
     }`,
    );
    pair.nft(
      pair.client,
      `table inet prober_test {
       chain output {
         type filter hook output priority 0; policy accept;
         tcp dport 8084 drop
       }
     }`,
    );

    const plan = {
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 'client',
      defaults: { timeoutMs: 700, attempts: 1, concurrency: 8 },
      probes: [8080, 8081, 8082, 8083, 8084].flatMap((port) => [
        { id: `tcp-${port}`, url: `tcp://${pair.serverIp}:${port}` },
        { id: `redis-${port}`, url: `redis://${pair.serverIp}:${port}` },
      ]),
    };
    const env = JSON.stringify(plan);
    const { stdout, status } = pair.execIn(pair.client, 'env', [`PROBER_PLAN=${env}`, command, ...lead, 'agent']);
    t.equal(status, 0, 'agent exits 0 when the plan ran');
    const { results, complete } = parseAgentOutput(stdout);
    t.ok(complete, 'agent printed its AgentDone line');
    const rows: [string, string, string][] = [
      ['tcp-8080', 'allow', 'connected'],
      ['redis-8080', 'allow', 'pong'],
      ['tcp-8081', 'deny', 'timeout'],
      ['redis-8081', 'deny', 'timeout'],
      ['tcp-8082', 'deny', 'refused'],
      ['redis-8082', 'deny', 'refused'],
      ['tcp-8083', 'deny', 'unreachable'],
      ['redis-8083', 'deny', 'unreachable'],
      // Egress filtered inside the source's own namespace looks like a CNI's drop: the SYN never leaves.
      ['tcp-8084', 'deny', 'timeout'],
      ['redis-8084', 'deny', 'timeout'],
    ];
    const planned = plan.probes.map((probe) => probe.id).sort();
    t.same(rows.map(([id]) => id).sort(), planned, 'every planned probe has its expected outcome here');
    t.same([...results.keys()].sort(), planned, 'the agent reported every planned probe, once');
    for (const [id, observed, reason] of rows) {
      t.match(results.get(id), { observed, reason }, `${id}: ${observed} (${reason})`);
    }
    t.ok((results.get('tcp-8081')?.latencyMs ?? 0) >= 690, 'a dropped SYN waits for the timeout');
  },
);
