/**
 * Server-rendered HTML: escaping, the page frame with the language switch, and the one style
 * sheet. No build step and no framework; the only script from a package is Web Chat's bundle.
 */
import { LOCALES, type Locale } from '../core/model.ts';
import type { Texts } from '../core/texts.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The locale asked for with `?lang=`, else bokmål. */
export function localeParam(value: unknown): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : 'nb';
}

export const HTML_LANG: Record<Locale, string> = { nb: 'nb', nn: 'nn', en: 'en' };

/** `path` with `lang` (and other query values) set. */
export function href(path: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export interface PageOptions {
  locale: Locale;
  texts: Texts;
  title: string;
  /** The page's own path and query, for the language links. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Which nav item is current. */
  current?: 'chat' | 'dashboard';
  /** Show the chat link (demo mode). */
  chat?: boolean;
  /** Extra things for the header's right side (already HTML). */
  headerRight?: string;
  body: string;
  scripts?: string[];
}

export function page(o: PageOptions): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, `web.${key}`, vars);
  const langs = LOCALES.map((l) =>
    l === o.locale
      ? `<strong aria-current="true">${esc(l)}</strong>`
      : `<a href="${esc(href(o.path, { ...o.query, lang: l }))}" hreflang="${l}" lang="${l}">${esc(l)}</a>`,
  ).join(' ');
  const nav = [
    o.chat ? `<a href="${esc(href('/chat', { lang: o.locale }))}"${o.current === 'chat' ? ' aria-current="page"' : ''}>${esc(t('nav_chat'))}</a>` : '',
    `<a href="${esc(href('/dashboard', { lang: o.locale }))}"${o.current === 'dashboard' ? ' aria-current="page"' : ''}>${esc(t('nav_dashboard'))}</a>`,
  ].join('');
  return `<!doctype html>
<html lang="${HTML_LANG[o.locale]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} · Samla</title>
<link rel="stylesheet" href="/assets/samla.css">
</head>
<body>
<header class="top">
  <a class="brand" href="${esc(href(o.chat ? '/chat' : '/dashboard', { lang: o.locale }))}">Samla</a>
  <nav aria-label="${esc(t('nav_label'))}">${nav}</nav>
  <div class="right">${o.headerRight ?? ''}<span class="langs" aria-label="${esc(t('lang_label'))}">${langs}</span></div>
</header>
${o.body}
${(o.scripts ?? []).map((s) => `<script src="${esc(s)}"></script>`).join('\n')}
</body>
</html>`;
}

/** A page that only says why not (401, 403, 503). */
export function messagePage(o: Omit<PageOptions, 'body'> & { heading: string; message: string }): string {
  return page({ ...o, body: `<main class="narrow"><h1>${esc(o.heading)}</h1><p>${esc(o.message)}</p></main>` });
}

export const STYLES = `
:root { --fg: #1d2433; --muted: #5b6475; --line: #d9dee8; --bg: #f6f7fa; --card: #fff; --accent: #2f5d8a;
  --high: #c0392b; --medium: #d68910; --low: #7f8c8d; --ok: #2e8b57; --behind: #d68910; --help: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #1f3b57; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; font-size: 1.15rem; }
header.top nav a { margin-right: 1rem; opacity: .85; }
header.top nav a[aria-current] { opacity: 1; border-bottom: 2px solid #fff; }
header.top .right { margin-left: auto; display: flex; gap: 1rem; align-items: center; }
header.top .langs a, header.top .langs strong { margin-left: .35rem; }
main { padding: 1rem 1.2rem 3rem; }
main.narrow { max-width: 40rem; margin: 2rem auto; }
h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
h3 { font-size: 1rem; margin: .6rem 0 .3rem; }
.muted { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
.grid2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td ul { margin: 0; padding-left: 1.1rem; }
table.signals th.kind { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: 500; font-size: .8rem; white-space: nowrap; text-align: left; }
table.signals td.cell { text-align: center; }
.dot { display: inline-block; width: .9rem; height: .9rem; border-radius: 50%; }
.dot.high { background: var(--high); } .dot.medium { background: var(--medium); } .dot.low { background: var(--low); }
.none { color: var(--line); }
.legend span { margin-right: 1rem; white-space: nowrap; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.networks a { margin-right: 1rem; }
.networks a[aria-current] { font-weight: 700; text-decoration: none; color: var(--fg); }
.meter { background: var(--line); border-radius: 4px; height: .6rem; overflow: hidden; }
.meter > span { display: block; height: 100%; background: var(--ok); }
.big { font-size: 1.6rem; font-weight: 700; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .8rem; margin: .4rem 0 .8rem; }
.digest { max-width: 44rem; }
.digest .header { font-weight: 700; margin-top: .6rem; }
.digest .context { color: var(--muted); font-size: .9rem; }
.digest hr { border: 0; border-top: 1px solid var(--line); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(26rem, 1fr)); gap: 1rem; }
svg.status text { font-size: 11px; fill: var(--muted); }
blockquote { margin: .3rem 0; padding: .2rem .6rem; border-left: 3px solid var(--line); }
/* chat page */
.chat-layout { display: grid; grid-template-columns: 22rem minmax(0, 1fr); gap: 1rem; padding: 1rem 1.2rem; height: calc(100vh - 3rem); }
@media (max-width: 900px) { .chat-layout { grid-template-columns: 1fr; height: auto; } }
.side { overflow: auto; }
.side label { display: block; font-weight: 600; margin-bottom: .3rem; }
.side select { width: 100%; font-size: 1rem; padding: .3rem; }
.webchat-box { background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; min-height: 30rem; display: flex; flex-direction: column; }
#webchat { flex: 1; min-height: 0; }
.empty { padding: 2rem; color: var(--muted); }
#webchat-status { padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
.upcoming { list-style: none; padding: 0; margin: .4rem 0; }
.upcoming li { display: flex; gap: .5rem; align-items: baseline; justify-content: space-between; padding: .35rem 0; border-bottom: 1px solid var(--line); }
.upcoming li small { color: var(--muted); display: block; }
button { font: inherit; padding: .3rem .7rem; border: 1px solid var(--accent); border-radius: 5px; background: #fff; color: var(--accent); cursor: pointer; }
button.primary { background: var(--accent); color: #fff; }
button:disabled { opacity: .5; cursor: wait; }
.clock { font-size: 1.05rem; font-weight: 600; }
.status-line { min-height: 1.4rem; color: var(--muted); }
`;
