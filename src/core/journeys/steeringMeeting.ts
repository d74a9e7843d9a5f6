/**
 * "We met": a steering group logs a meeting (date, who attended, by party), from the nudge's
 * button. Allowed for the steering group, the project leader and the network's organisers.
 */
import { randomUUID } from 'node:crypto';
import { instantToLocalDate } from '../calendar.ts';
import type { ActionPayload, FormDraft, FormErrors, FormValues } from '../drafts.ts';
import { steeringMetForm } from '../lagging/nudges.ts';
import type { Municipality, NetworkDefinition, SteeringMeeting } from '../model.ts';
import { JourneyRefusal, findSeat, isOrganiserOf, type JourneyContext, type Me } from './context.ts';

function allowed(me: Me, def: NetworkDefinition, m: Municipality): boolean {
  if (isOrganiserOf(me, def.id)) return true;
  const seat = findSeat(me, def.id, m.id);
  return !!seat && seat.membership.roles.some((r) => r === 'styringsgruppe' || r === 'prosjektleder');
}

function locate(ctx: JourneyContext, me: Me, payload: ActionPayload): { def: NetworkDefinition; m: Municipality } {
  const def = [...me.seats.map((s) => s.network), ...me.organiserOf].find((n) => n.id === payload.n);
  const m = def?.municipalities.find((x) => x.id === payload.m);
  if (!def || !m || !allowed(me, def, m)) {
    throw new JourneyRefusal(ctx.texts.t(me.locale, 'nudge.met_not_allowed', { municipality: m?.name ?? payload.m ?? '' }));
  }
  return { def, m };
}

export function openSteeringMetForm(ctx: JourneyContext, me: Me, payload: ActionPayload): FormDraft {
  const { def, m } = locate(ctx, me, payload);
  return steeringMetForm(ctx.texts, me.locale, def, m, instantToLocalDate(ctx.now(), def.timezone));
}

export type SteeringMeetingResult = { kind: 'saved'; meeting: SteeringMeeting; message: string } | ({ kind: 'invalid' } & FormErrors);

export async function logSteeringMeeting(ctx: JourneyContext, me: Me, payload: ActionPayload, values: FormValues): Promise<SteeringMeetingResult> {
  const { def, m } = locate(ctx, me, payload);
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const date = (Array.isArray(values.date) ? values.date[0] : values.date)?.trim() ?? '';
  const today = instantToLocalDate(ctx.now(), def.timezone);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)) || date > today) {
    return { kind: 'invalid', errors: { date: t('nudge.met_bad_date') } };
  }
  const chosen = ([] as string[]).concat(values.attendees ?? []).map((e) => e.toLowerCase());
  const members = m.members.filter((p) => p.roles.includes('styringsgruppe'));
  const unknown = chosen.filter((e) => !members.some((p) => p.email.toLowerCase() === e));
  if (unknown.length) return { kind: 'invalid', errors: { attendees: t('status_form.invalid_choice') } };
  const attendees = members
    .filter((p) => chosen.includes(p.email.toLowerCase()))
    .map((p) => ({ name: p.name, ...(p.party ? { party: p.party } : {}) }));
  const meeting: SteeringMeeting = {
    id: randomUUID(),
    network: def.id,
    municipality: m.id,
    date,
    attendees,
    loggedBy: me.email,
    at: ctx.now().toISOString(),
  };
  await ctx.store.recordSteeringMeeting(meeting);
  return { kind: 'saved', meeting, message: t('nudge.met_saved', { date, count: attendees.length }) };
}
