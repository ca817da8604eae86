// The `tap` a test file imports when test/unit-worker.ts runs it: the file's own subtest of the worker's
// root, under which the file's tests and teardowns run as they would under the root of a process of its own.
// The worker loads this module once per file (the URL carries the file), so each file sees its own `t`.

import type { Test } from 'tap';

const t = (globalThis as Record<symbol, Test | undefined>)[Symbol.for('prober.unit-file-test')];
if (!t) throw new Error('test/unit-file-tap.ts is loaded by test/unit-worker.ts only');
export default t;
