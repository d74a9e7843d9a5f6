/**
 * Checks five-field cron schedules ("0 8 * * 1") as the network file's `digest.cron` uses them,
 * and says in plain words what is wrong. cron-parser (the parser BullMQ uses) decides what a
 * field means and whether its numbers fit; this module narrows the language to what a network
 * file may say and turns the parser's terse errors into sentences naming the field. When a
 * schedule fires is cronSchedule.ts's business.
 *
 * Accepted: exactly five fields separated by spaces (minute 0-59, hour 0-23, day of month 1-31,
 * month 1-12, day of week 0-7 where 0 and 7 are Sunday); in each field numbers, `*`, lists
 * (`1,3,5`), ranges (`1-5`) and steps after `*` or a range (`*\/15`, `8-16/2`). cron-parser
 * understands more (names like MON, macros like @weekly, a seconds field, L, #, H, ?), which a
 * network file does not accept: one reading of a schedule, the same in every cron.
 */
import { CronDayOfMonth, CronDayOfWeek, CronExpressionParser, CronHour, CronMinute, CronMonth } from 'cron-parser';

interface CronField {
  name: string;
  min: number;
  max: number;
}

/** The five fields in order, with the bounds cron-parser enforces. */
const FIELDS: readonly CronField[] = [
  { name: 'minute', min: CronMinute.min, max: CronMinute.max },
  { name: 'hour', min: CronHour.min, max: CronHour.max },
  { name: 'day of month', min: CronDayOfMonth.min, max: CronDayOfMonth.max },
  { name: 'month', min: CronMonth.min, max: CronMonth.max },
  { name: 'day of week', min: CronDayOfWeek.min, max: CronDayOfWeek.max },
];

/** What a network file may write in one comma-separated item: `*`, `5`, `1-5`, `*\/15`, `1-5/2`. */
const ITEM = /^(?:\*|\d{1,2}(?:-\d{1,2})?)(?:\/\d{1,2})?$/;

/** The fields of a schedule, split on spaces. */
export function cronFields(expression: string): string[] {
  return expression.trim().split(/\s+/).filter((p) => p !== '');
}

/** The six-field text cron-parser reads for a five-field schedule: second 0, then the five. */
export function withSeconds(fields: readonly string[]): string {
  return ['0', ...fields].join(' ');
}

/**
 * Says what is wrong with a cron schedule, or returns undefined when it is valid (see the module
 * comment for the language).
 */
export function cronProblem(expression: string): string | undefined {
  const parts = cronFields(expression);
  if (parts.length !== FIELDS.length) {
    return `it has ${parts.length} field${parts.length === 1 ? '' : 's'}, not 5 (minute hour day-of-month month day-of-week)`;
  }
  for (const [i, field] of FIELDS.entries()) {
    const text = parts[i]!;
    const problem = itemProblem(text, field) ?? libraryProblem(text, i, field);
    if (problem) return problem;
  }
  const [, , days, months, weekdays] = parts as [string, string, string, string, string];
  const never = `the day of month "${days}" never occurs in the month "${months}", so it would never run`;
  try {
    if (!days.startsWith('*') && weekdays.startsWith('*') && !everComes(days, months)) return never;
    CronExpressionParser.parse(withSeconds(parts));
    return undefined;
  } catch (error) {
    // cron-parser itself refuses a day that one month lacks ("31 4"), whichever check asked first.
    return /explicit day of month/i.test(messageOf(error)) ? never : `cron-parser cannot read it (${messageOf(error)})`;
  }
}

/**
 * Whether some month of `months` has a day of `days` (31 in April does not come). Only asked when
 * no day of week can stand in for the day of month: with the day of week restricted too, either
 * may match (see cronSchedule.ts), and a day of week starting with `*` must match as well, which
 * it does in some year once the date itself comes.
 */
function everComes(days: string, months: string): boolean {
  const { fields } = CronExpressionParser.parse(withSeconds(['0', '0', days, months, '*']));
  const longest = Math.max(...fields.month.values.map((m) => CronMonth.daysInMonth[m - 1] ?? 31));
  return fields.dayOfMonth.values.some((d) => typeof d === 'number' && d <= longest);
}

/** The part of the language cron-parser accepts but a network file does not. */
function itemProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    if (!ITEM.test(item)) {
      const hint = /[a-z]/i.test(item) ? ' (use numbers: day of week 1 is Monday, month 1 is January)' : '';
      return `the ${field.name} "${item}" is not a number, *, a range like 1-5 or a step like */15${hint}`;
    }
    const single = /^\d+\/(\d+)$/.exec(item);
    if (single) {
      return `the ${field.name} "${item}" has a step after a single number; write it after * or a range, like */${single[1]}`;
    }
  }
  return undefined;
}

/** Asks cron-parser about one field alone (every other field `*`), so its error names the field. */
function libraryProblem(text: string, index: number, field: CronField): string | undefined {
  const alone = FIELDS.map((_, i) => (i === index ? text : '*'));
  try {
    CronExpressionParser.parse(withSeconds(alone));
    return undefined;
  } catch (error) {
    return explain(messageOf(error), text, field);
  }
}

/** cron-parser's error for one field, in plain words. */
function explain(message: string, text: string, field: CronField): string {
  const outside = (n: number) => `the ${field.name} ${n} is outside ${field.min}-${field.max}`;
  const value = /got value (\d+) expected range/.exec(message);
  if (value) return outside(Number(value[1]));
  const range = /got range (\d+)-(\d+) expected range/.exec(message);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    return outside(from < field.min || from > field.max ? from : to);
  }
  const backwards = /Invalid range: (\d+)-(\d+)/.exec(message);
  if (backwards) return `the ${field.name} range "${backwards[1]}-${backwards[2]}" runs backwards; write the smaller number first`;
  if (/repeat at every 0\b|Invalid step: 0\b/.test(message)) return `the ${field.name} "${text}" has a step of 0`;
  const twice = /duplicate values found: (\d+)/.exec(message);
  if (twice) {
    const sunday = field.name === 'day of week' && twice[1] === '0' ? ' (0 and 7 are both Sunday)' : '';
    return `the ${field.name} "${text}" names ${twice[1]} more than once${sunday}; list each value once`;
  }
  return `the ${field.name} "${text}" is not valid (${message})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
