// The version prober reports about itself: its own, and the Node it embeds.

import pkg from '../../package.json' with { type: 'json' };

/** prober's version from package.json (inlined at build time). */
export const PROBER_VERSION: string = pkg.version;

/** `prober 0.1.0 (node v24.21.0, linux-x64)`. */
export function versionLine(): string {
  return `prober ${PROBER_VERSION} (node ${process.version}, ${process.platform}-${process.arch})`;
}
