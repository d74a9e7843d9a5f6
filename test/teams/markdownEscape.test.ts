/**
 * Text people typed reaches organisers' cards as text: rendered with the renderer Web Chat uses
 * (markdown-it, as botframework-webchat configures it: HTML, linkify and typographer on), no
 * form of Markdown link, image or HTML survives; only a bare address stays a link to itself.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { blockElements, plain } from '../../adapters/teams/cards.ts';
import { escapeMrkdwn } from '../../adapters/slack/mrkdwn.ts';

// markdown-it as Web Chat loads it (its own dependency, not one of Samla's).
const fromWebChat = createRequire(createRequire(import.meta.url).resolve('botframework-webchat'));
const MarkdownIt = fromWebChat('markdown-it') as new (opts: Record<string, boolean>) => { render(md: string): string };
const webChat = new MarkdownIt({ breaks: false, html: true, linkify: true, typographer: true, xhtmlOut: true });

const HOSTILE = [
  '[Logg inn](https://evil.example/phish)',
  '[Logg inn] (https://evil.example/phish)',
  'Se her: [Logg inn][1]\n\n[1]: https://evil.example/phish',
  'Se her: [Logg inn][]\n\n[logg inn]: https://evil.example/phish "Samla"',
  'Se [Logg inn]\n\n[Logg inn]: https://evil.example/phish',
  '  [1]: https://evil.example/phish\n[Logg inn][1]',
  '![sporing](https://evil.example/pixel.png)',
  '![sporing][p]\n\n[p]: https://evil.example/pixel.png',
  '<https://evil.example/phish>',
  '<a href="https://evil.example/phish">Logg inn</a>',
  '<img src="https://evil.example/pixel.png">',
  '<!-- skjult --> tekst',
  '> [Logg inn][1]\n> [1]: https://evil.example/phish',
];

/** The links in rendered HTML: [href, text]. */
function links(html: string): [string, string][] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gs)].map((m) => [decodeURI(m[1]!), m[2]!]);
}

describe('text people typed, in a Teams card', () => {
  it.each(HOSTILE)('renders as text in Web Chat: %j', (typed) => {
    // The unescaped text really is a link, image or HTML there (the test can fail).
    expect(webChat.render(typed)).toMatch(/<a\s|<img\s|<!--/);
    const html = webChat.render(plain(typed));
    expect(html).not.toMatch(/<img\s/);
    expect(html).not.toMatch(/<!--/);
    // Only the tags Markdown makes for plain paragraphs and quotes; no HTML from the text itself.
    const tags = [...html.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]!.toLowerCase());
    expect(tags.every((t) => ['p', 'blockquote', 'a', 'br'].includes(t))).toBe(true);
    // A link may only be a bare address shown as itself.
    for (const [href, text] of links(html)) expect(text.replace(/\u200B/g, '')).toBe(href);
    expect(html).not.toContain('>Logg inn</a>');
  });

  it('keeps the words readable, and a bare address a link to itself', () => {
    const html = webChat.render(plain('Les mer på https://arendal.kommune.no/helse og [Logg inn][1]'));
    expect(html).toContain('Logg inn');
    expect(links(html)).toEqual([['https://arendal.kommune.no/helse', 'https://arendal.kommune.no/helse']]);
  });

  it('escapes every text block of a card', () => {
    const typed = 'Se her: [Logg inn][1]\n\n[1]: https://evil.example/phish';
    const els = blockElements([
      { type: 'header', text: typed },
      { type: 'text', text: typed },
      { type: 'context', text: `Arendal: «${typed}»` },
      { type: 'facts', facts: [{ label: typed, value: typed }] },
    ]) as { text?: string; facts?: { title: string; value: string }[] }[];
    const texts = els.flatMap((e) => (e.facts ? e.facts.flatMap((f) => [f.title, f.value]) : [e.text!]));
    expect(texts).toHaveLength(5);
    for (const t of texts) {
      const html = webChat.render(t);
      expect(html).not.toContain('>Logg inn</a>');
      for (const [href, text] of links(html)) expect(text.replace(/\u200B/g, '')).toBe(href);
    }
  });
});

describe('text people typed, in Slack mrkdwn', () => {
  it('never becomes a <link|text>, a mention or a broadcast', () => {
    for (const typed of ['<https://evil.example/phish|Logg inn>', '<!channel>', '<@U0OLA>', '<!subteam^S1>']) {
      const out = escapeMrkdwn(typed);
      expect(out).not.toMatch(/[<>]/);
      expect(out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(typed);
    }
  });
});
