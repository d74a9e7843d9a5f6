/**
 * The organiser's network file: parse it (with every problem located to a line) and export a
 * stored network back into the same format. The format is examples/network.yaml; the rules
 * are in networkFileSchema.ts.
 */
import { Document, isCollection, isMap, isScalar } from 'yaml';
import type { core } from 'zod';
import { invalidInput } from './errors.ts';
import type {
  CheckinQuestion,
  Gathering,
  LaggingRules,
  Member,
  Municipality,
  NetworkDefinition,
  Offset,
  Organiser,
  QuietRules,
  Task,
} from './model.ts';
import { SUGGEST_MAX_KEY, networkFileSchema, validZoneOf, type NetworkFileData } from './networkFileSchema.ts';
import { readYaml, type DataPath, type YamlSource } from './yamlSource.ts';

/* ---------- defaults ---------- */

/** The check-in questions of a network whose file has none (bokmål, as in the example). */
export const DEFAULT_CHECKIN_QUESTIONS: readonly CheckinQuestion[] = [
  { id: 'attending', kind: 'choice', text: 'Kommer du på samlingen?', options: ['ja', 'nei', 'usikker'] },
  { id: 'prepared', kind: 'choice', text: 'Er forberedelsesoppgavene gjort?', options: ['ja', 'delvis', 'nei'] },
  { id: 'need', kind: 'text', text: 'Hva trenger dere mest fra denne samlingen?' },
];
export const DEFAULT_STATUS_EVERY: Offset = { text: '14d', sign: 1, amount: 14, unit: 'd' };
export const DEFAULT_DIGEST_CRON = '0 8 * * 1';
export const DEFAULT_QUIET_HOURS = { start: '08:00', end: '16:00' } as const;
/** Used when the file has no `quiet` section at all. */
export const DEFAULT_QUIET: QuietRules = { hours: { ...DEFAULT_QUIET_HOURS }, holidays: 'NO', weekends: true };
export const DEFAULT_LAGGING: LaggingRules = {
  status_stale_days: 28,
  prep_incomplete_days_before: 2,
  checkin_unanswered: true,
  steering_silent_days: 60,
  reflection_silent_days: 45,
};

/* ---------- parse ---------- */

/**
 * Reads a network file and returns the network it describes, validated and with defaults filled
 * in (locale nb, the standard check-in questions, status every 14d, digest "0 8 * * 1", quiet
 * 08:00-16:00 with Norwegian holidays, the example's lagging thresholds).
 *
 * Throws INVALID_INPUT when the file is not valid. Its `details` hold one line per problem,
 * sorted by line: `<file name>:<line> <path>: <what is wrong and what to write>`, e.g.
 * `network.yaml:71 gatherings[1].tasks[0].due: "-5x" is not a duration like -5d; ...`. All
 * problems are reported at once, except YAML syntax errors (only the first: the rest usually
 * follow from it) and rules that need the broken part to be readable. `fileName` may be a path;
 * only its last part is shown.
 */
export function parseNetworkFile(text: string, fileName: string): NetworkDefinition {
  const file = fileName.split(/[\\/]/).pop() || fileName;
  const read = readYaml(text);
  if (!read.ok) {
    throw invalidInput(`${file} is not valid YAML; fix the line below and try again.`, [
      `${file}:${read.problem.line} YAML syntax: ${read.problem.message}`,
    ]);
  }
  const { data } = read.source;
  if (data === null || data === undefined) {
    throw invalidInput(`${file} is empty.`, [`${file}:1 (file): the file is empty; start from the example network file`]);
  }
  const result = networkFileSchema(validZoneOf(data)).safeParse(data);
  if (!result.success) {
    const details = describeIssues(result.error.issues, read.source, file);
    const what = details.length === 1 ? 'the problem' : `the ${details.length} problems`;
    throw invalidInput(`${file} is not a valid network file; fix ${what} below and try again.`, details);
  }
  return toDefinition(result.data);
}

/** `gatherings[1].tasks[0].due`; the top level is "(file)". */
function formatPath(path: DataPath): string {
  let out = '';
  for (const segment of path) {
    // A key of thousands of characters is shown cut, as the "unknown field" message shows it.
    const name = String(segment);
    out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${name.length > SUGGEST_MAX_KEY ? `${name.slice(0, SUGGEST_MAX_KEY)}…` : name}`;
  }
  return out || '(file)';
}

/** One located line per problem, sorted by line, without repeats. */
function describeIssues(issues: readonly core.$ZodIssue[], source: YamlSource, file: string): string[] {
  const located = issues.flatMap((issue) => locate(issue, source));
  located.sort((a, b) => a.line - b.line);
  const lines = located.map(({ line, path, message }) => `${file}:${line} ${formatPath(path)}: ${message}`);
  return [...new Set(lines)];
}

function locate(issue: core.$ZodIssue, source: YamlSource): { line: number; path: DataPath; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    // The schema writes one message line per unknown key, in the order of `keys`.
    const messages = issue.message.split('\n');
    return issue.keys.map((key, i) => {
      const path = [...issue.path, key];
      return { line: source.lineOf(path), path, message: messages[i] ?? `unknown field "${key}"` };
    });
  }
  let message = issue.message;
  const duplicateOf = issue.code === 'custom' ? issue.params?.duplicateOf : undefined;
  if (typeof duplicateOf === 'number') {
    // A repeated id or email: the path is [...list, index, field]; name the line of the first.
    const first = [...issue.path.slice(0, -2), duplicateOf, ...issue.path.slice(-1)];
    message += ` (see line ${source.lineOf(first)})`;
  }
  return [{ line: source.lineOf(issue.path), path: issue.path, message }];
}

/* ---------- normalise ---------- */

/** Drops the keys whose value is undefined, so optional fields are absent rather than undefined. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toDefinition(file: NetworkFileData): NetworkDefinition {
  return compact({
    id: file.id,
    name: file.name,
    programme: file.programme,
    timezone: file.timezone,
    locale: file.locale ?? 'nb',
    organisers: file.organisers.map(({ slack_team, ...o }): Organiser => compact({ ...o, slackTeam: slack_team })),
    municipalities: file.municipalities.map(toMunicipality),
    gatherings: file.gatherings.map(toGathering),
    checkin: { questions: (file.checkin?.questions ?? DEFAULT_CHECKIN_QUESTIONS).map(copyQuestion) },
    status: { every: { ...(file.status?.every ?? DEFAULT_STATUS_EVERY) } },
    digest: { cron: file.digest?.cron ?? DEFAULT_DIGEST_CRON },
    quiet: toQuiet(file.quiet),
    lagging: { ...DEFAULT_LAGGING, ...compact({ ...file.lagging }) },
  });
}

function toMunicipality(m: NetworkFileData['municipalities'][number]): Municipality {
  return compact({
    id: m.id,
    name: m.name,
    platform: m.platform,
    locale: m.locale,
    steeringChannel: m.steering_channel,
    tenant: m.tenant,
    slackTeam: m.slack_team,
    members: (m.members ?? []).map(
      (member): Member => compact({ ...member, roles: [...member.roles], chair: member.chair === true ? true : undefined }),
    ),
  });
}

function toGathering(g: NetworkFileData['gatherings'][number]): Gathering {
  return compact({
    id: g.id,
    title: g.title,
    starts: g.starts,
    ends: g.ends,
    location: g.location,
    tasks: (g.tasks ?? []).map((t): Task => ({ ...t, for: [...t.for] })),
    checkin: g.checkin && { send: g.checkin.send },
    reflection: g.reflection && { send: g.reflection.send },
  });
}

function copyQuestion(q: CheckinQuestion): CheckinQuestion {
  return compact({ id: q.id, kind: q.kind, text: q.text, options: q.options && [...q.options] });
}

/** No section: the defaults. A section: its hours (default 08:00-16:00), and holidays only if written. */
function toQuiet(quiet: NetworkFileData['quiet']): QuietRules {
  if (quiet === undefined) return { ...DEFAULT_QUIET, hours: { ...DEFAULT_QUIET.hours } };
  return compact({ hours: quiet.hours ?? { ...DEFAULT_QUIET_HOURS }, holidays: quiet.holidays, weekends: true });
}

/* ---------- export ---------- */

const EXPORT_HEADER = ' Exported by Samla. Edit it and import it again with: samla network import <file>';

/** Top-level sections preceded by a blank line, as in the example. */
const SPACED_SECTIONS = new Set(['organisers', 'municipalities', 'gatherings', 'checkin', 'status', 'digest', 'quiet', 'lagging']);

/**
 * Writes a network back as a network file in the example's format and styles: members and
 * check-in questions as one-line flow maps, role lists in brackets, kommunenummer, cron and
 * quiet hours in quotes, durations as they were written ("-21d", "+7d", "14d"). Every section
 * is written out, defaults included. Lossless: parsing the export gives the same definition
 * (`weekends` is always true in the file format and is not written).
 */
export function exportNetworkFile(def: NetworkDefinition): string {
  const doc = new Document(toFileShape(def));
  doc.commentBefore = EXPORT_HEADER;
  styleLikeTheExample(doc, def);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

function toFileShape(def: NetworkDefinition): Record<string, unknown> {
  return compact({
    id: def.id,
    name: def.name,
    programme: def.programme,
    timezone: def.timezone,
    locale: def.locale,
    organisers: def.organisers.map((o) => compact({ name: o.name, email: o.email, platform: o.platform, locale: o.locale, tenant: o.tenant, slack_team: o.slackTeam })),
    municipalities: def.municipalities.map((m) =>
      compact({
        id: m.id,
        name: m.name,
        platform: m.platform,
        locale: m.locale,
        steering_channel: m.steeringChannel,
        tenant: m.tenant,
        slack_team: m.slackTeam,
        members: m.members.map((p) =>
          compact({
            name: p.name,
            email: p.email,
            roles: p.roles,
            party: p.party,
            chair: p.chair === true ? true : undefined,
            locale: p.locale,
            platform: p.platform,
          }),
        ),
      }),
    ),
    gatherings: def.gatherings.map((g) =>
      compact({
        id: g.id,
        title: g.title,
        starts: g.starts,
        ends: g.ends,
        location: g.location,
        tasks: g.tasks.length
          ? g.tasks.map((t) => ({ id: t.id, title: t.title, for: t.for, send: t.send.text, due: t.due.text }))
          : undefined,
        checkin: g.checkin && { send: g.checkin.send.text },
        reflection: g.reflection && { send: g.reflection.send.text },
      }),
    ),
    checkin: { questions: def.checkin.questions.map((q) => compact({ id: q.id, kind: q.kind, text: q.text, options: q.options })) },
    status: { every: def.status.every.text },
    digest: { cron: def.digest.cron },
    quiet: compact({ hours: `${def.quiet.hours.start}-${def.quiet.hours.end}`, holidays: def.quiet.holidays }),
    lagging: { ...def.lagging },
  });
}

function styleLikeTheExample(doc: Document, def: NetworkDefinition): void {
  const flow = (...path: (string | number)[]) => {
    const node = doc.getIn(path, true);
    if (isCollection(node)) node.flow = true;
  };
  const quoted = (...path: (string | number)[]) => {
    const node = doc.getIn(path, true);
    if (isScalar(node)) node.type = 'QUOTE_DOUBLE';
  };
  def.municipalities.forEach((m, i) => {
    quoted('municipalities', i, 'id');
    m.members.forEach((_, j) => flow('municipalities', i, 'members', j));
  });
  def.gatherings.forEach((g, i) => {
    g.tasks.forEach((_, j) => flow('gatherings', i, 'tasks', j, 'for'));
    flow('gatherings', i, 'checkin');
    flow('gatherings', i, 'reflection');
  });
  def.checkin.questions.forEach((_, i) => flow('checkin', 'questions', i));
  quoted('digest', 'cron');
  quoted('quiet', 'hours');
  if (isMap(doc.contents)) {
    for (const { key } of doc.contents.items) {
      if (isScalar(key) && SPACED_SECTIONS.has(String(key.value))) key.spaceBefore = true;
    }
  }
}
