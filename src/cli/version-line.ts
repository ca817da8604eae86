// What `prober --version` prints, e.g. `prober 0.1.0 (node v24.21.0, linux-x64)`: the Node it embeds matters too.

import { PROBER_VERSION } from '../orchestration/version.ts';

/** The version line, naming prober's version and the Node it runs on. */
export function versionLine(): string {
  return `prober ${PROBER_VERSION} (node ${process.version}, ${process.platform}-${process.arch})`;
}
