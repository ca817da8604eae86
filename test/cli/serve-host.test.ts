// `prober serve --host ''` is refused: Node would take an empty host as "every interface", the
// opposite of what an unset variable in `--host "$HOST"` means to ask for.

import t from 'tap';
import { startBinary } from '../helpers/prober.ts';
import { waitFor } from '../helpers/wait.ts';

for (const host of ['', ' ']) {
  t.test(`--host ${JSON.stringify(host)}: exit 2 with one line, nothing listens`, async (t) => {
    const serve = startBinary(t, ['serve', '--port', '0', '--host', host]);
    await waitFor('serve to give up', () => serve.done(), 15_000);
    const { code, stdout, stderr } = await serve.exited;
    t.equal(code, 2);
    t.equal(stdout, '');
    t.equal(
      stderr,
      'prober: --host: empty; give the address to bind: 0.0.0.0 (every IPv4 address), :: (every address) or 127.0.0.1 (loopback only)\n',
    );
  });
}

t.test('--help says what --host takes', async (t) => {
  const help = (await startBinary(t, ['serve', '--help']).exited).stdout.replace(/\s+/g, ' ');
  t.match(
    help,
    /--host <address> address to bind: 0\.0\.0\.0 \(every IPv4 address, the default\), :: or 127\.0\.0\.1; never empty/,
  );
});
