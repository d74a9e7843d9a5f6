/**
 * Loads `prompts/nb.yaml`, `nn.yaml` and `en.yaml` and checks they agree: the same keys and the
 * same placeholders in every language, so no person ever gets a missing or half-filled text.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { SamlaError } from '../core/errors.ts';
import { LOCALES, type Locale } from '../core/model.ts';
import { createTexts, flatten, placeholders, type Catalogue, type Texts } from '../core/texts.ts';

const PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

const catalogueSchema: z.ZodType<Catalogue> = z.lazy(() => z.record(z.string(), z.union([z.string().min(1), catalogueSchema])));

export function loadCatalogues(dir = PROMPTS_DIR): Record<Locale, Catalogue> {
  const out = {} as Record<Locale, Catalogue>;
  for (const locale of LOCALES) {
    const file = `${dir}${locale}.yaml`;
    const parsed = catalogueSchema.safeParse(parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      throw new SamlaError('INTERNAL', `${file} is not a valid prompt file`, {
        details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    }
    out[locale] = parsed.data;
  }
  return out;
}

/** Differences between the locales' keys and placeholders; empty when they agree. */
export function catalogueProblems(catalogues: Record<Locale, Catalogue>): string[] {
  const problems: string[] = [];
  const base = flatten(catalogues.nb);
  for (const locale of LOCALES) {
    const flat = flatten(catalogues[locale]);
    for (const key of base.keys()) if (!flat.has(key)) problems.push(`${locale}.yaml lacks ${key}`);
    for (const [key, text] of flat) {
      const nb = base.get(key);
      if (nb === undefined) problems.push(`${locale}.yaml has ${key}, which nb.yaml lacks`);
      else if (placeholders(nb).join() !== placeholders(text).join()) {
        problems.push(`${locale}.yaml ${key} uses {${placeholders(text).join('},{')}} but nb.yaml uses {${placeholders(nb).join('},{')}}`);
      }
    }
  }
  return problems;
}

export function loadTexts(dir = PROMPTS_DIR): Texts {
  const catalogues = loadCatalogues(dir);
  const problems = catalogueProblems(catalogues);
  if (problems.length) throw new SamlaError('INTERNAL', 'The prompt files disagree', { details: problems });
  return createTexts(catalogues);
}
