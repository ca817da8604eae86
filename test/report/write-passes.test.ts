// What writing a report costs in passes and writes: JUnit goes over the cells once when none is checked,
// and the writer hands the stream whole characters in batches, however the text is chunked.
import { Writable } from 'node:stream';
import t from 'tap';
import type { Cell } from '../../src/model/matrix.ts';
import { streamReport } from '../../src/model/report.ts';
import { DEFAULTS, type ReachabilityTest } from '../../src/model/test-spec.ts';
import { writeChunks, writeReport } from '../../src/report/write.ts';

/** A simulate-like report of unchecked cells whose `rows()` counts how often the cells are produced. */
function uncheckedReport(size: number) {
  const names = Array.from({ length: size }, (_, i) => `ns/w${i}`);
  const test: ReachabilityTest = {
    name: 'simulate',
    file: '<memory>',
    defaults: DEFAULTS,
    sources: names.map((name) => ({ name, local: false })),
    targets: names.map((name) => ({
      name,
      address: { scheme: 'tcp', host: name.slice(3), port: 80, path: '', url: `tcp://${name.slice(3)}:80` },
      liveness: 'none',
    })),
    rules: [],
    expectFromPolicies: false,
  };
  const passes = { count: 0 };
  function* rows(): Generator<Cell[]> {
    passes.count++;
    for (const from of names)
      yield names.map((to) => ({
        from,
        to,
        url: `tcp://${to.slice(3)}:80`,
        expected: null,
        rule: null,
        observed: 'allow',
        reason: 'connected',
        latencyMs: 0,
        attempts: 1,
        result: 'unchecked',
        explanation: 'no rule names this cell',
      }));
  }
  const metadata = { backend: 'simulated' as const, startedAt: 'now', durationMs: 0, proberVersion: 'test' };
  return { report: streamReport({ test, metadata, rows }), passes };
}

/** A stream keeping every write as the bytes it was given. */
function keeper(): { stream: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk);
      done();
    },
  });
  return { stream, writes };
}

t.test('JUnit of a matrix with no checked cell produces the cells once, and lists none', async (t) => {
  const { report, passes } = uncheckedReport(30);
  const out = keeper();
  const outcome = await writeReport(report, 'junit', { color: false }, out.stream);
  t.equal(passes.count, 1, 'counting found nothing to write: no second pass over 900 cells');
  t.equal(outcome.counts.unchecked, 900);
  const xml = Buffer.concat(out.writes).toString('utf8');
  t.match(xml, /tests="0" failures="0" errors="0"/);
  t.notMatch(xml, /<testcase/);
  t.match(xml, /<\/testsuite>\n<\/testsuites>\n$/);
});

t.test('chunks of multi-byte text are written whole, in batches, and a huge chunk passes intact', async (t) => {
  function* chunks(): Generator<string, string> {
    for (let i = 0; i < 20_000; i++) yield `→${i}✓ `;
    yield 'é'.repeat(400_000);
    yield 'end\n';
    return 'done';
  }
  const out = keeper();
  t.equal(await writeChunks(chunks(), out.stream), 'done');
  let expected = '';
  for (let i = 0; i < 20_000; i++) expected += `→${i}✓ `;
  expected += `${'é'.repeat(400_000)}end\n`;
  t.equal(Buffer.concat(out.writes).toString('utf8'), expected, 'every byte, in order');
  t.ok(
    out.writes.every((w) => !w.toString('utf8').includes('\ufffd')),
    'no write ends or starts inside a character',
  );
  t.ok(out.writes.length < 30, `batched: ${out.writes.length} writes for 20,002 chunks`);
});
