// Progress for people: one rewritten line on stderr, and only when stderr is a terminal.

import type { OutputStream } from '../model/io.ts';
import { escapeText } from '../report/escape.ts';

/**
 * A progress line writer on `stream` (stderr) that stays silent when it is not a TTY (CI logs stay
 * clean); `now` is the clock that spaces the updates.
 */
export function progressReporter(
  stream: OutputStream,
  now: () => number = Date.now,
): {
  update: (message: string) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(message) {
      const at = now();
      if (at - last < 100) return;
      last = at;
      shown = true;
      // Messages name sources and quote backends' errors: escaped, so only this line's own codes act.
      stream.write(`\r\u001b[2K${escapeText(message).slice(0, (stream.columns || 80) - 1)}`);
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}
