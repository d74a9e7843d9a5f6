import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cronProblem } from '../src/core/cron.ts';
import { formatOffset, offsetMinutes, parseOffset } from '../src/core/duration.ts';
import { SamlaError } from '../src/core/errors.ts';
import {
  DEFAULT_CHECKIN_QUESTIONS,
  DEFAULT_LAGGING,
  exportNetworkFile,
  parseNetworkFile,
} from '../src/core/networkFile.ts';
import { exampleNetwork } from './helpers/exampleNetwork.ts';

const EXAMPLE_URL = new URL('../examples/network.yaml', import.meta.url);
const EXAMPLE = readFileSync(EXAMPLE_URL, 'utf8');
const MALFORMED = new URL('./fixtures/malformed/', import.meta.url);

/** The example with some of its lines (1-based) replaced. */
function exampleWith(lines: Record<number, string>): string {
  return EXAMPLE.split('\n')
    .map((line, i) => lines[i + 1] ?? line)
    .join('\n');
}

/** The SamlaError a parse throws; fails the test when the text parses. */
function parseError(text: string, fileName = 'network.yaml'): SamlaError {
  try {
    parseNetworkFile(text, fileName);
  } catch (error) {
    if (error instanceof SamlaError) return error;
    throw error;
  }
  throw new Error('expected the file to be rejected, but it parsed');
}

const problems = (text: string) => parseError(text).details;

const MINIMAL = `id: mini-network
name: Minimal
timezone: Europe/Oslo
organisers:
  - { name: Ingrid Fjeld, email: ingrid@example.no, platform: teams }
municipalities:
  - id: "0301"
    name: Oslo
    platform: teams
gatherings:
  - id: kickoff
    title: Kick-off
    starts: 2027-03-01T10:00
    ends: 2027-03-01T14:00
`;

describe('the example network file', () => {
  const def = parseNetworkFile(EXAMPLE, fileURLToPath(EXAMPLE_URL));

  it('is accepted unchanged, with its network fields', () => {
    expect(def).toMatchObject({
      id: 'agder-helse-2027',
      name: 'Læringsnettverk helse og omsorg Agder 2027',
      programme: 'Kompetanseløft 2027',
      timezone: 'Europe/Oslo',
      locale: 'nb',
      organisers: [{ name: 'Ingrid Fjeld', email: 'ingrid.fjeld@example.no', platform: 'slack', locale: 'en' }],
    });
  });

  it('has the four municipalities with every role, party and chair as written', () => {
    expect(def.municipalities.map((m) => [m.id, m.name, m.platform, m.locale])).toEqual([
      ['4204', 'Kristiansand', 'slack', undefined],
      ['4203', 'Arendal', 'teams', undefined],
      ['4225', 'Lyngdal', 'teams', 'nn'],
      ['4207', 'Flekkefjord', 'slack', undefined],
    ]);
    expect(def.municipalities[0]?.steeringChannel).toBe('C07STEER4204');
    const people = def.municipalities.flatMap((m) =>
      m.members.map((p) => [m.id, p.name, p.roles.join('+'), p.party ?? '-', p.chair ?? false, p.locale ?? '-']),
    );
    expect(people).toEqual([
      ['4204', 'Ola Hansen', 'prosjektleder+kontaktperson', '-', false, '-'],
      ['4204', 'Siri Lund', 'styringsgruppe', 'administrasjon', true, '-'],
      ['4204', 'Per Berg', 'styringsgruppe', 'tillitsvalgt', false, '-'],
      ['4204', 'Anne Moe', 'refleksjonsgruppe+deltaker', '-', false, '-'],
      ['4203', 'Kjetil Dahl', 'prosjektleder', '-', false, '-'],
      ['4203', 'Hilde Vik', 'styringsgruppe', 'politiker', true, '-'],
      ['4203', 'Tone Aas', 'refleksjonsgruppe+deltaker', '-', false, '-'],
      ['4225', 'Eirik Solberg', 'prosjektleder', '-', false, 'nn'],
      ['4225', 'Marit Hauge', 'styringsgruppe', 'administrasjon', true, '-'],
      ['4207', 'Lars Eide', 'prosjektleder', '-', false, '-'],
    ]);
  });

  it('has the three gatherings with their tasks and offsets', () => {
    expect(def.gatherings.map((g) => [g.id, g.starts, g.ends, g.location, g.tasks.map((t) => t.id)])).toEqual([
      ['samling-1', '2027-02-10T09:00', '2027-02-11T15:00', 'Kristiansand', ['forankring']],
      ['samling-2', '2027-05-05T09:00', '2027-05-05T15:30', 'Arendal', ['swot', 'refleksjon-tema']],
      ['samling-3', '2027-10-27T09:00', '2027-10-27T15:00', 'Lyngdal', ['plan-utkast']],
    ]);
    const [first] = def.gatherings;
    expect(first?.tasks[0]).toEqual({
      id: 'forankring',
      title: 'Avklar mandat og sammensetning for styringsgruppen',
      for: ['prosjektleder', 'styringsgruppe'],
      send: { text: '-21d', sign: -1, amount: 21, unit: 'd' },
      due: { text: '-3d', sign: -1, amount: 3, unit: 'd' },
    });
    expect(first?.checkin).toEqual({ send: { text: '-3d', sign: -1, amount: 3, unit: 'd' } });
    expect(first?.reflection).toEqual({ send: { text: '+7d', sign: 1, amount: 7, unit: 'd' } });
  });

  it('has the check-in questions, status, digest, quiet hours and lagging thresholds', () => {
    expect(def.checkin.questions.map((q) => [q.id, q.kind, q.options])).toEqual([
      ['attending', 'choice', ['ja', 'nei', 'usikker']],
      ['prepared', 'choice', ['ja', 'delvis', 'nei']],
      ['need', 'text', undefined],
    ]);
    expect(def.status.every).toEqual({ text: '14d', sign: 1, amount: 14, unit: 'd' });
    expect(def.digest.cron).toBe('0 8 * * 1');
    expect(def.quiet).toEqual({ hours: { start: '08:00', end: '16:00' }, holidays: 'NO', weekends: true });
    expect(def.lagging).toEqual({
      status_stale_days: 28,
      prep_incomplete_days_before: 2,
      checkin_unanswered: true,
      steering_silent_days: 60,
      reflection_silent_days: 45,
    });
  });

  it('is exactly the hand-built example the calendar and agenda tests use', () => {
    expect(def).toStrictEqual(exampleNetwork());
  });
});

describe('defaults', () => {
  it('fills in every optional section of a minimal file', () => {
    const def = parseNetworkFile(MINIMAL, 'mini.yaml');
    expect(def.locale).toBe('nb');
    expect(def.programme).toBeUndefined();
    expect(def.municipalities[0]).toEqual({ id: '0301', name: 'Oslo', platform: 'teams', members: [] });
    expect(def.gatherings[0]).toEqual({
      id: 'kickoff',
      title: 'Kick-off',
      starts: '2027-03-01T10:00',
      ends: '2027-03-01T14:00',
      tasks: [],
    });
    expect(def.checkin.questions).toEqual(DEFAULT_CHECKIN_QUESTIONS);
    expect(def.checkin.questions.map((q) => q.id)).toEqual(['attending', 'prepared', 'need']);
    expect(def.status.every).toEqual({ text: '14d', sign: 1, amount: 14, unit: 'd' });
    expect(def.digest.cron).toBe('0 8 * * 1');
    expect(def.quiet).toEqual({ hours: { start: '08:00', end: '16:00' }, holidays: 'NO', weekends: true });
    expect(def.lagging).toEqual(DEFAULT_LAGGING);
  });

  it('does not share default objects between parses', () => {
    const a = parseNetworkFile(MINIMAL, 'mini.yaml');
    a.checkin.questions[0]!.text = 'changed';
    a.quiet.hours.start = '09:00';
    const b = parseNetworkFile(MINIMAL, 'mini.yaml');
    expect(b.checkin.questions[0]?.text).toBe('Kommer du på samlingen?');
    expect(b.quiet.hours.start).toBe('08:00');
  });

  it('fills in the rest of a section that is only partly written', () => {
    const def = parseNetworkFile(
      `${MINIMAL}quiet:\n  hours: "9:00-15:30"\nlagging:\n  status_stale_days: 21\n  checkin_unanswered: false\n`,
      'partial.yaml',
    );
    // A quiet section without holidays means no holiday rule; hours may have one digit.
    expect(def.quiet).toEqual({ hours: { start: '09:00', end: '15:30' }, weekends: true });
    expect(def.lagging).toEqual({ ...DEFAULT_LAGGING, status_stale_days: 21, checkin_unanswered: false });
  });
});

describe('accepted variations', () => {
  it('lets a person sit in several municipalities and also be an organiser', () => {
    const def = parseNetworkFile(
      exampleWith({
        33: '      - { name: Ingrid Fjeld, email: Ingrid.Fjeld@example.no, roles: [deltaker] }',
        40: '      - { name: Ola Hansen, email: ola.hansen@kristiansand.example.no, roles: [styringsgruppe], party: administrasjon, chair: true }',
      }),
      'network.yaml',
    );
    expect(def.municipalities[1]?.members[2]?.email).toBe('Ingrid.Fjeld@example.no');
    expect(def.municipalities[2]?.members[1]?.name).toBe('Ola Hansen');
  });

  it('accepts a task due at the start (0d), weeks, hours and minutes, and numeric check-in options', () => {
    const def = parseNetworkFile(
      exampleWith({
        57: '        send: -2w',
        58: '        due: 0d',
        59: '    checkin: { send: -90m }',
        60: '    reflection: { send: 2h }',
        97: '    - { id: score, kind: choice, text: Hvor nyttig var samlingen?, options: [1, 2, 3, 4, 5] }',
        107: '  holidays: no',
      }),
      'network.yaml',
    );
    const [g] = def.gatherings;
    expect(g?.tasks[0]?.send).toEqual({ text: '-2w', sign: -1, amount: 2, unit: 'w' });
    expect(g?.tasks[0]?.due).toEqual({ text: '0d', sign: 1, amount: 0, unit: 'd' });
    expect(g?.checkin?.send).toEqual({ text: '-90m', sign: -1, amount: 90, unit: 'm' });
    expect(g?.reflection?.send).toEqual({ text: '2h', sign: 1, amount: 2, unit: 'h' });
    expect(def.checkin.questions[2]?.options).toEqual(['1', '2', '3', '4', '5']);
    expect(def.quiet.holidays).toBe('NO');
  });
});

describe('export', () => {
  it('round-trips the example without loss', () => {
    const def = parseNetworkFile(EXAMPLE, 'network.yaml');
    expect(parseNetworkFile(exportNetworkFile(def), 'exported.yaml')).toStrictEqual(def);
  });

  it('round-trips a file that relies on every default', () => {
    const def = parseNetworkFile(MINIMAL, 'mini.yaml');
    const exported = exportNetworkFile(def);
    expect(parseNetworkFile(exported, 'exported.yaml')).toStrictEqual(def);
    expect(exported).toContain('  hours: "08:00-16:00"\n  holidays: NO\n');
  });

  it('round-trips no holiday rule, gatherings without tasks, and values YAML would misread', () => {
    const tricky = `id: tricky
name: "Samla: a network # with punctuation"
programme: "2027"
timezone: America/New_York
locale: en
organisers:
  - { name: "O'Brien, Pat", email: pat@example.com, platform: teams }
municipalities:
  - id: "0301"
    name: "yes"
    platform: slack
    members:
      - { name: "Ola [the] {leader}", email: ola@example.no, roles: [prosjektleder], platform: teams, locale: nn }
gatherings:
  - id: g1
    title: "- starts with a dash"
    starts: 2027-03-14T01:30:15
    ends: 2027-03-14T03:30
checkin:
  questions:
    - { id: q1, kind: choice, text: "Ready?", options: ["true", "null", "a, b"] }
quiet:
  hours: "07:00-21:00"
status:
  every: +1w
`;
    const def = parseNetworkFile(tricky, 'tricky.yaml');
    expect(def.quiet.holidays).toBeUndefined();
    expect(def.name).toBe('Samla: a network # with punctuation');
    const again = parseNetworkFile(exportNetworkFile(def), 'exported.yaml');
    expect(again).toStrictEqual(def);
  });

  it("writes the example's format: header, quoted numbers and schedules, flow members, offsets as written", () => {
    const text = exportNetworkFile(parseNetworkFile(EXAMPLE, 'network.yaml'));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^# Exported by Samla\b/);
    expect(text).toContain('\n  - id: "4204"\n');
    expect(text).toContain('\n    steering_channel: C07STEER4204\n');
    expect(text).toMatch(/\n {6}- \{ name: Siri Lund, email: siri\.lund@kristiansand\.example\.no, roles: \[ ?styringsgruppe ?\], party: administrasjon, chair: true \}\n/);
    expect(text).toContain('\n        send: -21d\n        due: -3d\n');
    expect(text).toContain('\n    checkin: { send: -3d }\n    reflection: { send: +7d }\n');
    expect(text).toContain('\n  every: 14d\n');
    expect(text).toContain('\n  cron: "0 8 * * 1"\n');
    expect(text).toContain('\n  hours: "08:00-16:00"\n  holidays: NO\n');
  });
});

describe('malformed network files', () => {
  const fixtures = readdirSync(MALFORMED)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 22 fixtures, each expecting a problem located in itself', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(22);
    for (const name of fixtures) {
      const firstLine = readFileSync(new URL(name, MALFORMED), 'utf8').split('\n')[0] ?? '';
      expect(firstLine.startsWith(`# expect: ${name}:`), name).toBe(true);
    }
  });

  it.each(fixtures)('%s is rejected with the expected, located problem', (name) => {
    const url = new URL(name, MALFORMED);
    const text = readFileSync(url, 'utf8');
    const expected = (text.split('\n')[0] ?? '').replace(/^# expect: /, '').trim();
    const error = parseError(text, fileURLToPath(url));
    expect(error.code).toBe('INVALID_INPUT');
    // Each detail starts with "<file>:<line> ", so a prefix match also checks the line number.
    expect(error.details).toContainEqual(expect.stringMatching(new RegExp(`^${escapeRegExp(expected)}`)));
  });
});

describe('problems in a network file', () => {
  it('reports all problems at once, sorted by line', () => {
    const details = problems(
      exampleWith({
        23: '      - { name: Ola Hansen, email: ola.hansen@kristiansand.example.no, roles: [leder] }',
        71: '        due: -5x',
        79: '  - id: samling-1',
        103: '  cron: "0 8 * * MON"',
        112: '  checkin_unanswered: yes',
      }),
    );
    expect(details.map((d) => d.split(' ')[0])).toEqual([
      'network.yaml:23',
      'network.yaml:71',
      'network.yaml:79',
      'network.yaml:103',
      'network.yaml:112',
    ]);
    expect(details[3]).toContain('use numbers: day of week 1 is Monday');
    expect(details[4]).toBe('network.yaml:112 lagging.checkin_unanswered: expected true or false (whether an unanswered check-in counts), found "yes"');
  });

  it('still finds duplicates in a list when one of its items has another problem', () => {
    const details = problems(exampleWith({ 27: '  - id: "4204"', 29: '    platform: skype' }));
    expect(details).toEqual([
      expect.stringMatching(/^network\.yaml:27 municipalities\[1\]\.id: kommunenummer "4204" is used by two municipalities.*\(see line 18\)$/),
      expect.stringMatching(/^network\.yaml:29 municipalities\[1\]\.platform: "skype" is not a platform/),
    ]);
  });

  it('uses only the last part of the path it was given, also a Windows path', () => {
    const text = exampleWith({ 8: 'timezone: Mars/Olympus' });
    expect(parseError(text, '/srv/networks/agder.yaml').details[0]).toMatch(/^agder\.yaml:8 timezone: /);
    expect(parseError(text, 'C:\\networks\\agder.yaml').details[0]).toMatch(/^agder\.yaml:8 timezone: /);
    expect(parseError(text).message).toBe('network.yaml is not a valid network file; fix the problem below and try again.');
  });

  it('asks for quotes around a kommunenummer YAML read as a number, keeping leading zeros', () => {
    expect(problems(MINIMAL.replace('id: "0301"', 'id: 0301'))).toEqual([
      'network.yaml:7 municipalities[0].id: 301 is read as a number; write the kommunenummer in quotes so it stays four digits: id: "0301"',
    ]);
  });

  it('points a missing field at its parent and an unknown field at its own line', () => {
    expect(problems(exampleWith({ 45: '      - { name: Lars Eide, email: lars.eide@flekkefjord.example.no, rolle: [prosjektleder] }' }))).toEqual([
      "network.yaml:45 municipalities[3].members[0].roles: missing; add the roles as a list",
      'network.yaml:45 municipalities[3].members[0].rolle: unknown field "rolle" in a member; did you mean roles? (a member has: name, email, roles, party, chair, locale, platform)',
    ]);
  });

  it('rejects chair on a member outside the steering group', () => {
    expect(problems(exampleWith({ 45: '      - { name: Lars Eide, email: lars.eide@flekkefjord.example.no, roles: [prosjektleder], chair: true }' }))).toEqual([
      "network.yaml:45 municipalities[3].members[0].chair: only a steering-group member can chair the steering group; add styringsgruppe to Lars Eide's roles, or remove chair: true",
    ]);
  });

  it('rejects options on a text question, a one-option choice and repeated ids', () => {
    const details = problems(
      exampleWith({
        95: '    - { id: attending, kind: choice, text: Kommer du?, options: [ja] }',
        96: '    - { id: attending, kind: choice, text: Er det gjort?, options: [ja, nei] }',
        97: '    - { id: need, kind: text, text: Hva trenger dere?, options: [mye, lite] }',
      }),
    );
    expect(details).toEqual([
      'network.yaml:95 checkin.questions[0].options: a choice question needs at least two options, like options: [ja, nei]; it has 1',
      'network.yaml:96 checkin.questions[1].id: question id "attending" is used twice; give each question its own id (see line 95)',
      'network.yaml:97 checkin.questions[2].options: a text question takes a free answer and has no options; remove options, or use kind: choice',
    ]);
  });

  it('rejects a positive send, a negative check-in and a non-positive status interval', () => {
    const details = problems(exampleWith({ 57: '        send: 3d', 77: '    checkin: { send: +1d }', 100: '  every: -14d' }));
    expect(details).toEqual([
      'network.yaml:57 gatherings[0].tasks[0].send: "3d" is not before the gathering; the task goes out before it starts, so write a negative duration like -21d',
      'network.yaml:77 gatherings[1].checkin.send: "+1d" is not before the gathering; the check-in goes out before it starts, so write a negative duration like -3d',
      'network.yaml:100 status.every: "-14d" is not a positive duration; write how long a project leader may go without a status, like 14d',
    ]);
  });

  it('explains durations without a unit, unsupported holidays, impossible dates and roles of organisers', () => {
    const details = problems(
      exampleWith({
        56: '        for: [organiser]',
        58: '        due: -3',
        81: '    starts: 2027-02-30T09:00',
        107: '  holidays: SE',
        113: '  steering_silent_days: -1',
      }),
    );
    expect(details).toEqual([
      'network.yaml:56 gatherings[0].tasks[0].for[0]: "organiser" is not a role; use one of: prosjektleder, kontaktperson, styringsgruppe, refleksjonsgruppe, deltaker; organisers are listed under organisers: at the top of the file',
      'network.yaml:58 gatherings[0].tasks[0].due: -3 has no unit; write it like -3d (w weeks, d days, h hours, m minutes)',
      'network.yaml:81 gatherings[2].starts: "2027-02-30T09:00" is not a real date and time; check the day, month and hour',
      'network.yaml:107 quiet.holidays: "SE": only NO (Norwegian public holidays) is supported; write NO, or leave holidays out to have no holiday rule',
      'network.yaml:113 lagging.steering_silent_days: -1 is not a whole number of days, 0 or more',
    ]);
  });

  it('reports a YAML syntax error at its line, and a repeated key', () => {
    expect(problems(exampleWith({ 49: '    title: "Oppstartssamling' }))).toEqual([
      'network.yaml:49 YAML syntax: a quoted value is not closed; add the closing ", or remove the opening one',
    ]);
    expect(problems(exampleWith({ 52: '    title: Samling en' }))).toEqual([
      'network.yaml:52 YAML syntax: this field appears twice in the same map; keep one of them',
    ]);
  });

  it('rejects an empty file and a file that is not a map', () => {
    expect(problems('# nothing here\n')).toEqual(['network.yaml:1 (file): the file is empty; start from the example network file']);
    expect(problems('- a\n- b\n')[0]).toMatch(/^network\.yaml:1 \(file\): expected the network file as a map \(id, name, /);
  });
});

describe('durations', () => {
  it('reads signs and units, unsigned meaning after', () => {
    expect(parseOffset('-14d')).toEqual({ text: '-14d', sign: -1, amount: 14, unit: 'd' });
    expect(parseOffset('+7d')).toEqual({ text: '+7d', sign: 1, amount: 7, unit: 'd' });
    expect(parseOffset('14d')).toEqual({ text: '14d', sign: 1, amount: 14, unit: 'd' });
    expect(parseOffset('2w')).toEqual({ text: '2w', sign: 1, amount: 2, unit: 'w' });
    expect(parseOffset('-2h')).toEqual({ text: '-2h', sign: -1, amount: 2, unit: 'h' });
    expect(parseOffset('-30m')).toEqual({ text: '-30m', sign: -1, amount: 30, unit: 'm' });
    expect(parseOffset(' -3d ')?.text).toBe('-3d');
  });

  it('rejects anything else', () => {
    for (const bad of ['-5x', '', '-', 'd', '1.5d', '-5', '5 d', '5D', '--5d', '+-5d', '5dd', '123456d']) {
      expect(parseOffset(bad), bad).toBeUndefined();
    }
  });

  it('formats as written and compares by length', () => {
    expect(formatOffset(parseOffset('+7d')!)).toBe('+7d');
    expect(offsetMinutes(parseOffset('-1w')!)).toBe(offsetMinutes(parseOffset('-7d')!));
    expect(offsetMinutes(parseOffset('-2h')!)).toBe(-120);
    expect(offsetMinutes(parseOffset('-0d')!)).toBe(0);
  });
});

describe('cron schedules', () => {
  it('accepts numbers, *, lists, ranges and steps', () => {
    for (const ok of ['0 8 * * 1', '*/15 8-16 * * 1-5', '0 8,12 1,15 * *', '30 7 * 1-6/2 0', '0 0 * * 7', '5 4 31 12 *']) {
      expect(cronProblem(ok), ok).toBeUndefined();
    }
  });

  it('says what is wrong', () => {
    expect(cronProblem('0 8 * *')).toBe('it has 4 fields, not 5 (minute hour day-of-month month day-of-week)');
    expect(cronProblem('0 24 * * 1')).toBe('the hour 24 is outside 0-23');
    expect(cronProblem('0 8 0 * 1')).toBe('the day of month 0 is outside 1-31');
    expect(cronProblem('0 8 * * 8')).toBe('the day of week 8 is outside 0-7');
    expect(cronProblem('0 8 * * 5-1')).toContain('runs backwards');
    expect(cronProblem('*/0 8 * * 1')).toContain('step of 0');
    expect(cronProblem('5/15 8 * * 1')).toContain('step after a single number');
    expect(cronProblem('0 8 * * MON')).toContain('use numbers');
    expect(cronProblem('0 8 ** * 1')).toContain('is not a number');
    expect(cronProblem('@weekly')).toContain('it has 1 field,');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
