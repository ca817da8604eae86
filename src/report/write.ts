// Writes a rendered report to a stream as it is produced, waiting whenever the reader is slower.

import { once } from 'node:events';
import type { ReportOutcome, StreamedReport } from '../model/report.ts';
import type { OutputFormat } from './formats.ts';
import type { RenderOptions } from './formats.ts';
import { renderChunks } from './render.ts';

/** Chunks are gathered into writes of about this many characters (one write per cell would be slow). */
const BATCH = 64 * 1024;

/**
 * Renders `report` to `out` (stdout by default) with backpressure: when the stream's buffer is full
 * (a pipe to a slow reader), rendering pauses until it drains, so memory stays bounded however
 * large the report. Resolves with the counts and exit code once everything is handed to the stream.
 */
export function writeReport(
  report: StreamedReport,
  format: OutputFormat,
  options: RenderOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<ReportOutcome> {
  return writeChunks(renderChunks(report, format, options), out);
}

/**
 * Writes text chunks as a generator produces them, batched, pausing the generator while `out` is
 * full; resolves with what the generator returns.
 */
export async function writeChunks<R>(
  chunks: Generator<string, R>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<R> {
  let batch = '';
  for (let next = chunks.next(); ; next = chunks.next()) {
    if (!next.done) batch += next.value;
    if (batch.length >= BATCH || (next.done && batch.length > 0)) {
      const accepted = out.write(batch);
      batch = '';
      if (!accepted) await drained(out);
    }
    if (next.done) return next.value;
  }
}

/** Waits for 'drain'; a stream that fails or closes first ends the wait with its error. */
async function drained(out: NodeJS.WritableStream): Promise<void> {
  const abort = new AbortController();
  try {
    await Promise.race([
      once(out, 'drain', { signal: abort.signal }),
      once(out, 'close', { signal: abort.signal }).then(() => {
        throw new Error('the output was closed before the report was written');
      }),
    ]);
  } finally {
    abort.abort();
  }
}
