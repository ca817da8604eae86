// Regions of one colour in a screenshot: the connected areas (4-neighbour) of pixels near a colour,
// each with its bounding box. How a test finds cells drawn by a browser without knowing the layout.

import type { Pixels } from './png.ts';

/** A connected area of one colour. */
export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly pixels: number;
}

/** Colours compared channel by channel, allowing for rounding in the renderer. */
export function nearColour(actual: string, expected: string, tolerance = 6): boolean {
  const channels = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  const [a, e] = [channels(actual), channels(expected)];
  return a.every((v, i) => Math.abs(v - e[i]!) <= tolerance);
}

/** Every region of pixels near `colour`, in reading order of their first pixel. */
export function regionsOf(pixels: Pixels, colour: string): Region[] {
  const { width, height } = pixels;
  const seen = new Uint8Array(width * height);
  const regions: Region[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (seen[y * width + x] || !nearColour(pixels.hex(x, y), colour)) continue;
      let [left, top, right, bottom, count] = [x, y, x, y, 0];
      const stack = [y * width + x];
      seen[y * width + x] = 1;
      while (stack.length > 0) {
        const at = stack.pop()!;
        const [px, py] = [at % width, Math.floor(at / width)];
        count++;
        [left, right, top, bottom] = [Math.min(left, px), Math.max(right, px), Math.min(top, py), Math.max(bottom, py)];
        for (const [nx, ny] of [
          [px + 1, py],
          [px - 1, py],
          [px, py + 1],
          [px, py - 1],
        ] as const) {
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const next = ny * width + nx;
          if (seen[next] || !nearColour(pixels.hex(nx, ny), colour)) continue;
          seen[next] = 1;
          stack.push(next);
        }
      }
      regions.push({ left, top, width: right - left + 1, height: bottom - top + 1, pixels: count });
    }
  return regions;
}
