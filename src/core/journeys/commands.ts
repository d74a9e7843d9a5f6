/**
 * Text commands as people type them in a chat: forgiving case, accents, a leading slash and
 * extra spaces ("/Status", "oppgåver", "NESTE", "link steering 4204").
 */
export type ChatCommand =
  | { command: 'status'; args: string }
  | { command: 'tasks' }
  | { command: 'next' }
  | { command: 'help' }
  | { command: 'digest'; args: string }
  | { command: 'dashboard' }
  | { command: 'link_steering'; municipality: string }
  | { command: 'unknown'; text: string };

/** Lower case, no accents (å→a, ø→o, æ→ae), no leading slash, single spaces. */
export function normaliseCommandText(text: string): string {
  return text
    .replace(/[øØ]/g, 'o')
    .replace(/[æÆ]/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .trim()
    .replace(/^\/+/, '')
    .replace(/\s+/g, ' ');
}

export function parseCommand(text: string): ChatCommand {
  const original = text.trim().replace(/^\/+/, '').trim();
  const norm = normaliseCommandText(text);
  const [word = '', ...rest] = norm.split(' ');
  const args = original.slice(original.split(/\s+/)[0]?.length ?? 0).trim();
  switch (word) {
    case 'status':
      return { command: 'status', args };
    case 'oppgaver':
    case 'oppgave':
    case 'tasks':
    case 'task':
      return { command: 'tasks' };
    case 'neste':
    case 'next':
      return { command: 'next' };
    case 'hjelp':
    case 'help':
    case '?':
      return { command: 'help' };
    case 'digest':
    case 'oversikt':
      return { command: 'digest', args };
    case 'dashboard':
      return { command: 'dashboard' };
    case 'link':
    case 'kobl':
    case 'kople':
      if ((rest[0] === 'steering' || rest[0] === 'styringsgruppe') && rest[1]) return { command: 'link_steering', municipality: rest[1] };
      return { command: 'link_steering', municipality: '' };
    default:
      return { command: 'unknown', text: original };
  }
}
