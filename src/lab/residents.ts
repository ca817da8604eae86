// Resident agents: one `prober agent --listen` per lab namespace, started with the lab, so a test
// sends plans over a Unix socket instead of starting a process per source.

import { connect } from 'node:net';
import { dirname } from 'node:path';
import { waitFor } from '../model/wait.ts';
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
  let pending = [...sockets];
  if (pending.length === 0) return;
  const listening = await waitFor(
    async () => {
      const answers = await Promise.all(pending.map(accepts));
      pending = pending.filter((_, i) => !answers[i]);
      if (pending.length === 0) return true;
      const failure = await options.failed?.();
      if (failure) throw new Error(failure);
      return false;
    },
    { deadlineMs: options.deadlineMs, intervalMs: 25, signal: options.signal },
  );
  if (listening.ok) return;
  options.signal?.throwIfAborted();
  throw new Error(`resident agents not listening after ${options.deadlineMs / 1000} s: ${pending.join(', ')}`);
}
