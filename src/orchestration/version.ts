// prober's own version, as reports and agent images name it.

import pkg from '../../package.json' with { type: 'json' };

/** prober's version from package.json (inlined at build time). */
export const PROBER_VERSION: string = pkg.version;
