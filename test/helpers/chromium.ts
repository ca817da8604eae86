// Debian's headless Chromium, run the way a test needs it: no sandbox (root in a container), no network
// of its own, a fresh profile per call, and a deadline; a file, or a page this process serves (async).

import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

const execFileAsync = promisify(execFile);

/**
 * Chromium without blocking this process: for a page served by the test itself. `budgetMs` of
 * virtual time lets the page's timers (its polling) run before the DOM is dumped or the shot taken.
 */
async function chromiumAsync(t: Teardown, args: readonly string[], budgetMs: number): Promise<string> {
  const profile = tempDir(t, 'chromium');
  const { stdout } = await execFileAsync(
    'chromium',
    // A budget of 0 would make Chromium wait on the page's timers without end: no budget then.
    [...FLAGS, `--user-data-dir=${profile}`, ...(budgetMs > 0 ? [`--virtual-time-budget=${budgetMs}`] : []), ...args],
    { encoding: 'utf8', timeout: 180_000, maxBuffer: 1 << 28 },
  );
  return stdout;
}

/** The DOM of the page at `url` after `budgetMs` of its own (virtual) time, serialised. */
export function dumpUrlDom(t: Teardown, url: string, budgetMs = 0): Promise<string> {
  return chromiumAsync(t, ['--dump-dom', url], budgetMs);
}

/** The page at `url` drawn in a `width` × `height` window after `budgetMs` of its time. */
export async function screenshotUrl(
  t: Teardown,
  url: string,
  width: number,
  height: number,
  budgetMs = 0,
): Promise<Pixels> {
  const png = join(tempDir(t, 'screenshot'), 'shot.png');
  await chromiumAsync(t, [`--window-size=${width},${height}`, `--screenshot=${png}`, url], budgetMs);
  return decodePng(readFileSync(png));
}
