// Checks before the lab touches the host: root, and every program it will run, named with how to install it.

import { hasProgram } from './run-command.ts';

/** A program the lab needs and the package that provides it. */
export interface Requirement {
  readonly program: string;
  readonly install: string;
}

/** The programs every lab needs, whatever runs in it. */
export const BASE_REQUIREMENTS: readonly Requirement[] = [
  { program: 'ip', install: 'apt-get install iproute2' },
  { program: 'nft', install: 'apt-get install nftables' },
  // The cluster DNS every lab runs (kube-system/kube-dns).
  { program: 'dnsmasq', install: 'apt-get install dnsmasq-base' },
];

/**
 * Throws unless prober runs as root. Every `lab` subcommand calls it before it reads or touches
 * anything: run by another user, `lab down` could still signal the lab's unprivileged programs
 * (the time app runs as nobody) before failing on the namespaces, leaving the lab half broken.
 */
export function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new Error(
      'the lab needs root: it creates network namespaces and nftables rules and runs programs in them (run it with sudo)',
    );
}

/** Throws one clear message when not root or when programs are missing. */
export function preflight(requirements: readonly Requirement[]): void {
  requireRoot();
  const missing = new Map<string, string>();
  for (const req of [...BASE_REQUIREMENTS, ...requirements])
    if (!hasProgram(req.program)) missing.set(req.program, req.install);
  if (missing.size > 0) {
    const what = [...missing].map(([program, install]) => `${program} (${install})`).join(', ');
    throw new Error(`missing programs: ${what}`);
  }
}
