// Linux network namespaces for tests: a pair joined by a veth link, nftables inside, always removed.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Runs a command and returns stdout; failures throw with the command's stderr. */
export function sh(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim()}`, { cause: error });
  }
}

/** Anything that runs cleanup at the end: a tap test, or a benchmark's own list. */
export interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

/** Two namespaces, `client` (10.77.0.1) and `server` (10.77.0.2), on one veth link. */
export interface NetnsPair {
  readonly client: string;
  readonly server: string;
  readonly clientIp: string;
  readonly serverIp: string;
  /** Loads an nftables ruleset (text) inside a namespace. */
  nft(ns: string, ruleset: string): void;
  /** Starts a long-running process inside a namespace; it is killed at teardown. */
  spawnIn(ns: string, command: string, args: readonly string[]): ChildProcess;
  /** Runs a command inside a namespace and returns stdout and the exit status. */
  execIn(ns: string, command: string, args: readonly string[]): { stdout: string; status: number };
}

/** Creates the pair (test must run as root) and removes everything at teardown. */
export function netnsPair(t: Teardown): NetnsPair {
  const id = randomBytes(3).toString('hex');
  const client = `prober-test-${id}-c`;
  const server = `prober-test-${id}-s`;
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const ns of [client, server]) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        // Already gone.
      }
    }
  });
  sh('ip', ['netns', 'add', client]);
  sh('ip', ['netns', 'add', server]);
  const [a, b] = [`pt${id}a`, `pt${id}b`];
  sh('ip', ['link', 'add', a, 'netns', client, 'type', 'veth', 'peer', 'name', b, 'netns', server]);
  const clientIp = '10.77.0.1';
  const serverIp = '10.77.0.2';
  for (const [ns, dev, ip] of [
    [client, a, clientIp],
    [server, b, serverIp],
  ] as const) {
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/30`, 'dev', dev]);
    sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  return {
    client,
    server,
    clientIp,
    serverIp,
    nft(ns, ruleset) {
      sh('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], ruleset);
    },
    spawnIn(ns, command, args) {
      const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    },
    execIn(ns, command, args) {
      try {
        return {
          stdout: execFileSync('ip', ['netns', 'exec', ns, command, ...args], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
          status: 0,
        };
      } catch (error) {
        const failed = error as { stdout?: string; status?: number };
        return { stdout: failed.stdout ?? '', status: failed.status ?? -1 };
      }
    },
  };
}
