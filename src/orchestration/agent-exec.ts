// The two halves of a resident agent in the cluster: `prober agent --resident`, the idle process that
// keeps an ephemeral container alive for the pod's lifetime, and `prober agent --plan-line`, the command
// each run execs in that container (pods/exec), its plan one JSON line on stdin, its results on stdout.

import { parseProbePlan } from '../config/load-plan.ts';
import type { InputStream, Io } from '../model/io.ts';
import { MAX_PLAN_BYTES } from '../model/plan.ts';
import type { ExitCode } from '../model/report.ts';
import { executePlan, lineBatch } from '../probe/agent-run.ts';
import { withInterrupts } from './interrupts.ts';

/**
 * Waits, doing nothing, until SIGTERM or SIGINT (the kubelet stops the container with SIGTERM when the pod
 * goes), then exits 0. It opens no socket and sends nothing: it only keeps the container running, so a
 * run can exec its plan into it. A timer holds the event loop; the signal ends it.
 */
export async function idleUntilStopped(io: Pick<Io, 'stderr'>): Promise<ExitCode> {
  await withInterrupts(
    io.stderr,
    (signal) =>
      new Promise<void>((resolve) => {
        // Node ends a process whose event loop is empty: this timer is all that keeps it, and does nothing.
        const hold = setInterval(() => undefined, 2 ** 31 - 1);
        // The container's log says what it is, once its signal handlers are in place.
        io.stderr.write('prober agent: resident, waiting for runs to exec their plans (pods/exec) until SIGTERM\n');
        signal.addEventListener(
          'abort',
          () => {
            clearInterval(hold);
            resolve();
          },
          { once: true },
        );
      }),
  );
  return 0;
}

/** The plan line and what follows it (nothing, normally), or why there is none. */
type FirstLine = { readonly line: string } | { readonly error: string };

/**
 * Reads stdin up to its first newline, at most MAX_PLAN_BYTES. A WebSocket exec of `v4.channel.k8s.io`
 * cannot close stdin without closing the whole connection, so the plan's end is its newline, not EOF.
 */
function readFirstLine(stdin: InputStream): Promise<FirstLine> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: FirstLine): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const newline = bytes.indexOf(10);
      const part = newline >= 0 ? bytes.subarray(0, newline) : bytes;
      size += part.length;
      if (size > MAX_PLAN_BYTES) done({ error: `the plan line is longer than ${MAX_PLAN_BYTES} bytes` });
      else {
        chunks.push(part);
        if (newline >= 0) done({ line: Buffer.concat(chunks).toString('utf8') });
      }
    };
    const onEnd = (): void => done({ error: 'stdin closed before a whole plan line arrived' });
    const onError = (error: Error): void =>
      done({ error: `stdin failed before a whole plan line arrived: ${error.message}` });
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
  });
}

/**
 * Runs the plan given as one JSON line on stdin and prints one line per result, then AgentDone, as a
 * one-shot agent does. Stdin closing afterwards (the orchestrator gave up: its exec was aborted or timed
 * out, and the kubelet closed the process's stdin) aborts the probes like SIGTERM, so the process ends
 * by itself: a container runtime does not kill an exec'd process when its client goes away.
 */
export async function runPlanLine(io: Io): Promise<ExitCode> {
  const first = await readFirstLine(io.stdin);
  const lines = lineBatch((text) => void io.stdout.write(text));
  // An open stdin keeps the process alive: it is let go as soon as nothing more is read from it.
  const release = (): void => (io.stdin as { destroy?: () => void }).destroy?.();
  if ('error' in first) {
    release();
    lines.write({ kind: 'AgentError', message: first.error });
    lines.flush();
    return 2;
  }
  const plan = await parseProbePlan('<stdin>', first.line).catch((error: unknown) => {
    release();
    throw error;
  });
  const interrupted = await withInterrupts(io.stderr, async (signal, interruptedBy) => {
    const run = new AbortController();
    const stop = (): void => run.abort(new Error('stdin closed'));
    signal.addEventListener('abort', stop, { once: true });
    let stdinClosed = false;
    const onClose = (): void => {
      stdinClosed = true;
      stop();
    };
    // Anything after the plan line is ignored; its end (or an error on it) is the orchestrator leaving.
    io.stdin.on('data', () => undefined);
    io.stdin.once('end', onClose);
    io.stdin.once('error', onClose);
    io.stdin.resume();
    try {
      await executePlan(plan, lines.write, run.signal);
      lines.flush();
    } finally {
      io.stdin.removeListener('end', onClose);
      io.stdin.removeListener('error', onClose);
      io.stdin.pause();
      release();
    }
    return interruptedBy() !== undefined || stdinClosed;
  });
  return interrupted ? 2 : 0;
}
