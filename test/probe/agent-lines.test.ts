// The one-shot agent's output: every result line and AgentDone, with the lines that land in one
// event-loop turn written together (a pipe write per line was most of an agent's time on 20,000 probes).

import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { parseAgentOutput } from '../../src/model/plan.ts';
import { runAgent } from '../../src/orchestration/agent.ts';
import { capturedIo } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const PROBES = 40;

t.test('an agent writes every line, the lines of one turn in one write, AgentDone last', async (t) => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const file = join(tempDir(t, 'agent-lines'), 'plan.json');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 'here',
      defaults: { timeoutMs: 5000, attempts: 1, concurrency: PROBES, settleMs: 0 },
      probes: Array.from({ length: PROBES }, (_, i) => ({ id: `p${i}`, url: `tcp://127.0.0.1:${port}` })),
    }),
  );
  const io = capturedIo();
  const writes: string[] = [];
  const write = io.stdout.write.bind(io.stdout);
  io.stdout.write = ((chunk: string) => {
    writes.push(chunk);
    return write(chunk);
  }) as typeof io.stdout.write;

  t.equal(await runAgent({ plan: file, clientTimeoutMs: 10_000 }, io), 0);
  const output = parseAgentOutput(io.text().stdout);
  t.equal(output.results.size, PROBES, 'a line per probe');
  t.ok(
    [...output.results.values()].every((result) => result.observed === 'allow'),
    'every probe connected',
  );
  t.ok(output.done, 'AgentDone');
  t.match(io.text().stdout, /"kind":"AgentDone"[^\n]*\n$/, 'AgentDone is the last line');
  t.ok(
    writes.every((chunk) => chunk.endsWith('\n')),
    'every write ends a line',
  );
  t.ok(writes.length < PROBES, `${PROBES + 1} lines in ${writes.length} writes`);
});
