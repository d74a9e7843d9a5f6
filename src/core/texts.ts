/**
 * Texts for people come from `prompts/<locale>.yaml`; the core only sees this interface.
 * Keys are dotted paths ("task.intro"); `{name}` placeholders are filled from `vars`.
 */
import { LOCALES, type Locale } from './model.ts';

export type Catalogue = { [key: string]: string | Catalogue };

export interface Texts {
  /** The text for `key` in `locale`, falling back to bokmål; throws on an unknown key (a bug). */
  t(locale: Locale, key: string, vars?: Record<string, string | number>): string;
  has(key: string): boolean;
}

/** Flattens a nested catalogue into dotted keys. */
export function flatten(c: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(c)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

/** The `{placeholders}` a text uses, sorted. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!))].sort();
}

export function createTexts(catalogues: Record<Locale, Catalogue>): Texts {
  const flat = Object.fromEntries(LOCALES.map((l) => [l, flatten(catalogues[l])])) as Record<Locale, Map<string, string>>;
  return {
    has: (key) => flat.nb.has(key),
    t(locale, key, vars = {}) {
      const text = flat[locale]?.get(key) ?? flat.nb.get(key);
      if (text === undefined) throw new Error(`No text "${key}" in prompts/`);
      return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
    },
  };
}
