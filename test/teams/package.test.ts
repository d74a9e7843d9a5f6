/**
 * `npm run teams:package`: the zip holds a manifest Teams accepts and two real PNGs of the
 * right sizes; a missing or malformed app id stops it with a message that says what to set.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, inflateSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildTeamsPackage } from '../../adapters/teams/appPackage.ts';
import { readEnv } from '../../src/app/env.ts';

const APP_ID = '8F0E6C2A-5B1D-4E3F-9A7C-2D4B6E8F0A1C';
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Png {
  width: number;
  height: number;
  colourType: number;
  /** RGBA, 4 bytes a pixel. */
  pixels: Uint8Array;
}

/**
 * Reads an 8-bit RGBA PNG (PNG spec, ISO/IEC 15948): the signature, every chunk's CRC (node:zlib's
 * crc32), IHDR, and the pixels, undoing each row's filter (none, sub, up, average, Paeth).
 */
function readPng(bytes: Uint8Array): Png {
  const buf = Buffer.from(bytes);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let off = 8;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  for (;;) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    expect(buf.readUInt32BE(off + 8 + len), `CRC of ${type}`).toBe(crc32(buf.subarray(off + 4, off + 8 + len)));
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
    if (type === 'IEND') break;
  }
  expect(off).toBe(buf.length);
  const width = ihdr!.readUInt32BE(0);
  const height = ihdr!.readUInt32BE(4);
  // bit depth 8, compression 0, filter method 0, no interlace: what the reader below handles
  expect([ihdr![8], ihdr![10], ihdr![11], ihdr![12]]).toEqual([8, 0, 0, 0]);
  const colourType = ihdr![9]!;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  expect(raw.length).toBe(height * (stride + 1));
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      expect(predictor, `filter type ${filter} of row ${y}`).toBeDefined();
      pixels[y * stride + x] = (raw[y * (stride + 1) + 1 + x]! + predictor!) & 0xff;
    }
  }
  return { width, height, colourType, pixels };
}

describe('the Teams app package', () => {
  it('holds a manifest with the bot id, the three scopes and the command list', () => {
    const files = unzipSync(buildTeamsPackage(readEnv({ TEAMS_APP_ID: APP_ID, TEAMS_APP_VERSION: '1.2.3' }).teamsPackage));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(manifest).toMatchObject({
      $schema: 'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json',
      manifestVersion: '1.22',
      version: '1.2.3',
      id: APP_ID.toLowerCase(),
      icons: { color: 'color.png', outline: 'outline.png' },
      name: { short: 'Samla' },
    });
    expect(manifest.accentColor).toMatch(/^#[0-9A-F]{6}$/i);
    for (const url of Object.values(manifest.developer as Record<string, string>).slice(1)) expect(url).toMatch(/^https:\/\//);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.name.full.length).toBeLessThanOrEqual(100);
    const [bot] = manifest.bots;
    expect(bot.botId).toBe(APP_ID.toLowerCase());
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot.commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(['status', 'oppgaver', 'neste', 'hjelp']);
    for (const c of bot.commandLists[0].commands) {
      expect(c.title.length).toBeLessThanOrEqual(32);
      expect(c.description.length).toBeLessThanOrEqual(128);
    }
  });

  it('has a 192×192 opaque colour icon and a 32×32 outline icon, white on transparent', () => {
    const files = unzipSync(buildTeamsPackage(readEnv({ TEAMS_APP_ID: APP_ID }).teamsPackage));
    // the committed icons, byte for byte
    for (const name of ['color.png', 'outline.png']) {
      expect(Buffer.from(files[name]!).equals(readFileSync(path.join(root, 'adapters/teams/assets', name))), name).toBe(true);
    }
    const color = readPng(files['color.png']!);
    expect([color.width, color.height, color.colourType]).toEqual([192, 192, 6]);
    for (let i = 3; i < color.pixels.length; i += 4) expect(color.pixels[i]).toBe(255);

    const outline = readPng(files['outline.png']!);
    expect([outline.width, outline.height, outline.colourType]).toEqual([32, 32, 6]);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      expect([outline.pixels[i], outline.pixels[i + 1], outline.pixels[i + 2]]).toEqual([255, 255, 255]);
      if (outline.pixels[i + 3] === 0) transparent++;
      else drawn++;
    }
    expect(transparent).toBeGreaterThan(400);
    expect(drawn).toBeGreaterThan(50);
  });

  it('is written by the npm script, which refuses a missing app id with what to set', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'samla-teams-'));
    try {
      const out = path.join(dir, 'samla-teams.zip');
      const run = promisify(execFile);
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
      await run(process.execPath, ['--import', 'tsx', 'scripts/teams-package.ts', out], { cwd: root, env: { ...env, TEAMS_APP_ID: APP_ID } });
      expect(Object.keys(unzipSync(readFileSync(out)))).toContain('manifest.json');

      const missing = await run(process.execPath, ['--import', 'tsx', 'scripts/teams-package.ts', path.join(dir, 'no.zip')], { cwd: root, env }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(missing?.code).toBe(1);
      expect(missing?.stderr).toContain("TEAMS_APP_ID is missing: set it to the bot's Microsoft app (client) id");
      expect(existsSync(path.join(dir, 'no.zip'))).toBe(false);
      expect(() => buildTeamsPackage(readEnv({ TEAMS_APP_ID: 'samla' }).teamsPackage)).toThrow(/Cannot build the Teams app package/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
