/**
 * The digest as data for organisers' own tools: `samla digest <network> --csv` writes one row
 * per municipality and signal, with the reason in English and the evidence as JSON, so a
 * spreadsheet can sort and filter it; `--json` gives the Digest object itself.
 */
import type { NetworkDefinition } from '../model.ts';
import type { Texts } from '../texts.ts';
import type { Digest } from './digest.ts';
import { reasonText } from './reasons.ts';

export const DIGEST_CSV_COLUMNS = ['network', 'municipality', 'name', 'kind', 'severity', 'new', 'reason', 'evidence'] as const;

/** One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The digest as CSV (RFC 4180, CRLF line ends): a header, then a row per municipality × signal, most serious first. */
export function digestCsv(texts: Texts, def: NetworkDefinition, d: Digest): string {
  const rows: string[][] = [[...DIGEST_CSV_COLUMNS]];
  for (const a of d.attention) {
    for (const s of a.signals) {
      rows.push([d.network, a.municipality, a.name, s.kind, s.severity, a.new.includes(s.kind) ? 'yes' : 'no', reasonText(texts, 'en', def, s), JSON.stringify(s.evidence)]);
    }
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
