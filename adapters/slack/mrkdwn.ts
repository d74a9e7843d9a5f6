/**
 * Text as Slack shows it. Drafts carry plain text (what people typed, texts from prompts/), so
 * everything that goes into a `mrkdwn` field is escaped: `&`, `<` and `>` become entities, and
 * `<!channel>`, `<!here>` or `<@U123>` typed into a status cannot ping anyone.
 */

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The ellipsis that marks text Samla cut to fit a Block Kit limit. */
export const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `max` characters (UTF-16 units, as Slack counts), ending with "…" when
 * cut, and never in the middle of a surrogate pair or an escaped entity.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - ELLIPSIS.length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(/&(?:a(?:m(?:p)?)?|l(?:t)?|g(?:t)?)?$/, '');
  return `${cut}${ELLIPSIS}`;
}

/** Escapes, then truncates: for mrkdwn fields with a length limit. */
export function mrkdwn(text: string, max: number): string {
  return truncate(escapeMrkdwn(text), max);
}
