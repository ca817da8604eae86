// A network namespace whose system resolver never answers: its only nameserver (on its own loopback)
// drops every DNS packet, so getaddrinfo waits for glibc's own timeout (5 s × 2 tries) unless the
// probe decides at its deadline. Needs root (ip netns, nftables); benchmarks skip it otherwise.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

/** The namespace: the argv prefix that runs a command in it, and its removal. */
export interface SilentResolver {
  readonly exec: readonly string[];
  remove(): void;
}

const DROP_DNS = `table inet silent {
  chain input {
    type filter hook input priority 0;
    udp dport 53 drop
    tcp dport 53 drop
  }
}
`;

/** Creates the namespace, or says why it cannot (not root, no `ip` or `nft`). */
export function silentResolver(): SilentResolver | string {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  const ns = `prober-bench-${randomBytes(3).toString('hex')}`;
  const etc = `/etc/netns/${ns}`;
  const remove = (): void => {
    rmSync(etc, { recursive: true, force: true });
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // Never made, or already gone.
    }
  };
  try {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: DROP_DNS, stdio: ['pipe', 'ignore', 'pipe'] });
    mkdirSync(etc, { recursive: true });
    writeFileSync(`${etc}/resolv.conf`, 'nameserver 127.0.0.1\n');
    writeFileSync(`${etc}/hosts`, '127.0.0.1 localhost\n');
  } catch (error) {
    remove();
    return `cannot make a network namespace: ${(error as Error).message.split('\n')[0]}`;
  }
  return { exec: ['ip', 'netns', 'exec', ns], remove };
}
