/**
 * The Chromium that browser tests drive with playwright-core, which never downloads one:
 * Debian's /usr/bin/chromium when it is installed, else the headless Chromium shipped inside the
 * npm package @sparticuz/chromium (held at 153.0.0, see the README), which unpacks itself into
 * the temp directory on first use (about 3 s; later runs reuse it).
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** No background traffic: the tests reach only 127.0.0.1. */
const QUIET = ['--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Which browser `launchChromium` starts, for messages. */
export function chromiumSource(): string {
  return executable(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : '@sparticuz/chromium';
}

export async function launchChromium(): Promise<Browser> {
  if (executable(DEBIAN_CHROMIUM)) {
    return chromium.launch({ executablePath: DEBIAN_CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', ...QUIET] });
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  return chromium.launch({ executablePath: await packaged.executablePath(), args: [...packaged.args, ...QUIET], headless: true });
}
