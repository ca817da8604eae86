// Resident agents: one `prober agent --listen` per lab namespace, started with the lab, so a test
// sends plans over a Unix socket instead of starting a process per source.

import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { ProgramSpec } from './programs/program.ts';

/** The program that keeps an agent resident in a namespace, serving plans on `socket`. */
export function residentAgent(pod: string, prober: readonly string[], socket: string): ProgramSpec {
  return {
    pod,
    container: 'prober-agent',
    kind: 'agent',
    argv: [...prober, 'agent', '--listen', socket],
    env: {},
    files: [],
    dirs: [dirname(socket)],
    links: [],
    ready: [],
    needs: [],
  };
}

function accepts(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Waits until every socket accepts connections; stops early when `failed()` names a reason. */
export async function waitForAgents(
  sockets: readonly string[],
  options: { deadlineMs: number; signal?: AbortSignal; failed?: () => Promise<string | undefined> },
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  let pending = [...sockets];
  while (pending.length > 0) {
    options.signal?.throwIfAborted();
    const answers = await Promise.all(pending.map(accepts));
    pending = pending.filter((_, i) => !answers[i]);
    if (pending.length === 0) return;
    const failure = await options.failed?.();
    if (failure) throw new Error(failure);
    if (Date.now() > deadline)
      throw new Error(`resident agents not listening after ${options.deadlineMs / 1000} s: ${pending.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
