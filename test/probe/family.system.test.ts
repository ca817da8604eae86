// Probing one IP family: the name is resolved for the family asked, the connection goes over it, and a
// name (or address) without an address of that family is error/no-address with the addresses it has,
// never a deny (on dns:// the family is the record asked for, and a name without one is resolved). Runs in a network namespace whose own hosts file gives names of one or both families.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { type ProbePlan, parseAgentOutput } from '../../src/model/plan.ts';
import { netnsPair } from '../helpers/netns.ts';
import { proberCommand } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

t.test('family ipv4, ipv6 and names without an address of the family', async (t) => {
  const pair = netnsPair(t);
  const ns = pair.client;
  // `ip netns exec` mounts /etc/netns/<ns>/hosts over /etc/hosts for the programs it starts.
  const etc = join('/etc/netns', ns);
  mkdirSync(etc, { recursive: true });
  t.teardown(() => rmSync(etc, { recursive: true, force: true }));
  writeFileSync(join(etc, 'hosts'), ['127.0.0.1 both.test v4only.test', '::1 both.test v6only.test', ''].join('\n'));
  const [command, ...lead] = proberCommand();
  // `::` takes both families on one socket.
  const server = pair.spawnIn(ns, command, [...lead, 'serve', '--port', '8080', '--host', '::']);
  let listening = false;
  createInterface({ input: server.stderr! }).on('line', (line) => {
    if (line.includes('listening')) listening = true;
  });
  await waitFor('prober serve in the namespace', () => listening);

  const probes: ProbePlan['probes'] = [
    { id: 'v4', url: 'tcp://both.test:8080', family: 'ipv4' },
    { id: 'v6', url: 'tcp://both.test:8080', family: 'ipv6' },
    { id: 'http-v6', url: 'http://both.test:8080/', family: 'ipv6' },
    { id: 'v4only-as-v6', url: 'tcp://v4only.test:8080', family: 'ipv6' },
    { id: 'v6only-as-v4', url: 'redis://v6only.test:8080', family: 'ipv4' },
    { id: 'literal-as-v6', url: 'tcp://127.0.0.1:8080', family: 'ipv6' },
    { id: 'no-such-name', url: 'tcp://nothing.test:8080', family: 'ipv6' },
    { id: 'dns-v6', url: 'dns://both.test', family: 'ipv6' },
    { id: 'dns-v4only-as-v6', url: 'dns://v4only.test', family: 'ipv6' },
    { id: 'dns-typed', url: 'dns://both.test?type=A' },
  ];
  const plan: ProbePlan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'family',
    defaults: { timeoutMs: 1000, attempts: 1, concurrency: 8 },
    probes,
  };
  const file = join(tempDir(t, 'family'), 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  const run = pair.execIn(ns, command, [...lead, 'agent', '--plan', file]);
  const { results, complete } = parseAgentOutput(run.stdout);
  t.ok(complete, 'the agent finished');
  const got = (id: string) => results.get(id);
  t.match(got('v4'), { observed: 'allow', reason: 'connected', detail: /127\.0\.0\.1:8080/ });
  t.match(got('v6'), { observed: 'allow', reason: 'connected', detail: /\[::1\]:8080/ });
  t.match(got('http-v6'), { observed: 'allow', reason: 'http-200', detail: /\[::1\]:8080/ });
  t.match(got('v4only-as-v6'), {
    observed: 'error',
    reason: 'no-address',
    detail: 'v4only.test has no IPv6 address: it resolves to 127.0.0.1',
  });
  t.match(got('v6only-as-v4'), { observed: 'error', reason: 'no-address', detail: /v6only\.test has no IPv4 address/ });
  t.match(got('literal-as-v6'), {
    observed: 'error',
    reason: 'no-address',
    detail: /127\.0\.0\.1 has no IPv6 address/,
  });
  t.match(got('no-such-name'), { observed: 'error', reason: 'dns' }, 'an unknown name stays a DNS error');
  t.match(got('dns-v6'), { observed: 'allow', reason: 'resolved', detail: '::1' });
  // On dns:// the family is the record asked for: a name without one is an answer, not a missing address.
  t.match(got('dns-v4only-as-v6'), {
    observed: 'allow',
    reason: 'resolved',
    detail: 'v4only.test exists but has no AAAA address (it resolves to 127.0.0.1)',
  });
  t.match(got('dns-typed'), { observed: 'allow', reason: 'resolved', detail: '127.0.0.1' }, 'type=A keeps its own');
});
