// The system resolver against a silent nameserver: the real binary in a network namespace whose
// resolv.conf names a server behind an nftables drop must end at the probe's deadline, not the resolver's.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { type NetnsPair, netnsPair } from '../helpers/netns.ts';
import { ROOT, requireBinary, startProcess } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

/** Time for the binary to start and print on a loaded machine; glibc's own wait (5 s × 2 tries) is longer. */
const MARGIN_MS = 5_000;
/** How late past its deadline a run may end on a loaded machine: timers fire late, the report is written. */
const DEADLINE_SLACK_MS = 150;

/**
 * A client namespace whose only nameserver (the server namespace) drops every DNS packet: glibc's
 * default `timeout:5 attempts:2` holds each lookup for about 10 s, far past the probes' deadlines.
 */
function silentResolver(t: Test, options = ''): NetnsPair {
  const pair = netnsPair(t);
  pair.nft(
    pair.server,
    `table inet silent {
  chain input {
    type filter hook input priority 0;
    udp dport 53 drop
    tcp dport 53 drop
  }
}
`,
  );
  const dir = `/etc/netns/${pair.client}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/resolv.conf`, `nameserver ${pair.serverIp}\n${options}`);
  // A name the hosts file answers: getaddrinfo never asks the silent nameserver for it.
  writeFileSync(`${dir}/hosts`, `127.0.0.1 localhost\n${pair.serverIp} peer.lab\n`);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return pair;
}

/** Runs the binary in the client namespace; fails unless it exits within `deadlineMs`. */
async function runWithin(t: Test, ns: string, args: readonly string[], deadlineMs: number) {
  const run = startProcess(['ip', 'netns', 'exec', ns, requireBinary(), ...args], { cwd: '/' });
  t.teardown(() => {
    if (!run.done()) run.child.kill('SIGKILL');
  });
  await waitFor(`prober ${args[0]} to exit within ${deadlineMs} ms`, () => run.done(), deadlineMs);
  return run.exited;
}

t.test('names through a silent system resolver: every probe ends at its timeout', async (t) => {
  const pair = silentResolver(t);
  const urls = [
    'dns://some.name',
    'http://web.name/',
    'https://tls.name/',
    'tcp://db.name:5432',
    'redis://cache.name',
    'udp://log.name:514',
  ];
  const exit = await runWithin(t, pair.client, ['probe', '--timeout', '1s', '-o', 'json', ...urls], 1_000 + MARGIN_MS);
  const cells = (
    JSON.parse(exit.stdout) as { cells: { to: string; observed: string; reason: string; detail: string }[] }
  ).cells;
  t.match(
    cells.find((c) => c.to === 'dns://some.name'),
    { observed: 'deny', reason: 'timeout', detail: /system resolver did not answer within 1000ms/ },
    'a dns:// probe the resolver stayed silent for is a timeout',
  );
  for (const url of urls.slice(1))
    t.match(
      cells.find((c) => c.to === url),
      { observed: 'error', reason: 'dns', detail: /name resolution took longer than 1000ms|lookup/ },
      `${url}: a name not resolved by the deadline is error/dns, never a deny`,
    );
});

t.test('lookups a silent resolver holds leave room for a name the hosts file answers', async (t) => {
  const pair = silentResolver(t);
  const hung = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => `dns://${n}.example`);
  // Seven probes at a time: the hosts-file name starts only once the seven lookups hang past their deadline.
  const args = ['probe', '--timeout', '1s', '--concurrency', '7', '-o', 'json', ...hung, 'tcp://peer.lab:9'];
  const exit = await runWithin(t, pair.client, args, 2_000 + MARGIN_MS);
  const cells = (JSON.parse(exit.stdout) as { cells: { to: string; observed: string; reason: string }[] }).cells;
  t.match(
    cells.find((c) => c.to === 'tcp://peer.lab:9'),
    { observed: 'deny', reason: 'refused' },
    'the name resolved from the hosts file and the closed port answered with a reset',
  );
});

t.test('a matrix of 100 dns:// cells against a silent resolver ends within timeout × attempts', async (t) => {
  const pair = silentResolver(t);
  const names = Array.from({ length: 100 }, (_, i) => `    n${i}: { url: "dns://name-${i}.example" }`);
  const file = join(tempDir(t, 'dns-deadline'), 'test.yaml');
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: silent-resolver }
spec:
  defaults: { timeout: 1s, attempts: 2, concurrency: 100 }
  sources: { here: { local: true } }
  targets:
${names.join('\n')}
  expect:
    - { from: here, to: "*", verdict: allow }
`,
  );
  // Two attempts of 1 s each and a backoff of at most 1 s between them.
  const exit = await runWithin(t, pair.client, ['check', '-f', file, '-o', 'json'], 3_000 + MARGIN_MS);
  t.equal(exit.code, 2, 'no cell could be decided as allowed');
  const cells = (JSON.parse(exit.stdout) as { cells: { observed: string; reason: string; detail: string }[] }).cells;
  t.equal(cells.length, 100);
  // Trust rule 2: nothing proves these names alive, so even a silence the resolver had the whole timeout
  // for is error/target-down; a lookup that never got a slot was never asked and is error/dns.
  const silent = cells.filter((c) => c.reason === 'target-down');
  t.ok(
    silent.every((c) => c.observed === 'error' && /resolver did not answer within 1000ms/.test(c.detail)),
    'the lookups that got a slot saw the resolver silent for the whole timeout',
  );
  t.ok(silent.length > 0 && silent.length <= 8, `at most the eight lookup slots asked the resolver (${silent.length})`);
  const unasked = cells.filter((c) => c.reason !== 'target-down');
  t.ok(
    unasked.every((c) => c.observed === 'error' && c.reason === 'dns' && /lookup slots were held/.test(c.detail)),
    'a lookup that never got a slot (the resolver was not asked) is error/dns, never a deny',
  );
});

t.test('a queued lookup whose callers all gave up is never made', async (t) => {
  // glibc gives up after 1 s here, so the two lookups holding the slots end soon after the deadline.
  const pair = silentResolver(t, 'options timeout:1 attempts:1\n');
  const script = join(tempDir(t, 'lookup-queue'), 'queue.ts');
  writeFileSync(
    script,
    `import { lookupAll, lookupsRunning, lookupSlots } from ${JSON.stringify(join(ROOT, 'src', 'probe', 'lookup.ts'))};
const held = [lookupAll('one.example'), lookupAll('two.example')];
let giveUp = () => {};
const queued = lookupAll('three.example', (cleanup) => { giveUp = cleanup; });
const before = { slots: lookupSlots(), running: lookupsRunning(), queued: queued.queued(), waited: queued.waited };
giveUp();
const codes = await Promise.all(held.map((h) => h.addresses.then(() => 'answered', (e) => e.code)));
console.log(JSON.stringify({ before, codes, runningAfter: lookupsRunning() }));
process.exit(0);
`,
  );
  const run = startProcess(['ip', 'netns', 'exec', pair.client, process.execPath, script]);
  t.teardown(() => {
    if (!run.done()) run.child.kill('SIGKILL');
  });
  await waitFor('the lookups to end', () => run.done(), 2_000 + MARGIN_MS + 10_000);
  const exit = await run.exited;
  t.same(
    JSON.parse(exit.stdout),
    {
      before: { slots: 2, running: 2, queued: true, waited: true },
      codes: ['EAI_AGAIN', 'EAI_AGAIN'],
      runningAfter: 0,
    },
    exit.stderr,
  );
});

t.test('a probe decides at its own deadline: the report is done within about the timeout', async (t) => {
  const pair = silentResolver(t);
  const exit = await runWithin(
    t,
    pair.client,
    ['probe', '--timeout', '1s', '-o', 'json', 'dns://some.name'],
    1_000 + MARGIN_MS,
  );
  const report = JSON.parse(exit.stdout) as {
    metadata: { durationMs: number };
    cells: { observed: string; reason: string; latencyMs: number }[];
  };
  t.match(report.cells, [{ observed: 'deny', reason: 'timeout' }], 'a classified outcome, not a throw');
  // The run's own clock, free of the binary's start on a loaded machine: the deadline and a timer's slack.
  t.ok(report.metadata.durationMs <= 1_000 + DEADLINE_SLACK_MS, `the run took ${report.metadata.durationMs} ms`);
  t.equal(exit.code, 0, exit.stderr);
});

t.test('a tcp:// probe of an address is not held up by lookups a silent resolver holds', async (t) => {
  const pair = silentResolver(t);
  // The peer listens: a connection to it is an allow as soon as the handshake and settle are done.
  pair.spawnIn(pair.server, process.execPath, [
    '-e',
    "require('node:net').createServer((s) => s.on('error', () => {})).listen(7000, '0.0.0.0')",
  ]);
  await waitFor(
    'the peer to listen',
    () => pair.execIn(pair.server, 'ss', ['-Hltn', 'sport = :7000']).stdout.includes('7000'),
    5_000,
  );
  // Twenty names hang in the resolver (more than the eight lookup slots), the address is probed beside them.
  const hung = Array.from({ length: 20 }, (_, i) => `dns://hung-${i}.example`);
  const target = `tcp://${pair.serverIp}:7000`;
  const args = ['probe', '--timeout', '1s', '--settle', '0', '--concurrency', '21', '-o', 'json', ...hung, target];
  const exit = await runWithin(t, pair.client, args, 1_000 + MARGIN_MS);
  const cells = (JSON.parse(exit.stdout) as { cells: { to: string; observed: string; latencyMs: number }[] }).cells;
  const tcp = cells.find((c) => c.to === target);
  t.match(tcp, { observed: 'allow' }, 'the address was reached');
  t.ok((tcp?.latencyMs ?? Infinity) < 500, `it took ${tcp?.latencyMs} ms, not a lookup's deadline`);
  t.equal(cells.filter((c) => c.to.startsWith('dns://')).length, 20);
});

// A run that leaves lookups behind ends by execve: of the system shell (`sh -c 'exit N'`), or, where there
// is none (a distroless image), of prober itself as a stand-in. Either way the verdict is the exit code.
for (const shell of [true, false])
  t.test(
    `lookups left behind: the exit code is the verdict ${shell ? 'through the shell' : 'without a shell'}`,
    async (t) => {
      const pair = silentResolver(t);
      for (const [expect, code] of [
        ['deny', 0],
        ['allow', 1],
      ] as const) {
        const args = ['probe', '--timeout', '1s', '--liveness', 'none', '--expect', expect, 'dns://some.name'];
        // Without a shell: /bin/sh (dash) is covered by /dev/null, which nobody may execute, in a mount
        // namespace of this run only.
        const argv = shell
          ? ['ip', 'netns', 'exec', pair.client, requireBinary(), ...args]
          : [
              'unshare',
              '--mount',
              '--propagation',
              'private',
              '--',
              'bash',
              '-c',
              'mount --bind /dev/null "$(readlink -f /bin/sh)" && exec "$@"',
              'bash',
              'ip',
              'netns',
              'exec',
              pair.client,
              requireBinary(),
              ...args,
            ];
        const run = startProcess(argv, { cwd: '/' });
        t.teardown(() => {
          if (!run.done()) run.child.kill('SIGKILL');
        });
        await waitFor(`prober to exit (--expect ${expect})`, () => run.done(), 1_000 + MARGIN_MS);
        const exit = await run.exited;
        t.equal(exit.code, code, `--expect ${expect}: ${exit.stderr}`);
      }
    },
  );
