// Debian's headless Chromium, run the way a test needs it: no sandbox (root in a container), no network
// of its own, a fresh profile per call, and a deadline.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Teardown } from './netns.ts';
import { decodePng, type Pixels } from './png.ts';
import { tempDir } from './temp.ts';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--hide-scrollbars',
  '--force-device-scale-factor=1',
];

function chromium(t: Teardown, args: readonly string[]): string {
  const profile = tempDir(t, 'chromium');
  const run = spawnSync('chromium', [...FLAGS, `--user-data-dir=${profile}`, ...args], {
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 1 << 28,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`chromium exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** Draws `file` in a window of `width` × `height` pixels and returns the screenshot's pixels. */
export function screenshot(t: Teardown, file: string, width: number, height: number): Pixels {
  const png = join(tempDir(t, 'screenshot'), 'shot.png');
  chromium(t, [`--window-size=${width},${height}`, `--screenshot=${png}`, `file://${file}`]);
  return decodePng(readFileSync(png));
}

/** The DOM of `file` once Chromium has loaded it, serialised. */
export function dumpDom(t: Teardown, file: string): string {
  return chromium(t, ['--dump-dom', `file://${file}`]);
}
