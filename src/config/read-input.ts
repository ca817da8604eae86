// Reads one whole input (a test file, a plan; `-` is stdin) with a size bound, for every command alike.

import { createReadStream } from 'node:fs';
import type { InputStream } from '../model/io.ts';
import { ConfigError } from './config-error.ts';
import { decodeText } from './text-encoding.ts';

/** The most an input may hold, and what it is called in the error when it holds more. */
export interface InputLimit {
  readonly bytes: number;
  /** e.g. "a test file", "a probe plan" */
  readonly what: string;
}

/** The path that means standard input wherever prober reads a file (`-f -`, `--plan -`). */
export const STDIN_PATH = '-';

/**
 * Reads a whole input as text (UTF-8, or UTF-16 with a byte-order mark: decodeText): the file at
 * `path`, or `stdin` for `-`. Reading is streamed
 * and stops as soon as the input passes `limit`, so /dev/zero, a FIFO or an endless pipe fails fast
 * instead of filling memory (a size from stat is never trusted). I/O failures and oversized inputs are
 * ConfigErrors naming the input (`<stdin>` for `-`), which is returned as `origin` for later messages.
 */
export async function readText(
  path: string,
  limit: InputLimit,
  stdin: InputStream,
): Promise<{ origin: string; text: string }> {
  const origin = path === STDIN_PATH ? '<stdin>' : path;
  const stream = path === STDIN_PATH ? stdin : createReadStream(path, { highWaterMark: 256 * 1024 });
  let bytes: Buffer | undefined;
  try {
    bytes = await readAtMost(stream, limit.bytes);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot be read (${code ?? String(cause)})`;
    throw new ConfigError(origin, undefined, undefined, why, { cause });
  }
  if (bytes === undefined) throw tooLarge(origin, limit);
  return { origin, text: decodeText(origin, bytes) };
}

/**
 * All of a stream's bytes, or undefined as soon as they pass `max`: the one bounded reader of
 * prober's inputs (test files, plans, manifests). Leaving the loop early destroys the stream, which
 * stops the reading, so an endless input costs at most `max` plus one chunk.
 */
export async function readAtMost(stream: AsyncIterable<Buffer | string>, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > max) return undefined;
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

/** The error for an input past its limit, e.g. `/dev/zero: is larger than 16 MiB, the most a test file may hold`. */
function tooLarge(origin: string, limit: InputLimit): ConfigError {
  const size = limit.bytes % (1024 * 1024) === 0 ? `${limit.bytes / (1024 * 1024)} MiB` : `${limit.bytes} bytes`;
  return new ConfigError(origin, undefined, undefined, `is larger than ${size}, the most ${limit.what} may hold`);
}
