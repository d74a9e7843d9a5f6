/**
 * A minimal PNG encoder (RGBA, 8 bits per channel, no interlace) on node:zlib with its own
 * CRC-32, and the two icons a Teams app package needs, drawn in code: a 192×192 colour icon and
 * a 32×32 outline icon (white on transparent). No image library needed.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG chunks use it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes RGBA pixels (row by row, 4 bytes each) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`expected ${width * height * 4} bytes of RGBA, got ${rgba.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  // compression 0, filter 0, interlace 0
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 4)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (1 + width * 4) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Samla's mark in a unit square: a ring of five municipalities around a gathering. */
function inMark(x: number, y: number, stroke: number): boolean {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  if (r <= 0.1) return true; // the gathering
  if (Math.abs(r - 0.3) <= stroke / 2) return true; // the network
  for (let i = 0; i < 5; i++) {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / 5;
    if (Math.hypot(dx - 0.3 * Math.cos(a), dy - 0.3 * Math.sin(a)) <= 0.075) return true; // a municipality
  }
  return false;
}

/** Draws the mark with 4×4 supersampling; returns the coverage (0..1) of each pixel. */
function coverage(size: number, stroke: number): Float64Array {
  const out = new Float64Array(size * size);
  const s = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let j = 0; j < s; j++) for (let i = 0; i < s; i++) if (inMark((x + (i + 0.5) / s) / size, (y + (j + 0.5) / s) / size, stroke)) hits++;
      out[y * size + x] = hits / (s * s);
    }
  }
  return out;
}

/** Samla's teal: #1B6B73. */
const TEAL = [0x1b, 0x6b, 0x73] as const;

/** The 192×192 full-colour icon: the white mark on teal. */
export function colorIcon(): Buffer {
  const size = 192;
  const cov = coverage(size, 0.05);
  const px = new Uint8Array(size * size * 4);
  cov.forEach((c, i) => {
    for (let k = 0; k < 3; k++) px[i * 4 + k] = Math.round(TEAL[k]! * (1 - c) + 255 * c);
    px[i * 4 + 3] = 255;
  });
  return encodePng(size, size, px);
}

/** The 32×32 outline icon: the white mark on a transparent background, as Teams requires. */
export function outlineIcon(): Buffer {
  const size = 32;
  const cov = coverage(size, 0.08);
  const px = new Uint8Array(size * size * 4);
  cov.forEach((c, i) => {
    px[i * 4] = 255;
    px[i * 4 + 1] = 255;
    px[i * 4 + 2] = 255;
    px[i * 4 + 3] = Math.round(255 * c);
  });
  return encodePng(size, size, px);
}
