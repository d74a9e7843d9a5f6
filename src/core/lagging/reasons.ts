/**
 * A signal as a reason a person reads, in their language, with its evidence:
 * "ingen status på 5 uker (sist 12.03.2027)".
 */
import { DateTime } from 'luxon';
import { joinNames } from '../format.ts';
import type { Locale, NetworkDefinition } from '../model.ts';
import type { Texts } from '../texts.ts';
import type { Signal } from './signals.ts';

function date(iso: string, zone: string, locale: Locale): string {
  const dt = DateTime.fromISO(iso, { zone }).setLocale(locale === 'en' ? 'en-GB' : locale);
  return locale === 'en' ? dt.toFormat('d MMM yyyy') : dt.toFormat('dd.MM.yyyy');
}

export function reasonText(texts: Texts, locale: Locale, def: NetworkDefinition, s: Signal): string {
  const t = (key: string, vars?: Record<string, string | number>) => texts.t(locale, `signals.${key}`, vars);
  const e = s.evidence;
  const list = (v: unknown) => joinNames((v as string[]) ?? [], locale);
  switch (s.kind) {
    case 'no_project_leader':
    case 'no_steering_group':
      return t(s.kind);
    case 'project_leader_changed':
      return t('project_leader_changed', { date: date(String(e.at), def.timezone, locale), to: list(e.to) || '—' });
    case 'steering_missing_party':
      return t('steering_missing_party', { missing: joinNames((e.missing as string[]).map((p) => t(`party_${p}`)), locale) });
    case 'steering_silent':
      if (e.sinceGathering) return t('steering_silent_since', { gathering: String(e.sinceGathering) });
      if (e.lastMeeting) return t('steering_silent_last', { date: date(String(e.lastMeeting), def.timezone, locale), days: Number(e.days) });
      return t('steering_silent_never');
    case 'status_stale':
      return e.lastStatus
        ? t('status_stale', { weeks: Number(e.weeks), date: date(String(e.lastStatus), def.timezone, locale) })
        : t('status_stale_never', { days: Number(e.days) });
    case 'momentum_falling':
      return t('momentum_falling', { intervals: joinNames((e.intervals as number[]).map(String), locale) });
    case 'prep_incomplete':
      return t('prep_incomplete', {
        done: Number(e.done),
        total: Number(e.total),
        gathering: String(e.gathering),
        days: Number(e.daysUntil),
        open: (e.open as string[]).map((x) => `«${x}»`).join(', '),
      });
    case 'checkin_unanswered':
      return t('checkin_unanswered', { unanswered: Number(e.unanswered), asked: Number(e.asked), gathering: String(e.gathering) });
    case 'reflection_silent':
      return e.noGroup ? t('reflection_no_group') : t('reflection_silent', { days: Number(e.days) });
    case 'rosy_gap':
      return t('rosy_gap', { not_prepared: Number(e.notPrepared), answered: Number(e.answered) });
    case 'unreachable':
      return t('unreachable', { names: list(e.names) });
  }
}
