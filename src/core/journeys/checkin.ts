/**
 * The check-in before a gathering: the network's questions (coming? preparation done? what do
 * you need?), answered with buttons or a form, stored and editable until the gathering starts.
 */
import type { ActionPayload, DraftBlock, FormDraft, FormErrors, FormValues, MessageDraft } from '../drafts.ts';
import { formatWhen } from '../format.ts';
import type { CheckinAnswer, CheckinQuestion, Gathering, Locale, NetworkDefinition } from '../model.ts';
import { JourneyRefusal, findSeat, type JourneyContext, type Me, type Seat } from './context.ts';
import { gatheringStart, isAskedToCheckIn, isCheckinOpen } from '../schedule.ts';

export const ANSWER_MAX = 1000;

/** The check-in message: each choice question with its options as buttons, text questions by form. */
export function checkinMessage(
  ctx: JourneyContext,
  def: NetworkDefinition,
  gathering: Gathering,
  recipient: { municipality: string; locale: Locale },
  answer?: CheckinAnswer,
  reminder = false,
): MessageDraft {
  const locale = recipient.locale;
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(locale, key, vars);
  const date = formatWhen(gatheringStart(def, gathering), def.timezone, locale);
  const intro = reminder
    ? t('reminder.checkin', { gathering: gathering.title })
    : checkinIntro(t, gathering, date);
  const base = { n: def.id, g: gathering.id, m: recipient.municipality };
  const blocks: DraftBlock[] = [{ type: 'text', text: intro }];
  for (const q of def.checkin.questions) {
    blocks.push({ type: 'header', text: q.text });
    const given = answer?.answers[q.id];
    if (q.kind === 'choice') {
      blocks.push({
        type: 'actions',
        actions: (q.options ?? []).map((o) => ({
          id: `checkin.answer.${q.id}.${o}`,
          label: o,
          payload: { ...base, a: 'checkin.answer', q: q.id, v: o },
          selected: given === o,
        })),
      });
    } else {
      if (given) blocks.push({ type: 'context', text: given });
      blocks.push({
        type: 'actions',
        actions: [{ id: `checkin.text.${q.id}`, label: t('checkin_more.answer_text'), payload: { ...base, a: 'checkin.text', q: q.id }, opensForm: true }],
      });
    }
  }
  if (answer) blocks.push({ type: 'context', text: t('checkin.saved') });
  // Teams shows the whole check-in as one form, prefilled with what was answered.
  const form: FormDraft = {
    ...checkinForm(ctx, def, gathering, locale, recipient.municipality, answer),
    intro,
    ...(answer ? { note: t('checkin.saved') } : {}),
  };
  return { fallback: intro, blocks, form };
}

/** The check-in as one form (all questions; Teams shows it as a card, Slack for text answers). */
export function checkinForm(ctx: JourneyContext, def: NetworkDefinition, gathering: Gathering, locale: Locale, municipality: string, answer?: CheckinAnswer, only?: string): FormDraft {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(locale, key, vars);
  const questions = def.checkin.questions.filter((q) => !only || q.id === only);
  return {
    id: 'checkin',
    title: t('checkin_more.form_title'),
    submitLabel: t('checkin_more.submit'),
    intro: checkinIntro(t, gathering, formatWhen(gatheringStart(def, gathering), def.timezone, locale)),
    payload: { a: 'checkin.submit', n: def.id, g: gathering.id, m: municipality, ...(only ? { q: only } : {}) },
    fields: questions.map((q) =>
      q.kind === 'choice'
        ? {
            kind: 'choice' as const,
            id: q.id,
            label: q.text,
            options: (q.options ?? []).map((o) => ({ value: o, label: o })),
            optional: true,
            ...(answer?.answers[q.id] ? { initial: answer.answers[q.id] } : {}),
          }
        : {
            kind: 'text' as const,
            id: q.id,
            label: q.text,
            multiline: true,
            optional: true,
            maxLength: ANSWER_MAX,
            ...(answer?.answers[q.id] ? { initial: answer.answers[q.id] } : {}),
          },
    ),
  };
}

export type CheckinResult =
  | { kind: 'saved'; answer: CheckinAnswer; message: MessageDraft }
  | ({ kind: 'invalid' } & FormErrors);

/**
 * Records check-in answers (one from a button, or several from a form), merged with what the
 * person answered before. Refused once the gathering has started, or for someone not asked.
 */
export async function answerCheckin(ctx: JourneyContext, me: Me, payload: ActionPayload, values: FormValues): Promise<CheckinResult> {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const { seat, def, gathering } = authoriseCheckin(ctx, me, payload);

  const errors: Record<string, string> = {};
  const given: Record<string, string> = {};
  for (const [id, raw] of Object.entries(values)) {
    const q: CheckinQuestion | undefined = def.checkin.questions.find((x) => x.id === id);
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!q || value === undefined || value === '') continue;
    if (q.kind === 'choice' && !(q.options ?? []).includes(value)) errors[id] = t('status_form.invalid_choice');
    else if (value.length > ANSWER_MAX) errors[id] = t('status_form.too_long', { max: ANSWER_MAX });
    else given[id] = value;
  }
  if (Object.keys(errors).length) return { kind: 'invalid', errors };
  if (Object.keys(given).length === 0) return { kind: 'invalid', errors: { [def.checkin.questions[0]?.id ?? 'attending']: t('status_form.required') } };

  // Merged in Redis, atomically: two quick clicks on different questions both stay.
  await ctx.store.recordCheckin(
    { network: def.id, gathering: gathering.id, municipality: seat.municipality.id, email: me.email, answers: given, at: ctx.now().toISOString() },
    { merge: true },
  );
  const answer = (await ctx.store.getCheckin(def.id, gathering.id, seat.municipality.id, me.email))!;
  return { kind: 'saved', answer, message: checkinMessage(ctx, def, gathering, { municipality: seat.municipality.id, locale: me.locale }, answer) };
}

/**
 * The seat and gathering a check-in payload points at. Refused for someone not asked to check in
 * to that gathering, and once the gathering has started (answers are editable until then).
 */
export function authoriseCheckin(ctx: JourneyContext, me: Me, payload: ActionPayload): { seat: Seat; def: NetworkDefinition; gathering: Gathering } {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const seat = payload.m ? findSeat(me, payload.n, payload.m) : undefined;
  const def = seat?.network;
  const gathering = def?.gatherings.find((g) => g.id === payload.g);
  if (!seat || !def || !gathering || !isAskedToCheckIn(gathering, seat.membership.roles)) {
    throw new JourneyRefusal(t('checkin_more.not_yours', { gathering: gathering?.title ?? payload.g ?? '' }));
  }
  if (!isCheckinOpen(def, gathering, ctx.now())) throw new JourneyRefusal(t('checkin.closed'));
  return { seat, def, gathering };
}

/**
 * The check-in form behind a button: only question `payload.q` when given (a text answer), else
 * all of them, prefilled with what the person answered. Refused like answerCheckin.
 */
export async function openCheckinForm(ctx: JourneyContext, me: Me, payload: ActionPayload): Promise<FormDraft> {
  const { seat, def, gathering } = authoriseCheckin(ctx, me, payload);
  const previous = await ctx.store.getCheckin(def.id, gathering.id, seat.municipality.id, me.email);
  const only = payload.q && def.checkin.questions.some((q) => q.id === payload.q) ? payload.q : undefined;
  return checkinForm(ctx, def, gathering, me.locale, seat.municipality.id, previous, only);
}

/** "Samling 2 begynner onsdag 5. mai kl. 09.00 i Arendal. …", without "i …" when no location is given. */
function checkinIntro(t: (key: string, vars?: Record<string, string | number>) => string, gathering: Gathering, date: string): string {
  return gathering.location
    ? t('checkin.intro', { gathering: gathering.title, date, location: gathering.location })
    : t('checkin.intro_nowhere', { gathering: gathering.title, date });
}
