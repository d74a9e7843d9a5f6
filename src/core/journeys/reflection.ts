/**
 * Reflection notes: after a gathering the reflection group writes what it discussed and what it
 * will try, and chooses whether to share it (anonymised) with the network. A note that seems to
 * contain a national identity number is confirmed before anything is stored.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { fieldErrors, type ActionPayload, type FormDraft, type FormErrors, type FormValues, type MessageDraft } from '../drafts.ts';
import type { Gathering, Locale, NetworkDefinition, ReflectionNote } from '../model.ts';
import { findNationalIdentityNumbers } from '../personalNumber.ts';
import { isAskedToReflect } from '../schedule.ts';
import { JourneyRefusal, findSeat, type JourneyContext, type Me, type Seat } from './context.ts';

export const NOTE_MAX = 3000;

export function reflectionMessage(
  ctx: JourneyContext,
  def: NetworkDefinition,
  gathering: Gathering,
  recipient: { name: string; municipality: string; locale: Locale },
): MessageDraft {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(recipient.locale, key, vars);
  const intro = t('reflection.intro', { name: recipient.name.split(' ')[0] ?? recipient.name, gathering: gathering.title });
  return {
    fallback: intro,
    blocks: [
      { type: 'text', text: intro },
      {
        type: 'actions',
        actions: [
          {
            id: 'reflection.write',
            label: t('reflection_more.write'),
            payload: { a: 'reflection.write', n: def.id, g: gathering.id, m: recipient.municipality },
            style: 'primary',
            opensForm: true,
          },
        ],
      },
    ],
  };
}

/** The note form; with `warn`, the identity-number warning and a confirmation box are added. */
export function reflectionForm(ctx: JourneyContext, locale: Locale, payload: ActionPayload, initial: FormValues = {}, warn = false): FormDraft {
  const t = (key: string) => ctx.texts.t(locale, key);
  const str = (k: string) => {
    const v = initial[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const withInitial = (k: string) => (str(k) ? { initial: str(k) as string } : {});
  return {
    id: 'reflection',
    title: t('reflection_more.form_title'),
    submitLabel: t('reflection_more.submit'),
    ...(warn ? { intro: t('reflection.personal_number_warning') } : {}),
    payload: { ...payload, a: 'reflection.submit' },
    fields: [
      { kind: 'text', id: 'topic', label: t('reflection.topic'), maxLength: 200, ...withInitial('topic') },
      { kind: 'text', id: 'discussed', label: t('reflection.discussed'), multiline: true, maxLength: NOTE_MAX, ...withInitial('discussed') },
      { kind: 'text', id: 'will_try', label: t('reflection.will_try'), multiline: true, maxLength: NOTE_MAX, ...withInitial('will_try') },
      {
        kind: 'choice',
        id: 'share',
        label: t('reflection.share'),
        options: [
          { value: 'no', label: t('reflection.share_no') },
          { value: 'anonymised', label: t('reflection.share_anonymised') },
        ],
        initial: str('share') ?? 'no',
      },
      ...(warn
        ? [{ kind: 'multi' as const, id: 'confirm', label: t('reflection.personal_number_warning'), options: [{ value: 'no_personal_number', label: t('reflection_more.confirm_label') }], optional: true }]
        : []),
    ],
  };
}

export type ReflectionResult =
  | { kind: 'saved'; note: ReflectionNote; message: string }
  | { kind: 'confirm'; form: FormDraft }
  | ({ kind: 'invalid' } & FormErrors);

export async function submitReflection(ctx: JourneyContext, me: Me, payload: ActionPayload, values: FormValues): Promise<ReflectionResult> {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const seat = authoriseReflection(ctx, me, payload);
  const one = (k: string) => {
    const v = values[k];
    return (Array.isArray(v) ? v[0] : v) ?? '';
  };
  const required = z.string().trim().min(1, t('status_form.required')).max(NOTE_MAX, t('status_form.too_long', { max: NOTE_MAX }));
  const parsed = z
    .object({
      topic: z.string().trim().min(1, t('status_form.required')).max(200, t('status_form.too_long', { max: 200 })),
      discussed: required,
      will_try: required,
      share: z.enum(['no', 'anonymised'], { error: t('status_form.invalid_choice') }),
    })
    .safeParse({ topic: one('topic'), discussed: one('discussed'), will_try: one('will_try'), share: one('share') || 'no' });
  if (!parsed.success) {
    return { kind: 'invalid', ...fieldErrors(parsed.error.issues) };
  }
  const v = parsed.data;
  const confirmed = ([] as string[]).concat(values.confirm ?? []).includes('no_personal_number');
  if (!confirmed && findNationalIdentityNumbers(`${v.topic}\n${v.discussed}\n${v.will_try}`).length > 0) {
    return { kind: 'confirm', form: reflectionForm(ctx, me.locale, payload, values, true) };
  }
  const note: ReflectionNote = {
    id: randomUUID(),
    network: seat.network.id,
    municipality: seat.municipality.id,
    ...(payload.g ? { gathering: payload.g } : {}),
    email: me.email,
    at: ctx.now().toISOString(),
    topic: v.topic,
    discussed: v.discussed,
    willTry: v.will_try,
    share: v.share,
  };
  await ctx.store.recordReflection(note);
  return {
    kind: 'saved',
    note,
    message: t('reflection_more.saved', { shared: v.share === 'anonymised' ? t('reflection_more.saved_shared') : '' }),
  };
}

/** The person's seat in the reflection group the payload points at; refused for anyone else. */
export function authoriseReflection(ctx: JourneyContext, me: Me, payload: ActionPayload): Seat {
  const seat = payload.m ? findSeat(me, payload.n, payload.m) : undefined;
  if (!seat || !isAskedToReflect(seat.membership.roles)) {
    throw new JourneyRefusal(ctx.texts.t(me.locale, 'reflection_more.not_yours', { municipality: seat?.municipality.name ?? payload.m ?? '' }));
  }
  return seat;
}

/** The empty note form behind the "write a note" button; refused for anyone not in the group. */
export function openReflection(ctx: JourneyContext, me: Me, payload: ActionPayload): FormDraft {
  const seat = authoriseReflection(ctx, me, payload);
  return reflectionForm(ctx, me.locale, { a: 'reflection.write', n: seat.network.id, m: seat.municipality.id, ...(payload.g ? { g: payload.g } : {}) });
}
