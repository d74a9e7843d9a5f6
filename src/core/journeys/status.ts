/**
 * `/status`: a project leader (or a contact person standing in) logs progress. The form asks
 * about the weak spots of the reviewed project plans (purpose, baseline, measurable goals,
 * milestones, risk analysis) and whether the steering group has met, and is prefilled with the
 * last status so an update takes under a minute.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { fieldErrors, type ActionPayload, type FormDraft, type FormErrors, type FormValues, type MessageDraft } from '../drafts.ts';
import { formatShort } from '../format.ts';
import { OVERALL_STATES, PLAN_PARTS, type Locale, type StatusReport } from '../model.ts';
import {
  JourneyRefusal,
  findSeat,
  namesWithRole,
  organisersText,
  seatsWithRole,
  type JourneyContext,
  type Me,
  type Seat,
} from './context.ts';

const STATUS_ROLES = ['prosjektleder', 'kontaktperson'] as const;
export const TEXT_MAX = 3000;

export type StatusOpening =
  | { kind: 'form'; form: FormDraft }
  | { kind: 'choose'; message: MessageDraft }
  | { kind: 'refused'; message: string };

/**
 * What `/status` opens for this person: the form for their municipality, a choice when they lead
 * several, or a refusal that names their project leader.
 */
export async function openStatus(ctx: JourneyContext, me: Me, choice?: { network: string; municipality: string }): Promise<StatusOpening> {
  const seats = seatsWithRole(me, STATUS_ROLES);
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  if (choice) {
    const seat = seats.find((s) => s.network.id === choice.network && s.municipality.id === choice.municipality);
    if (!seat) return { kind: 'refused', message: refusalFor(ctx, me, findSeat(me, choice.network, choice.municipality) ?? me.seats[0]) };
    return { kind: 'form', form: await statusForm(ctx, me, seat) };
  }
  if (seats.length === 0) return { kind: 'refused', message: refusalFor(ctx, me, me.seats[0]) };
  if (seats.length === 1) return { kind: 'form', form: await statusForm(ctx, me, seats[0]!) };
  return {
    kind: 'choose',
    message: {
      fallback: t('status_form.choose_municipality'),
      blocks: [
        { type: 'text', text: t('status_form.choose_municipality') },
        {
          type: 'actions',
          actions: seats.map((s) => ({
            id: 'status.open',
            label: seats.filter((x) => x.municipality.id === s.municipality.id).length > 1 ? `${s.municipality.name} (${s.network.name})` : s.municipality.name,
            payload: { a: 'status.open', n: s.network.id, m: s.municipality.id },
            opensForm: true,
          })),
        },
      ],
    },
  };
}

function refusalFor(ctx: JourneyContext, me: Me, seat: Seat | undefined): string {
  if (!seat) {
    const networks = me.organiserOf;
    return ctx.texts.t(me.locale, 'status_form.not_allowed_no_leader', {
      municipality: '—',
      organisers: organisersText(networks, me.locale),
    });
  }
  const leaders = namesWithRole(seat.municipality, 'prosjektleder', me.locale);
  return leaders
    ? ctx.texts.t(me.locale, 'status_form.not_allowed', { municipality: seat.municipality.name, leaders })
    : ctx.texts.t(me.locale, 'status_form.not_allowed_no_leader', {
        municipality: seat.municipality.name,
        organisers: organisersText([seat.network], me.locale),
      });
}

/** The status form, prefilled with the municipality's last status. */
export async function statusForm(ctx: JourneyContext, me: Me, seat: Seat): Promise<FormDraft> {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const [last] = await ctx.store.listStatus(seat.network.id, seat.municipality.id, 1);
  const yesNo = [
    { value: 'yes', label: t('status_form.yes') },
    { value: 'no', label: t('status_form.no') },
  ];
  const form: FormDraft = {
    id: 'status',
    title: t('status_form.title'),
    submitLabel: t('status_form.submit'),
    intro: t('status_form.intro', { municipality: seat.municipality.name, network: seat.network.name }),
    payload: { a: 'status.submit', n: seat.network.id, m: seat.municipality.id },
    fields: [
      {
        kind: 'choice',
        id: 'overall',
        label: t('status_form.overall'),
        options: OVERALL_STATES.map((s) => ({ value: s, label: t(`status.${s}`) })),
        ...(last?.overall ? { initial: last.overall } : {}),
      },
      { kind: 'text', id: 'done', label: t('status_form.done'), multiline: true, maxLength: TEXT_MAX, ...(last?.done ? { initial: last.done } : {}) },
      { kind: 'text', id: 'next', label: t('status_form.next'), multiline: true, maxLength: TEXT_MAX, ...(last?.next ? { initial: last.next } : {}) },
      {
        kind: 'text',
        id: 'blockers',
        label: t('status_form.blockers'),
        multiline: true,
        optional: true,
        maxLength: TEXT_MAX,
        ...(last?.blockers ? { initial: last.blockers } : {}),
      },
      {
        kind: 'multi',
        id: 'plan_parts',
        label: t('status_form.plan_parts'),
        optional: true,
        options: PLAN_PARTS.map((p) => ({ value: p, label: t(`status_form.${p}`) })),
        ...(last?.planParts ? { initial: last.planParts } : {}),
      },
      { kind: 'choice', id: 'steering_met', label: t('status_form.steering_met'), options: yesNo },
    ],
  };
  return form;
}

/** Builds the zod schema for the status form's values, with messages in the person's language. */
function statusSchema(ctx: JourneyContext, locale: Locale) {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(locale, key, vars);
  const required = z
    .string({ error: t('status_form.required') })
    .trim()
    .min(1, t('status_form.required'))
    .max(TEXT_MAX, t('status_form.too_long', { max: TEXT_MAX }));
  const choice = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: t('status_form.invalid_choice') });
  return z.object({
    overall: choice(OVERALL_STATES),
    done: required,
    next: required,
    blockers: z
      .string()
      .trim()
      .max(TEXT_MAX, t('status_form.too_long', { max: TEXT_MAX }))
      .optional(),
    plan_parts: z.array(choice(PLAN_PARTS)).optional(),
    steering_met: choice(['yes', 'no'] as const),
  });
}

export type StatusSubmission = { kind: 'saved'; report: StatusReport; message: string } | ({ kind: 'invalid' } & FormErrors);

/** Validates and stores a submitted status form. Nothing is stored when a field is invalid. */
export async function submitStatus(ctx: JourneyContext, me: Me, payload: ActionPayload, values: FormValues): Promise<StatusSubmission> {
  const seat = authorisedSeat(ctx, me, payload);
  const parsed = statusSchema(ctx, me.locale).safeParse(normaliseValues(values));
  if (!parsed.success) {
    return { kind: 'invalid', ...fieldErrors(parsed.error.issues) };
  }
  const v = parsed.data;
  const report: StatusReport = {
    id: randomUUID(),
    network: seat.network.id,
    municipality: seat.municipality.id,
    email: me.email,
    at: ctx.now().toISOString(),
    overall: v.overall,
    done: v.done,
    next: v.next,
    ...(v.blockers ? { blockers: v.blockers } : {}),
    planParts: v.plan_parts ?? [],
    steeringMet: v.steering_met === 'yes',
  };
  await ctx.store.recordStatus(report);
  const message = ctx.texts.t(me.locale, 'status_form.saved', {
    name: me.name.split(' ')[0] ?? me.name,
    municipality: seat.municipality.name,
    at: formatShort(new Date(report.at), seat.network.timezone, me.locale),
  });
  return { kind: 'saved', report, message };
}

/**
 * `/status <free text>`: a short status with no form. For someone leading several
 * municipalities, `choice` says which; without it they get the choice message: with
 * `opts.carryText` its buttons (`status.short`) carry the text, else they open the form.
 */
export async function submitShortStatus(
  ctx: JourneyContext,
  me: Me,
  text: string,
  choice?: { network: string; municipality: string },
  opts: { carryText?: boolean } = {},
): Promise<{ kind: 'saved'; report: StatusReport; message: string } | StatusOpening> {
  const trimmed = text.trim().slice(0, TEXT_MAX);
  const seats = seatsWithRole(me, STATUS_ROLES);
  const seat = choice
    ? seats.find((s) => s.network.id === choice.network && s.municipality.id === choice.municipality)
    : seats.length === 1
      ? seats[0]
      : undefined;
  if (!seat && !choice && seats.length > 1 && opts.carryText && trimmed.length <= SHORT_VIA_BUTTON_MAX) {
    return { kind: 'choose', message: chooseForShortStatus(ctx, me, seats, trimmed) };
  }
  if (!seat) {
    const opening = await openStatus(ctx, me, choice);
    return opening.kind === 'form' ? { kind: 'refused', message: ctx.texts.t(me.locale, 'status_form.choose_municipality') } : opening;
  }
  const report: StatusReport = {
    id: randomUUID(),
    network: seat.network.id,
    municipality: seat.municipality.id,
    email: me.email,
    at: ctx.now().toISOString(),
    text: trimmed,
  };
  await ctx.store.recordStatus(report);
  return {
    kind: 'saved',
    report,
    message: ctx.texts.t(me.locale, 'status_form.saved_short', { municipality: seat.municipality.name, text: trimmed }),
  };
}

/** Short texts up to this length ride on the choice buttons; longer ones get the form instead. */
export const SHORT_VIA_BUTTON_MAX = 1500;

/**
 * "Which municipality?" for a short status from someone leading several: each button carries the
 * text (`status.short`, `v`), so one click saves it; pass the choice back to submitShortStatus.
 */
function chooseForShortStatus(ctx: JourneyContext, me: Me, seats: Seat[], text: string): MessageDraft {
  const question = ctx.texts.t(me.locale, 'status_form.choose_municipality');
  return {
    fallback: question,
    blocks: [
      { type: 'text', text: question },
      {
        type: 'actions',
        actions: seats.map((s) => ({
          id: 'status.short',
          label: seats.filter((x) => x.municipality.id === s.municipality.id).length > 1 ? `${s.municipality.name} (${s.network.name})` : s.municipality.name,
          payload: { a: 'status.short', n: s.network.id, m: s.municipality.id, v: text },
        })),
      },
    ],
  };
}

function authorisedSeat(ctx: JourneyContext, me: Me, payload: ActionPayload): Seat {
  const seat = payload.m ? findSeat(me, payload.n, payload.m) : undefined;
  if (!seat || !seat.membership.roles.some((r) => (STATUS_ROLES as readonly string[]).includes(r))) {
    // The refusal names the municipality asked about (and its project leader), also to an
    // organiser or someone from another municipality of the network.
    const def = [...me.seats.map((s) => s.network), ...me.organiserOf].find((n) => n.id === payload.n);
    const m = def?.municipalities.find((x) => x.id === payload.m);
    const asked = def && m ? { network: def, municipality: m, membership: { municipality: m.id, roles: [] } } : undefined;
    throw new JourneyRefusal(refusalFor(ctx, me, seat ?? asked ?? me.seats[0]));
  }
  return seat;
}

/** Empty strings from forms count as not given; a single value for a multi-select becomes a list. */
function normaliseValues(values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === '') continue;
    if (k === 'plan_parts') out[k] = Array.isArray(v) ? v : v.split(',').filter(Boolean);
    else out[k] = Array.isArray(v) ? v[0] : v;
  }
  return out;
}
