/**
 * The network file's format as a zod schema: which fields exist, what each may hold, the rules
 * between fields, and for every problem a message that tells the organiser what to write
 * instead. Issue paths use the file's own keys (`gatherings[1].tasks[0].due`) so the parser can
 * point at the line. The output keeps the file's shape; networkFile.ts turns it into a
 * NetworkDefinition and fills in defaults.
 *
 * Rules within one object (send before due, a party only for the steering group) run once that
 * object's own fields are valid. Rules across the items of a list (duplicate ids and emails, one
 * chair) run even when some items are invalid, so they are reported together with the rest.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { cronProblem } from './cron.ts';
import { offsetMinutes, parseOffset } from './duration.ts';
import { LOCALES, MEMBER_ROLES, PARTIES, PLATFORMS, QUESTION_KINDS, type Offset } from './model.ts';
import { normaliseEmail } from './people.ts';

/* ---------- messages ---------- */

/** How a value from the file reads in a message: "-5x", the number 4204, true, a list, a map. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'nothing';
  return Array.isArray(value) ? 'a list' : 'a map';
}

/** The message for a value that is missing, empty, or of another kind than `expected`. */
function wrongKind(expected: string, input: unknown, options: { hint?: string; missing?: string } = {}): string {
  if (input === undefined) return `missing; ${options.missing ?? `add ${expected}`}`;
  if (input === null) return `is empty; write ${expected}`;
  return `expected ${expected}, found ${describeValue(input)}${options.hint ?? ''}`;
}

/** For text fields given a number or true/false by YAML. */
function quoteHint(input: unknown): string {
  return typeof input === 'number' || typeof input === 'boolean' ? `; put it in quotes: "${String(input)}"` : '';
}

/** For number fields given a quoted number. */
function unquoteHint(input: unknown): string {
  return typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input)) ? '; write it without quotes' : '';
}

/** Adds a problem at the current value and returns z.NEVER, for use in transforms. */
function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/* ---------- building blocks ---------- */

/**
 * A value that must also pass `problem` (which says what is wrong, or returns undefined).
 * Written as a transform on purpose: its problem stops the rules of the enclosing object (ends
 * after starts, send before due), which an ordinary zod check would run on the bad value, yet
 * it does not stop the duplicate checks of the lists around it, which `abort: true` would.
 */
function validated<T extends z.ZodType>(schema: T, problem: (value: z.output<T>) => string | undefined) {
  return schema.transform((value, ctx) => {
    const message = problem(value);
    return message === undefined ? value : fail(ctx, message);
  });
}

/** A non-empty text, trimmed. */
function text(what: string) {
  return validated(
    z.string({ error: (iss) => wrongKind(what, iss.input, { hint: quoteHint(iss.input) }) }).trim(),
    (s) => (s === '' ? `is empty; write ${what}` : undefined),
  );
}

/** A text that must match `pattern`; `problem` explains a mismatch, given the value as quoted. */
function matching(what: string, pattern: RegExp, problem: (quoted: string) => string) {
  return validated(
    z.string({ error: (iss) => wrongKind(what, iss.input, { hint: quoteHint(iss.input) }) }).trim(),
    (s) => (pattern.test(s) ? undefined : problem(describeValue(s))),
  );
}

/** One of a fixed set of words; the message names them all. */
function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  noun: string,
  explain: (input: string) => string = () => '',
) {
  const choices = values.join(', ');
  return z.enum(values, {
    error: (iss) =>
      typeof iss.input === 'string'
        ? `${describeValue(iss.input)} is not a ${noun}; use one of: ${choices}${explain(iss.input)}`
        : wrongKind(`a ${noun} (${choices})`, iss.input),
  });
}

/** A list; `what` names its items in messages ("the members"). */
function listOf<T extends z.ZodType>(what: string, item: T, missing?: string) {
  return z.array(item, { error: (iss) => wrongKind(`${what} as a list`, iss.input, { missing }) });
}

/**
 * A map with exactly these fields. An unknown field (a typo like `sned:`) is an error that names
 * the closest known field; the unrecognized_keys message has one line per unknown key, in the
 * order of the issue's `keys`, so the parser can point at each key's own line.
 */
function fields<S extends z.core.$ZodLooseShape>(noun: string, shape: S) {
  const names = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? iss.keys.map((key) => unknownField(key, noun, names)).join('\n')
        : wrongKind(`${noun} as a map (${names.join(', ')})`, iss.input),
  });
}

/** Keys longer than this get no "did you mean" (no field name is that long) and are shown cut. */
export const SUGGEST_MAX_KEY = 64;

function unknownField(key: string, noun: string, names: readonly string[]): string {
  const guess = closest(key, names);
  const shown = key.length > SUGGEST_MAX_KEY ? `"${key.slice(0, SUGGEST_MAX_KEY)}…" (${key.length} characters)` : `"${key}"`;
  return guess
    ? `unknown field ${shown} in ${noun}; did you mean ${guess}? (${noun} has: ${names.join(', ')})`
    : `unknown field ${shown} in ${noun}; remove it or use one of: ${names.join(', ')}`;
}

/**
 * The known name a mistyped one was most likely meant to be, if any is close. The work is
 * bounded: a key longer than SUGGEST_MAX_KEY is no typo of a field name, and a name whose length
 * differs by more than the allowed distance is never compared (the distance is at least that).
 */
function closest(key: string, names: readonly string[]): string | undefined {
  if (key.length > SUGGEST_MAX_KEY) return undefined;
  const plain = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const typed = plain(key);
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const known = plain(name);
    if (Math.abs(typed.length - known.length) > 2) continue;
    const distance = editDistance(typed, known);
    if (distance <= (name.length <= 4 ? 1 : 2) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/* ---------- rules across the items of a list ---------- */

/** Runs a list check whatever else is wrong in the list, reading the items defensively. */
const ALWAYS = { when: () => true };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reports every item whose `field` repeats an earlier item's (compared after `key`), at that
 * item's field. The issue's `params.duplicateOf` is the earlier item's index, so the parser can
 * say on which line it is.
 */
function unique<T extends z.ZodType>(
  list: T,
  field: string,
  message: (value: string) => string,
  key: (value: string) => string = (value) => value,
): T {
  return list.superRefine((items: unknown, ctx) => {
    if (!Array.isArray(items)) return;
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const value = isRecord(item) ? item[field] : undefined;
      if (typeof value !== 'string') return;
      const first = seen.get(key(value));
      if (first === undefined) seen.set(key(value), index);
      else ctx.addIssue({ code: 'custom', path: [index, field], message: message(value), params: { duplicateOf: first } });
    });
  }, ALWAYS);
}

function nameOf(item: unknown): string {
  return isRecord(item) && typeof item.name === 'string' ? item.name : 'another member';
}

/** A steering group has at most one chair. */
function oneChair<T extends z.ZodType>(members: T): T {
  return members.superRefine((items: unknown, ctx) => {
    if (!Array.isArray(items)) return;
    const chairs = items.flatMap((item, index) => (isRecord(item) && item.chair === true ? [index] : []));
    const [first, ...others] = chairs;
    const chairName = nameOf(items[first ?? -1]);
    for (const index of others) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'chair'],
        message: `${chairName} already chairs this steering group; a steering group has one chair, so keep chair: true on one member only`,
        params: { duplicateOf: first },
      });
    }
  }, ALWAYS);
}

/* ---------- values ---------- */

const NETWORK_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
const LOCAL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const KOMMUNENUMMER = /^\d{4}$/;
const EMAIL = /^[^\s@]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}$/u;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const TRAILING_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const QUIET_HOURS = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

const networkId = matching(
  'the network id, like agder-helse-2027',
  NETWORK_ID,
  (v) => `${v} is not a valid network id; use 2-63 lower-case letters a-z, digits and hyphens, starting with a letter or digit, like agder-helse-2027`,
);

/** Ids of gatherings, tasks and questions: they end up in stored keys and button ids. */
function localId(example: string) {
  return matching(
    `an id like ${example}`,
    LOCAL_ID,
    (v) => `${v} is not a valid id; use letters, digits, - and _ without spaces, like ${example}`,
  );
}

const kommunenummer = validated(z.string({ error: (iss) => kommunenummerTypeProblem(iss.input) }).trim(), (s) =>
  KOMMUNENUMMER.test(s)
    ? undefined
    : `${describeValue(s)} is not a kommunenummer; write the municipality's four digits in quotes, like "4204"`,
);

function kommunenummerTypeProblem(input: unknown): string {
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0 && input <= 9999) {
    const digits = String(input).padStart(4, '0');
    return `${input} is read as a number; write the kommunenummer in quotes so it stays four digits: id: "${digits}"`;
  }
  return wrongKind(`the kommunenummer in quotes, like "4204"`, input);
}

/**
 * An address Slack and Teams can look people up by: the domain may have letters like æ, ø, å;
 * the part before "@" must pass zod's email rule (letters a-z, digits, and . _ ' + -), so
 * `{tone}@…` or `"a b"@…` (valid to RFC 5322, refused by the platforms, and braces would be a
 * Redis Cluster hash tag in Samla's keys) never reaches a delivery.
 */
const zodEmail = z.email();
export function isDeliverableEmail(address: string): boolean {
  const at = address.lastIndexOf('@');
  return EMAIL.test(address) && zodEmail.safeParse(`${address.slice(0, at)}@example.no`).success;
}

const email = validated(
  z.string({ error: (iss) => wrongKind('an email address', iss.input, { hint: quoteHint(iss.input) }) }).trim(),
  (s) =>
    isDeliverableEmail(s)
      ? undefined
      : `${describeValue(s)} is not a valid email address; write it like ola.hansen@kristiansand.kommune.no (letters a-z, digits and . _ ' + - before the @)`,
);

const timezone = validated(z.string({ error: (iss) => wrongKind('a time zone like Europe/Oslo', iss.input) }).trim(), (zone) =>
  IANAZone.isValidZone(zone) ? undefined : `${describeValue(zone)} is not a known time zone; use an IANA name like Europe/Oslo`,
);

const TENANT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Microsoft Entra tenant id, written in lower case. */
const tenant = matching(
  'the Microsoft 365 tenant id, a GUID',
  TENANT_GUID,
  (v) => `${v} is not a tenant id; write the directory (tenant) id from the Microsoft Entra admin center, a GUID like 0d7f3c2e-1111-4a4a-9b9b-a9de00000001`,
).transform((v) => v.toLowerCase());

const locale = oneOf(LOCALES, 'locale', () => ' (nb bokmål, nn nynorsk, en English)');
const platform = oneOf(PLATFORMS, 'platform');
const party = oneOf(PARTIES, 'steering-group party');
const role = oneOf(MEMBER_ROLES, 'role', (input) =>
  input.startsWith('organi') ? '; organisers are listed under organisers: at the top of the file' : '',
);

function roleList(what: string) {
  return validated(listOf(what, role), (roles) => {
    if (roles.length === 0) return `is empty; list at least one role: ${MEMBER_ROLES.join(', ')}`;
    const twice = roles.find((r, index) => roles.indexOf(r) !== index);
    return twice === undefined ? undefined : `${twice} is listed twice; list each role once`;
  });
}

const flag = (what: string) =>
  z.boolean({ error: (iss) => wrongKind(`true or false (${what})`, iss.input) });

/** A whole number of days, 0 or more. */
const days = validated(
  z.number({ error: (iss) => wrongKind('a whole number of days', iss.input, { hint: unquoteHint(iss.input) }) }),
  (n) => (Number.isInteger(n) && n >= 0 ? undefined : `${n} is not a whole number of days, 0 or more`),
);

/* ---------- durations ---------- */

type OffsetRule = (offset: Offset) => string | undefined;

/** A duration like "-3d"; `rule` says whether it may point before or after the gathering. */
function duration(example: string, rule: OffsetRule) {
  return z
    .string({
      error: (iss) =>
        typeof iss.input === 'number'
          ? `${iss.input} has no unit; write it like ${iss.input}d (w weeks, d days, h hours, m minutes)`
          : wrongKind(`a duration like ${example}`, iss.input),
    })
    .transform((written, ctx): Offset => {
      const offset = parseOffset(written);
      if (offset === undefined) {
        return fail(ctx, `${describeValue(written)} is not a duration like ${example}; write an optional sign, a whole number and a unit: w, d, h or m`);
      }
      const problem = rule(offset);
      return problem === undefined ? offset : fail(ctx, problem);
    });
}

function beforeTheGathering(what: string, example: string): OffsetRule {
  return (o) =>
    offsetMinutes(o) < 0
      ? undefined
      : `"${o.text}" is not before the gathering; ${what} goes out before it starts, so write a negative duration like ${example}`;
}

const dueRule: OffsetRule = (o) =>
  offsetMinutes(o) <= 0
    ? undefined
    : `"${o.text}" is after the gathering starts; a task must be due before it, so write a negative duration like -5d (or 0d for the start)`;

const reflectionRule: OffsetRule = (o) =>
  offsetMinutes(o) > 0
    ? undefined
    : `"${o.text}" is not after the gathering; the reflection prompt goes out after it, so write a positive duration like +7d`;

const statusEveryRule: OffsetRule = (o) =>
  offsetMinutes(o) > 0
    ? undefined
    : `"${o.text}" is not a positive duration; write how long a project leader may go without a status, like 14d`;

/* ---------- times and schedules ---------- */

/**
 * What is wrong with a local date-time ("2027-02-10T09:00", seconds optional, no offset), or
 * undefined. With a `zone`, a wall time skipped by the spring-forward switch is wrong too.
 */
function localDateTimeProblem(local: string, zone: string | undefined): string | undefined {
  const match = LOCAL_DATE_TIME.exec(local);
  if (!match) {
    const withoutOffset = local.replace(TRAILING_OFFSET, '');
    const hint =
      withoutOffset !== local && LOCAL_DATE_TIME.test(withoutOffset)
        ? `; leave out the offset, since times are local in the network's timezone`
        : ' (date, T, 24-hour time)';
    return `${describeValue(local)} is not a local date and time like 2027-02-10T09:00${hint}`;
  }
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const wanted = { year, month, day, hour, minute, second: Number.isNaN(second) ? 0 : second };
  const dt = DateTime.fromObject(wanted, { zone: zone ?? 'UTC' });
  if (!dt.isValid) return `${describeValue(local)} is not a real date and time; check the day, month and hour`;
  if (dt.day !== day || dt.hour !== hour || dt.minute !== minute) {
    return `${describeValue(local)} does not exist in ${zone}: the clocks skip that hour for daylight saving time; pick another time, like ${dt.toFormat("yyyy-MM-dd'T'HH:mm")}`;
  }
  return undefined;
}

function localDateTime(zone: string | undefined) {
  return validated(
    z.string({ error: (iss) => wrongKind('a local date and time like 2027-02-10T09:00', iss.input) }).trim(),
    (local) => localDateTimeProblem(local, zone),
  );
}

function instantOf(local: string, zone: string | undefined): number {
  return DateTime.fromISO(local, { zone: zone ?? 'UTC' }).toMillis();
}

/** "08:00-16:00" (hours may have one digit) as { start, end }, or what is wrong with it. */
function readQuietHours(written: string): { start: string; end: string } | { problem: string } {
  const match = QUIET_HOURS.exec(written.trim());
  const start = match ? clockTime(match[1], match[2]) : undefined;
  const end = match ? clockTime(match[3], match[4]) : undefined;
  if (!start || !end) {
    return { problem: `${describeValue(written)} is not a time window like "08:00-16:00" (start-end, 24-hour clock)` };
  }
  if (start >= end) {
    return { problem: `${describeValue(written)} does not end after it starts; write a window within one day, like "08:00-16:00"` };
  }
  return { start, end };
}

function clockTime(hours: string | undefined, minutes: string | undefined): string | undefined {
  const h = Number(hours);
  const m = Number(minutes);
  return h <= 23 && m <= 59 ? `${String(h).padStart(2, '0')}:${minutes}` : undefined;
}

const quietHours = z
  .string({ error: (iss) => wrongKind('a sending window like "08:00-16:00"', iss.input) })
  .transform((written, ctx) => {
    const window = readQuietHours(written);
    return 'problem' in window ? fail(ctx, window.problem) : window;
  });

const holidays = z
  .string({ error: (iss) => wrongKind('a country code: NO', iss.input) })
  .trim()
  .transform((written, ctx) => {
    const code = written.toUpperCase();
    if (!/^[A-Z]{2}$/.test(code)) {
      return fail(ctx, `${describeValue(written)} is not a two-letter country code; write NO for Norwegian public holidays`);
    }
    if (code !== 'NO') {
      return fail(ctx, `${describeValue(written)}: only NO (Norwegian public holidays) is supported; write NO, or leave holidays out to have no holiday rule`);
    }
    return code;
  });

const cron = validated(z.string({ error: (iss) => wrongKind('a cron schedule like "0 8 * * 1"', iss.input) }).trim(), (expression) => {
  const problem = cronProblem(expression);
  return problem && `${describeValue(expression)} is not a valid cron schedule: ${problem}; for example "0 8 * * 1" is Mondays at 08:00`;
});

/** A Slack workspace (team) id, "T" and capitals or digits, as in the workspace's URL or About page. */
const slackTeam = matching(
  'a Slack workspace id like "T01ABCDEF"',
  /^T[A-Z0-9]+$/,
  (v) => `${v} is not a Slack workspace id; write the id that starts with T (in Slack: the workspace name → Tools & settings → Workspace settings shows it in the address), like "T01ABCDEF"`,
);

/* ---------- the sections ---------- */

const organiser = fields('an organiser', {
  name: text("the organiser's name"),
  email,
  platform,
  locale: locale.optional(),
  tenant: tenant.optional(),
  slack_team: slackTeam.optional(),
});

const member = fields('a member', {
  name: text("the member's name"),
  email,
  roles: roleList('the roles'),
  party: party.optional(),
  chair: flag('whether this member chairs the steering group').optional(),
  locale: locale.optional(),
  platform: platform.optional(),
}).superRefine((m, ctx) => {
  if (m.roles.includes('styringsgruppe')) return;
  if (m.party !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['party'],
      message: `only steering-group members have a party; add styringsgruppe to ${m.name}'s roles, or remove party: ${m.party}`,
    });
  }
  if (m.chair === true) {
    ctx.addIssue({
      code: 'custom',
      path: ['chair'],
      message: `only a steering-group member can chair the steering group; add styringsgruppe to ${m.name}'s roles, or remove chair: true`,
    });
  }
});

const municipality = fields('a municipality', {
  id: kommunenummer,
  name: text("the municipality's name"),
  platform,
  locale: locale.optional(),
  steering_channel: text("the steering group's channel id").optional(),
  tenant: tenant.optional(),
  slack_team: slackTeam.optional(),
  members: oneChair(
    unique(
      listOf('the members', member),
      'email',
      (e) => `${e} is listed twice in this municipality; list each person once, with all their roles`,
      normaliseEmail,
    ),
  ).optional(),
});

const task = fields('a task', {
  id: localId('swot'),
  title: text("the task's title"),
  for: roleList('the roles the task is for'),
  send: duration('-21d', beforeTheGathering('the task', '-21d')),
  due: duration('-5d', dueRule),
}).superRefine((t, ctx) => {
  if (offsetMinutes(t.send) < offsetMinutes(t.due)) return;
  ctx.addIssue({
    code: 'custom',
    path: ['send'],
    message: `"${t.send.text}" is not before due ("${t.due.text}"); a task must be sent before it is due, so write a send further before the gathering than ${t.due.text}`,
  });
});

function gathering(zone: string | undefined) {
  return fields('a gathering', {
    id: localId('samling-1'),
    title: text("the gathering's title"),
    starts: localDateTime(zone),
    ends: localDateTime(zone),
    location: text('where the gathering is held').optional(),
    tasks: unique(
      listOf('the tasks', task),
      'id',
      (id) => `task id "${id}" is used twice in this gathering; give each task its own id`,
    ).optional(),
    checkin: fields('the check-in', { send: duration('-3d', beforeTheGathering('the check-in', '-3d')) }).optional(),
    reflection: fields('the reflection prompt', { send: duration('+7d', reflectionRule) }).optional(),
  }).superRefine((g, ctx) => {
    if (instantOf(g.ends, zone) > instantOf(g.starts, zone)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['ends'],
      message: `"${g.ends}" is not after the start ("${g.starts}"); a gathering must end after it starts`,
    });
  });
}

/** A check-in option may be written as a number ([1, 2, 3, 4, 5]); it is kept as text. */
const option = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), text('the option'));

const question = fields('a check-in question', {
  id: localId('attending'),
  kind: oneOf(QUESTION_KINDS, 'question kind', () => ' (choice: pick one of the options; text: a free answer)'),
  text: text('the question'),
  options: listOf('the options', option).optional(),
}).superRefine((q, ctx) => {
  const count = q.options?.length ?? 0;
  if (q.kind === 'choice' && count < 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: `a choice question needs at least two options, like options: [ja, nei]; it has ${count}`,
    });
  }
  if (q.kind === 'text' && q.options !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: 'a text question takes a free answer and has no options; remove options, or use kind: choice',
    });
  }
  q.options?.forEach((o, index) => {
    if (q.options?.indexOf(o) !== index) ctx.addIssue({ code: 'custom', path: ['options', index], message: `"${o}" is listed twice` });
  });
});

const lagging = fields('the lagging section', {
  status_stale_days: days.optional(),
  prep_incomplete_days_before: days.optional(),
  checkin_unanswered: flag('whether an unanswered check-in counts').optional(),
  steering_silent_days: days.optional(),
  reflection_silent_days: days.optional(),
});

/**
 * The schema of a whole network file. Local date-times are checked against `zone` (the file's
 * own timezone, when it is valid), so a time skipped by daylight saving time is reported.
 */
export function networkFileSchema(zone: string | undefined) {
  return fields('the network file', {
    id: networkId,
    name: text("the network's name"),
    programme: text('the programme name').optional(),
    timezone,
    locale: locale.optional(),
    organisers: unique(
      listOf('the organisers', organiser, 'add organisers: with at least one organiser; the weekly digest goes to them').min(1, {
        error: 'is empty; list at least one organiser: the weekly digest goes to them',
      }),
      'email',
      (e) => `${e} is listed twice among the organisers; list each organiser once`,
      normaliseEmail,
    ),
    municipalities: unique(
      listOf('the municipalities', municipality).min(1, { error: 'is empty; list the municipalities in the network' }),
      'id',
      (id) => `kommunenummer "${id}" is used by two municipalities; each municipality is listed once`,
    ),
    gatherings: unique(
      listOf('the gatherings', gathering(zone)),
      'id',
      (id) => `gathering id "${id}" is used twice; give each gathering its own id`,
    ),
    checkin: fields('the check-in section', {
      questions: unique(
        listOf('the check-in questions', question).min(1, {
          error: 'is empty; list at least one question, or leave out checkin to use the standard three',
        }),
        'id',
        (id) => `question id "${id}" is used twice; give each question its own id`,
      ).optional(),
    }).optional(),
    status: fields('the status section', { every: duration('14d', statusEveryRule).optional() }).optional(),
    digest: fields('the digest section', { cron: cron.optional() }).optional(),
    quiet: fields('the quiet section', { hours: quietHours.optional(), holidays: holidays.optional() }).optional(),
    lagging: lagging.optional(),
  });
}

/** The validated file, still in the file's shape (snake_case keys, optional sections). */
export type NetworkFileData = z.output<ReturnType<typeof networkFileSchema>>;

/** The file's timezone when it is a valid one, for checking its local times. */
export function validZoneOf(data: unknown): string | undefined {
  const zone = isRecord(data) && typeof data.timezone === 'string' ? data.timezone.trim() : undefined;
  return zone !== undefined && IANAZone.isValidZone(zone) ? zone : undefined;
}
