// A target without `family` whose name has several addresses is connected as a client would: the next
// address on a failure, or after 250 ms without an answer (happy eyeballs, RFC 8305), and the cell
// names the address it reached or every address it tried. Runs in a namespace with its own hosts file.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { type NetnsPair, netnsPair } from '../helpers/netns.ts';
import { proberCommand } from '../helpers/prober.ts';
import { waitFor } from '../helpers/wait.ts';

type Cell = { observed: string; reason: string; detail?: string };

function probeIn(pair: NetnsPair, url: string): Cell {
  const [command, ...lead] = proberCommand();
  const out = pair.execIn(pair.client, command, [...lead, 'probe', '-o', 'json', '--timeout', '2s', url]);
  return JSON.parse(out.stdout).cells[0];
}

async function serveIn(t: Test, pair: NetnsPair, host: string, ports: string): Promise<void> {
  const [command, ...lead] = proberCommand();
  const server = pair.spawnIn(pair.client, command, [...lead, 'serve', '--port', ports, '--host', host]);
  let listening = false;
  createInterface({ input: server.stderr! }).on('line', (line) => {
    if (line.includes('listening')) listening = true;
  });
  await waitFor(`prober serve on ${host}`, () => listening);
  t.ok(listening);
}

t.test('an IPv4-only server behind a name that resolves to ::1 first', async (t) => {
  const pair = netnsPair(t);
  const etc = join('/etc/netns', pair.client);
  mkdirSync(etc, { recursive: true });
  t.teardown(() => rmSync(etc, { recursive: true, force: true }));
  writeFileSync(join(etc, 'hosts'), ['::1 dual.test', '127.0.0.1 dual.test', ''].join('\n'));
  await serveIn(t, pair, '127.0.0.1', '8081,8082');
  // ::1 port 8082 drops: a client waits 250 ms, then tries the next address as well.
  pair.nft(
    pair.client,
    `table inet prober_test {
       chain input { type filter hook input priority 0; policy accept; ip6 daddr ::1 tcp dport 8082 drop; }
     }`,
  );

  const refusedFirst = probeIn(pair, 'tcp://dual.test:8081');
  t.match(refusedFirst, { observed: 'allow', reason: 'connected' }, 'the next address after ::1 refused');
  t.match(
    refusedFirst.detail,
    /\[127\.0\.0\.1:8081 \(after \[::1\]:8081 refused\)\]$/,
    'the cell names the address reached, and what the first one did',
  );

  const http = probeIn(pair, 'http://dual.test:8081/');
  t.match(http, { observed: 'allow', reason: 'http-200' }, 'http:// too');

  const droppedFirst = probeIn(pair, 'tcp://dual.test:8082');
  t.match(droppedFirst, { observed: 'allow', reason: 'connected' }, 'the next address while ::1 stays silent');
  t.match(droppedFirst.detail, /\[127\.0\.0\.1:8082\]$/, 'the silent one is no failure yet: just the address reached');

  // ::1 refuses, 127.0.0.1 stays silent: a timeout that names what each address did.
  pair.nft(
    pair.client,
    `table ip prober_test4 {
       chain input { type filter hook input priority 0; policy accept; tcp dport 8084 drop; }
     }`,
  );
  const silentLast = probeIn(pair, 'tcp://dual.test:8084');
  t.match(silentLast, { observed: 'deny', reason: 'timeout' });
  t.match(silentLast.detail, /\[\[::1\]:8084 refused, 127\.0\.0\.1:8084\]$/, 'each address and what it did');

  const nobody = probeIn(pair, 'tcp://dual.test:8083');
  t.match(nobody, { observed: 'deny', reason: 'refused' }, 'every address refused: a deny');
  t.match(nobody.detail, /\[::1\]:8083 refused.*127\.0\.0\.1:8083 refused/, 'naming every address tried');
});
