// The binary's main script (build.mjs makes it the SEA's): runs the start bundle, from the binary's own
// assets with its code cache. It is its own bundle of a few lines, so the code V8 decodes before a
// command starts is only the start bundle's.

import { BUNDLES, runBundle } from './bundle-asset.ts';

runBundle(BUNDLES.start, require, process.env);
