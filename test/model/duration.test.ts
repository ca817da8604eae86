// Durations are read as kubectl reads them (Go's time.ParseDuration, go/src/time/format.go): several
// terms (`1m30s`), hours, fractions and micro/nanoseconds, still within each kind's range.

import t from 'tap';
import {
  AGENT_TIMEOUT,
  type DurationRange,
  formatDuration,
  PROBE_TIMEOUT,
  parseDuration,
  parseSettle,
  settleWindowMs,
} from '../../src/model/duration.ts';

/** A range as wide as a day from a millisecond, so that rows test the syntax alone. */
const DAY: DurationRange = { what: 'a test duration', minMs: 1, maxMs: 86_400_000 };
const ok = (text: string, range = DAY) => parseDuration(text, range);

t.test('Go syntax: terms add up, as time.ParseDuration adds them', async (t) => {
  const rows: [string, number][] = [
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['1500000us', 1500],
    ['1500000µs', 1500],
    ['1500000μs', 1500],
    ['2000000000ns', 2000],
    ['24h', 86_400_000],
    [' 90s ', 90_000],
  ];
  for (const [text, ms] of rows) t.same(ok(text), { ok: true, ms }, text);
  t.same(parseDuration('1m30s', PROBE_TIMEOUT), { ok: true, ms: 90_000 });
});

t.test('what Go refuses, and what prober refuses on top (a sign, spaces inside, no unit)', async (t) => {
  for (const text of ['', '1', '-1s', '+1s', '1 s', '1m 30s', 's', '.s', '1..5s', '1d', '1sm', '1S', 'soon', '1e3s'])
    t.same(ok(text), { ok: false, error: `"${text}" is not a duration (write e.g. 500ms, 2s, 1m30s or 2h)` }, text);
});

t.test('bounded: ranges hold across terms, and a text of a thousand digits is refused at once', async (t) => {
  t.same(ok('24h1ms', AGENT_TIMEOUT), {
    ok: false,
    error: '"24h1ms" is out of range: an agent timeout is from 1s to 24h',
  });
  t.same(parseDuration('10m1s', PROBE_TIMEOUT), {
    ok: false,
    error: '"10m1s" is out of range: a probe timeout is from 1ms to 10m',
  });
  t.equal(ok(`${'9'.repeat(1000)}h`).ok, false);
  t.equal(ok('1s'.repeat(100)).ok, false);
  // Go's zero duration: a bare 0 is a duration, which only a range that starts at 0 takes.
  t.same(parseDuration('0', PROBE_TIMEOUT), {
    ok: false,
    error: '"0" is out of range: a probe timeout is from 1ms to 10m',
  });
  t.same(parseSettle('0s'), { ok: true, ms: 0 });
  t.same(parseSettle('0.1s'), { ok: true, ms: 100 });
  t.equal(settleWindowMs(1000), 200);
});

t.test('formatted back as a person writes them', async (t) => {
  t.equal(formatDuration(86_400_000), '24h');
  t.equal(formatDuration(600_000), '10m');
  t.equal(formatDuration(1500), '1.5s');
  t.equal(formatDuration(7), '7ms');
});

t.test('a megabyte of digits is quoted cut short, so the error stays one short line', async (t) => {
  const parsed = parseDuration(`${'9'.repeat(1_000_000)}h`, DAY);
  t.equal(parsed.ok, false);
  if (!parsed.ok) {
    t.ok(parsed.error.length < 200, `${parsed.error.length} characters`);
    t.match(parsed.error, /^"9{50,}…" is not a duration/);
  }
});
