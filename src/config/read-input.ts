// Reads one whole input (a test file, a plan; `-` is stdin) with a size bound, for every command alike.

import { close, open, read } from 'node:fs';
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
 * `path`, or `input.stdin` for `-` (read only then: Node opens its stdin stream on first use). Reading is streamed
 * and stops as soon as the input passes `limit`, so /dev/zero, a FIFO or an endless pipe fails fast
 * instead of filling memory (a size from stat is never trusted). I/O failures and oversized inputs are
 * ConfigErrors naming the input (`<stdin>` for `-`), which is returned as `origin` for later messages.
 */
export async function readText(
  path: string,
  limit: InputLimit,
  input: { readonly stdin: InputStream },
): Promise<{ origin: string; text: string }> {
  const origin = path === STDIN_PATH ? '<stdin>' : path;
  let bytes: Buffer | undefined;
  try {
    bytes = path === STDIN_PATH ? await readAtMost(input.stdin, limit.bytes) : await readFileAtMost(path, limit.bytes);
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

/** How much one read of a file asks for. */
const FILE_CHUNK = 256 * 1024;

/**
 * A file's bytes, or undefined as soon as they pass `max`, read with plain reads: a read stream would
 * load Node's file streams, fs/promises and readline, a few milliseconds of every agent's start.
 * Reads until end of file like the stream (a FIFO until its writer closes), so a size from stat is never trusted.
 */
function readFileAtMost(path: string, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (opening, fd) => {
      if (opening) return reject(opening);
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (error: Error | null, bytes?: Buffer): void =>
        close(fd, () => (error ? reject(error) : resolve(bytes)));
      const next = (): void => {
        const buffer = Buffer.allocUnsafe(Math.min(FILE_CHUNK, max + 1));
        read(fd, buffer, 0, buffer.length, null, (error, n) => {
          if (error) return finish(error);
          if (n === 0) return finish(null, Buffer.concat(chunks, size));
          size += n;
          if (size > max) return finish(null, undefined);
          chunks.push(n === buffer.length ? buffer : buffer.subarray(0, n));
          next();
        });
      };
      next();
    });
  });
}

/** The error for an input past its limit, e.g. `/dev/zero: is larger than 16 MiB, the most a test file may hold`. */
function tooLarge(origin: string, limit: InputLimit): ConfigError {
  const size = limit.bytes % (1024 * 1024) === 0 ? `${limit.bytes / (1024 * 1024)} MiB` : `${limit.bytes} bytes`;
  return new ConfigError(origin, undefined, undefined, `is larger than ${size}, the most ${limit.what} may hold`);
}
