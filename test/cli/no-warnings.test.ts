// Node warnings never reach the user's stderr: inputs that used to make Node print one.
import { createServer } from 'node:https';
import t from 'tap';
import { makeCertificate } from '../cluster/fake/tls.ts';
import { listen } from '../helpers/peers.ts';
import { startBinary } from '../helpers/prober.ts';

t.test('an https target given by IP address: no DEP0123 warning (SNI takes host names only)', async (t) => {
  const server = createServer(makeCertificate(), (_req, res) => res.end('ok'));
  const port = await listen(t, server as never);
  // Asynchronous spawn: the target runs in this process and must answer while prober waits.
  const { code, stdout, stderr } = await startBinary(t, ['probe', `https://127.0.0.1:${port}/`]).exited;
  t.equal(code, 0, stderr);
  t.match(stdout, /allow \(http-200\)/);
  t.equal(stderr, '', 'nothing on stderr');
});
