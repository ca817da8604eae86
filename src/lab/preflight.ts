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

/** Throws one clear message when not root or when programs are missing. */
export function preflight(requirements: readonly Requirement[]): void {
  if (process.getuid?.() !== 0)
    throw new Error('the lab creates network namespaces and nftables rules: run it as root (e.g. with sudo)');
  const missing = new Map<string, string>();
  for (const req of [...BASE_REQUIREMENTS, ...requirements])
    if (!hasProgram(req.program)) missing.set(req.program, req.install);
  if (missing.size > 0) {
    const what = [...missing].map(([program, install]) => `${program} (${install})`).join(', ');
    throw new Error(`missing programs: ${what}`);
  }
}
