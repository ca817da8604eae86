// Reads the pixels of a PNG (8-bit RGB or RGBA, not interlaced: what Chromium writes for a screenshot).

import { inflateSync } from 'node:zlib';

/** An image's pixels, row by row, four bytes (RGBA) each. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** The pixel at (x, y) as `#rrggbb`. */
  hex(x: number, y: number): string;
}

const SIGNATURE = '89504e470d0a1a0a';

/** Decodes a PNG file's bytes; throws on anything but 8-bit RGB or RGBA without interlacing. */
export function decodePng(bytes: Buffer): Pixels {
  if (bytes.subarray(0, 8).toString('hex') !== SIGNATURE) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6))
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? out[y * stride + x - channels]! : 0;
      const up = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const corner = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0;
      out[y * stride + x] = (line[x]! + predict(filter, left, up, corner)) & 0xff;
    }
  }
  return {
    width,
    height,
    hex(x, y) {
      const at = y * stride + x * channels;
      return `#${[out[at]!, out[at + 1]!, out[at + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    },
  };
}

/** PNG's five row filters: what is added back to each byte. */
function predict(filter: number, left: number, up: number, corner: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4: {
      const p = left + up - corner;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - corner)];
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : corner;
    }
    default:
      throw new Error(`bad PNG row filter ${filter}`);
  }
}
