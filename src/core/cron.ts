/**
 * Checks five-field cron schedules ("0 8 * * 1") as the network file's `digest.cron` uses
 * them. Validation only: when a schedule fires is cronSchedule.ts's business.
 */

export interface CronField {
  name: string;
  min: number;
  max: number;
}

export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 }, // 0 and 7 are both Sunday
];

/** `*`, `5`, `1-5`, each optionally followed by a step: `*\/15`, `1-5/2`. */
export const CRON_ITEM = /^(?:\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;

/**
 * Says what is wrong with a cron schedule, or returns undefined when it is valid. Accepted:
 * exactly five fields separated by spaces (minute 0-59, hour 0-23, day of month 1-31,
 * month 1-12, day of week 0-7 where 0 and 7 are Sunday); in each field numbers, `*`, lists
 * (`1,3,5`), ranges (`1-5`) and steps after `*` or a range (`*\/15`, `8-16/2`). Names (MON, JAN),
 * macros (@weekly) and seconds fields are not accepted.
 */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length !== CRON_FIELDS.length) {
    return `it has ${parts.length} field${parts.length === 1 ? '' : 's'}, not 5 (minute hour day-of-month month day-of-week)`;
  }
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = fieldProblem(parts[i] ?? '', field);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const match = CRON_ITEM.exec(item);
    if (!match) {
      const hint = /[a-z]/i.test(item) ? ' (use numbers: day of week 1 is Monday, month 1 is January)' : '';
      return `the ${field.name} "${item}" is not a number, *, a range like 1-5 or a step like */15${hint}`;
    }
    const [, from, to, step] = match;
    if (step !== undefined && from !== undefined && to === undefined) {
      return `the ${field.name} "${item}" has a step after a single number; write it after * or a range, like */${step}`;
    }
    if (step !== undefined && Number(step) === 0) return `the ${field.name} "${item}" has a step of 0`;
    for (const n of [from, to]) {
      if (n !== undefined && (Number(n) < field.min || Number(n) > field.max)) {
        return `the ${field.name} ${n} is outside ${field.min}-${field.max}`;
      }
    }
    if (from !== undefined && to !== undefined && Number(from) > Number(to)) {
      return `the ${field.name} range "${item}" runs backwards; write the smaller number first`;
    }
  }
  return undefined;
}
