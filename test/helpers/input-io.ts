// The inputs side of an I/O context for tests that read manifests, profiles or tests directly.

import { Readable } from 'node:stream';
import type { InputIo } from '../../src/model/io.ts';

/**
 * Relative paths resolved against `cwd` (the test's working directory when absent), and an empty
 * stdin unless `stdin` is given: a test that reads `-` says what stdin holds.
 */
export function inputIo(cwd: string = process.cwd(), stdin: string | Buffer = ''): InputIo {
  return { cwd, stdin: Readable.from([Buffer.from(stdin)]) };
}
