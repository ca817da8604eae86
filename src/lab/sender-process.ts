// One check sender run in a lab pod's network namespace: `prober agent --<mode> -` started with
// `ip netns exec`, its plan written to its stdin, its output read from its stdout. Both are pipes on
// the host, so what was measured never travels over the network it measures (trust rule 1).

import { spawn } from 'node:child_process';

/** What a sender may print at most: one measurement line, and a few lines of errors. */
const MAX_OUTPUT_BYTES = 256 * 1024;
/** How long a sender told to stop (an interrupt, its deadline) has to print its measurement. */
const STOP_GRACE_MS = 2000;

/** How a sender ended: what it printed, or that it could not start. */
export type SenderExit =
  | { readonly started: true; readonly stdout: string; readonly stderr: string; readonly why: string }
  | { readonly started: false; readonly why: string };

/**
 * Runs `prober agent <flag> -` in `netns` with `plan` on its stdin. It is sent SIGTERM when `signal`
 * aborts or after `deadlineMs` (SIGKILL two seconds later if it is still there); resolves once it
 * has exited, so no sender outlives its check. Never rejects.
 */
export function runSender(
  netns: string,
  prober: readonly string[],
  flag: string,
  plan: string,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<SenderExit> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...prober, 'agent', flag, '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const keep = (text: string, chunk: Buffer): string =>
      text.length < MAX_OUTPUT_BYTES ? text + chunk.toString('utf8').slice(0, MAX_OUTPUT_BYTES - text.length) : text;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = keep(stdout, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = keep(stderr, chunk);
    });
    let kill: NodeJS.Timeout | undefined;
    const stop = (): void => {
      child.kill('SIGTERM');
      kill ??= setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    };
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    const deadline = setTimeout(stop, deadlineMs);
    child.once('error', (error) => {
      clearTimeout(deadline);
      clearTimeout(kill);
      signal.removeEventListener('abort', stop);
      resolve({ started: false, why: `unable to start the sender in ${netns}: ${error.message}` });
    });
    child.once('close', (code, killedBy) => {
      clearTimeout(deadline);
      clearTimeout(kill);
      signal.removeEventListener('abort', stop);
      const why = stderr.trim().split('\n')[0] || (killedBy ? `stopped by ${killedBy}` : `exit status ${code}`);
      resolve({ started: true, stdout, stderr, why: `the sender in ${netns} failed: ${why}` });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(plan);
  });
}
