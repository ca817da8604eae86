// Progress for people: one rewritten line on stderr, and only when stderr is a terminal.

/** A progress line writer that stays silent when stderr is not a TTY (CI logs stay clean). */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update: (message: string) => void; done: () => void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(message) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r\u001b[2K${message.slice(0, (stream.columns || 80) - 1)}`);
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}
