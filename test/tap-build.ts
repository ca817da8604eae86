// Rebuilds tap's test class when the plugins it was built with are not the ones package.json asks for.
//
// `npm ci` installs tap built with its default plugins, TypeScript's loader among them; package.json turns
// that plugin off so test files run on Node's own type stripping, like every child process they spawn.
// tap notices the difference only after it has chosen the arguments of the run's test processes, so the
// first run after an install would load every test file through the other loader. Two loaders give one
// source file two different texts, and the coverage of the two cannot be merged: the whole-suite figure
// comes out wrong. Running this before tap makes the first run like every later one.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TapConfig } from '@tapjs/config';
import { signature } from '@tapjs/test';

const root = join(import.meta.dirname, '..');
const config = await TapConfig.load();
if (config.pluginSignature !== signature) {
  const tap = join(root, 'node_modules', '.bin', 'tap');
  const build = spawnSync(tap, ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  process.exitCode = build.status ?? 1;
}
