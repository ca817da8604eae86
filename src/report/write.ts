// Writes a rendered report to a stream as it is produced, waiting whenever the reader is slower.

import type { ReportOutcome, StreamedReport } from '../model/report.ts';
import type { OutputFormat, RenderOptions } from './formats.ts';
import { renderChunks } from './render.ts';

/** Chunks are gathered into writes of about this many bytes (one write per cell would be slow). */
const BATCH = 64 * 1024;
/** Room of the batch buffer: a chunk is never split between two writes, so a batch may pass BATCH by one chunk. */
const ROOM = 4 * BATCH;

/**
 * Renders `report` to `out` (the command's stdout) with backpressure: when the stream's buffer is full
 * (a pipe to a slow reader), rendering pauses until it drains, so memory stays bounded however
 * large the report. Resolves with the counts and exit code once everything is handed to the stream.
 */
export function writeReport(
  report: StreamedReport,
  format: OutputFormat,
  options: RenderOptions,
  out: NodeJS.WritableStream,
): Promise<ReportOutcome> {
  return writeChunks(renderChunks(report, format, options), out);
}

/**
 * Writes text chunks as a generator produces them, batched, pausing the generator while `out` is
 * full; resolves with what the generator returns. An output that fails or closes (the reader of a
 * pipe left, a full disk) is written to no more, but the generator still runs to its end: what it
 * returns is the verdict, and a reader that left must not change it (the entry point reports the
 * failure and decides the exit code).
 *
 * Each chunk is encoded as UTF-8 straight into one reused buffer: joining millions of small strings
 * and encoding the joined string costs several times more (the join flattens, the encoder walks the
 * result again). A batch holds whole chunks only, so no character is split between two writes.
 */
export async function writeChunks<R>(chunks: Generator<string, R>, out: NodeJS.WritableStream): Promise<R> {
  const output = watch(out);
  const buffer = Buffer.allocUnsafe(ROOM);
  let used = 0;
  // The stream may keep what it is given until the reader takes it: it gets a copy, the buffer is reused.
  const flush = async (whole?: string): Promise<void> => {
    const accepted = out.write(whole ?? Buffer.copyBytesFrom(buffer, 0, used));
    used = 0;
    if (!accepted) await output.drained();
  };
  try {
    for (let next = chunks.next(); ; next = chunks.next()) {
      if (output.gone) used = 0;
      else if (!next.done) {
        const text = next.value;
        // UTF-8 takes at most 3 bytes per UTF-16 code unit.
        if (used + text.length * 3 > ROOM && used > 0) await flush();
        if (text.length * 3 > ROOM) await flush(text);
        else used += buffer.write(text, used, 'utf8');
      }
      if (used >= BATCH || (next.done && used > 0)) await flush();
      if (next.done) return next.value;
    }
  } finally {
    output.stop();
  }
}

/** An output's state while a report is written to it: gone once it failed or closed. */
interface Watched {
  readonly gone: boolean;
  /** Resolves on 'drain', or at once when the output is or becomes gone (no 'drain' ever follows). */
  drained(): Promise<void>;
  stop(): void;
}

function watch(out: NodeJS.WritableStream): Watched {
  let gone = false;
  let wake: (() => void) | undefined;
  const onDrain = (): void => wake?.();
  const onGone = (): void => {
    gone = true;
    wake?.();
  };
  out.on('drain', onDrain);
  out.on('error', onGone);
  out.on('close', onGone);
  return {
    get gone() {
      return gone;
    },
    drained: () =>
      gone
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            wake = () => {
              wake = undefined;
              resolve();
            };
          }),
    stop: () => {
      out.removeListener('drain', onDrain);
      out.removeListener('error', onGone);
      out.removeListener('close', onGone);
    },
  };
}
