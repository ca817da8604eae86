// writeChunks on a real pipe whose reader leaves: the writing stops, the generator still runs to its verdict.
import { spawn } from 'node:child_process';
import t from 'tap';
import { writeChunks } from '../../src/report/write.ts';

/** 2,000 chunks of 1 KB (far more than a pipe holds), counting how many were produced; returns the count. */
function* chunks(counter: { made: number }): Generator<string, number> {
  for (let i = 0; i < 2000; i++) {
    counter.made++;
    yield `${'x'.repeat(1023)}\n`;
  }
  return counter.made;
}

t.test('a reader that leaves mid-report: every chunk is still produced and the verdict returned', async (t) => {
  // `head -c 1` reads one byte and exits: the pipe fills, prober waits for a 'drain', the write fails with EPIPE.
  const head = spawn('head', ['-c', '1'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const counter = { made: 0 };
  const errors: string[] = [];
  // The entry point listens for errors on stdout; here the test does, as an unheard 'error' would throw.
  head.stdin.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? ''));
  const result = await writeChunks(chunks(counter), head.stdin);
  t.equal(result, 2000, 'the generator ran to its end and its value is returned');
  t.equal(counter.made, 2000);
  t.ok(errors.includes('EPIPE'), 'the reader really left');
});

t.test('an output already closed: nothing is written, the verdict still returned', async (t) => {
  const head = spawn('true', [], { stdio: ['pipe', 'ignore', 'ignore'] });
  head.stdin.on('error', () => undefined);
  head.stdin.destroy();
  const counter = { made: 0 };
  t.equal(await writeChunks(chunks(counter), head.stdin), 2000);
});
