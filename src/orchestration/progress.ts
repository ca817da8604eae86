// Progress for people: one rewritten line on stderr, and only when stderr is a terminal.

import { escapeText } from '../report/escape.ts';

/** A progress line writer that stays silent when stderr is not a TTY (CI logs stay clean). */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): {
  update: (message: string) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(message) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      // Messages name sources and quote backends' errors: escaped, so only this line's own codes act.
      stream.write(`\r\u001b[2K${escapeText(message).slice(0, (stream.columns || 80) - 1)}`);
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}
