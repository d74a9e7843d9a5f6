/**
 * Norwegian national identity numbers (fødselsnummer, and D- and H-numbers) in free text.
 * Reflection notes must not carry them; a note that seems to holds one is confirmed first.
 */

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function checkDigit(digits: number[], weights: number[]): number | undefined {
  const sum = weights.reduce((acc, w, i) => acc + w * digits[i]!, 0);
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  if (k === 10) return undefined; // no valid number has this
  return k;
}

/**
 * True for 11 digits whose two check digits are valid and whose first six digits are a
 * plausible date (day 1-31, or 41-71 for a D-number; month 1-12, or 41-52 for an H-number,
 * or +80 for synthetic test numbers).
 */
export function isNationalIdentityNumber(candidate: string): boolean {
  if (!/^\d{11}$/.test(candidate)) return false;
  const d = [...candidate].map(Number);
  const day = d[0]! * 10 + d[1]!;
  const month = d[2]! * 10 + d[3]!;
  const dayOk = (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
  const m = month > 80 ? month - 80 : month > 40 ? month - 40 : month;
  if (!dayOk || m < 1 || m > 12) return false;
  const k1 = checkDigit(d, W1);
  if (k1 === undefined || k1 !== d[9]) return false;
  const k2 = checkDigit(d, W2);
  return k2 !== undefined && k2 === d[10];
}

/**
 * The identity numbers that appear in a text, written as 11 digits in a row or as
 * "DDMMYY NNNNN" / "DDMMYY-NNNNN" / "DDMMYY.NNNNN".
 */
export function findNationalIdentityNumbers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?<!\d)(\d{6})[ .-]?(\d{5})(?!\d)/g)) {
    const candidate = m[1]! + m[2]!;
    if (isNationalIdentityNumber(candidate)) found.push(candidate);
  }
  return found;
}
