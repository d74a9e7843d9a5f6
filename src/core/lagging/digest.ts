/**
 * The organisers' weekly digest: counts at a glance, the municipalities that may need support
 * (most serious first, each with its reasons and what is new since last week), readiness for
 * the next gathering, and people Samla cannot reach. Worded as an offer of support; it goes to
 * organisers only (domain.md: singling out those who fail hampers quality).
 */
import type { DraftBlock, MessageDraft } from '../drafts.ts';
import type { DigestSnapshot } from '../followUp.ts';
import { formatWhen, joinNames } from '../format.ts';
import type { Locale, NetworkDefinition } from '../model.ts';
import type { Texts } from '../texts.ts';
import { gatheringStart, gatheringsAround, isAskedToCheckIn, tasksSentBy } from '../schedule.ts';
import { reasonText } from './reasons.ts';
import { computeSignals, type MunicipalityRecords, type MunicipalitySignals, type SignalKind, type UnreachablePerson } from './signals.ts';

export interface Readiness {
  gathering: { id: string; title: string; starts: string; daysUntil: number };
  prep: { done: number; total: number };
  checkin: { answered: number; asked: number; coming: number };
  needs: { municipality: string; name: string; text: string }[];
}

export interface DigestEntry {
  municipality: string;
  name: string;
  signals: MunicipalitySignals['signals'];
  /** Signal kinds that were not there in last week's digest. */
  new: SignalKind[];
}

export interface Digest {
  network: string;
  networkName: string;
  generatedAt: string;
  total: number;
  attention: DigestEntry[];
  /** Municipalities that had signals last week and have none now, or lost some. */
  resolved: { municipality: string; name: string; kinds: SignalKind[] }[];
  readiness?: Readiness;
  unreachable: UnreachablePerson[];
  statusesLast14Days: number;
}

export type { DigestSnapshot, StoredDigestSnapshot } from '../followUp.ts';

const DAY = 24 * 3600 * 1000;

/**
 * The digest as of `now`. `previous` is what the last digest showed: signals it lacked are marked
 * new, and signals it had that are gone are listed as resolved. Without a previous digest (the
 * network's first) nothing is marked new.
 */
export function buildDigest(
  def: NetworkDefinition,
  records: Record<string, MunicipalityRecords>,
  now: Date,
  previous?: DigestSnapshot,
): Digest {
  const all = computeSignals(def, records, now);
  const attention: DigestEntry[] = all
    .filter((m) => m.signals.length > 0)
    .map((m) => ({
      municipality: m.municipality.id,
      name: m.municipality.name,
      signals: m.signals,
      new: previous ? m.signals.map((s) => s.kind).filter((k) => !(previous[m.municipality.id] ?? []).includes(k)) : [],
    }));
  const current = new Map(all.map((x) => [x.municipality.id, new Set(x.signals.map((s) => s.kind))]));
  const resolved = def.municipalities
    .map((m) => {
      const still = current.get(m.id) ?? new Set<SignalKind>();
      return { municipality: m.id, name: m.name, kinds: (previous?.[m.id] ?? []).filter((k) => !still.has(k)) };
    })
    .filter((r) => r.kinds.length > 0);
  const unreachable = Object.values(records).flatMap((r) => r.unreachable);
  const since = now.getTime() - 14 * DAY;
  const statusesLast14Days = Object.values(records).reduce((n, r) => n + r.statuses.filter((s) => Date.parse(s.at) >= since).length, 0);
  const readiness = readinessFor(def, records, now);
  return {
    network: def.id,
    networkName: def.name,
    generatedAt: now.toISOString(),
    total: def.municipalities.length,
    attention,
    resolved,
    ...(readiness ? { readiness } : {}),
    unreachable,
    statusesLast14Days,
  };
}

export function snapshotOf(d: Digest): DigestSnapshot {
  return Object.fromEntries(d.attention.map((a) => [a.municipality, a.signals.map((s) => s.kind)]));
}

function readinessFor(def: NetworkDefinition, records: Record<string, MunicipalityRecords>, now: Date): Readiness | undefined {
  const { next } = gatheringsAround(def, now);
  if (!next) return undefined;
  let done = 0;
  let total = 0;
  let answered = 0;
  let asked = 0;
  let coming = 0;
  const needs: Readiness['needs'] = [];
  const attending = def.checkin.questions.find((q) => q.id === 'attending' && q.kind === 'choice');
  const need = def.checkin.questions.find((q) => q.kind === 'text');
  for (const m of def.municipalities) {
    const r = records[m.id];
    const sent = tasksSentBy(def, next, now, m.members.flatMap((p) => p.roles));
    const doneIds = new Set((r?.tasks ?? []).filter((c) => c.gathering === next.id && c.answer === 'done').map((c) => c.task));
    total += sent.length;
    done += sent.filter((t) => doneIds.has(t.id)).length;
    const askedHere = m.members.filter((p) => isAskedToCheckIn(next, p.roles));
    const answers = (r?.checkins ?? []).filter((c) => c.gathering === next.id);
    asked += askedHere.length;
    answered += answers.length;
    if (attending?.options?.[0]) coming += answers.filter((a) => a.answers[attending.id] === attending.options![0]).length;
    if (need) for (const a of answers) if (a.answers[need.id]) needs.push({ municipality: m.id, name: m.name, text: a.answers[need.id]! });
  }
  const starts = gatheringStart(def, next);
  return {
    gathering: { id: next.id, title: next.title, starts: next.starts, daysUntil: Math.round((starts.getTime() - now.getTime()) / DAY) },
    prep: { done, total },
    checkin: { answered, asked, coming },
    needs,
  };
}

/** The digest as a message for an organiser, in their language. */
export function digestMessage(texts: Texts, locale: Locale, def: NetworkDefinition, d: Digest): MessageDraft {
  const t = (key: string, vars?: Record<string, string | number>) => texts.t(locale, key, vars);
  const blocks: DraftBlock[] = [{ type: 'header', text: t('digest.title', { network: d.networkName }) }];
  blocks.push({ type: 'context', text: t('digest_more.glance', { total: d.total, attention: d.attention.length, statuses: d.statusesLast14Days }) });
  if (d.attention.length === 0) {
    blocks.push({ type: 'text', text: t('digest.all_well', { total: d.total }) });
  } else {
    blocks.push({ type: 'text', text: t('digest.attention', { count: d.attention.length, total: d.total }) });
    for (const a of d.attention) {
      const reasons = a.signals.map((s) => `${reasonText(texts, locale, def, s)}${a.new.includes(s.kind) ? ` (${t('digest_more.new')})` : ''}`);
      blocks.push({ type: 'text', text: `${a.name}: ${reasons.join('; ')}.` });
    }
    blocks.push({ type: 'context', text: t('digest_more.offer') });
  }
  if (d.resolved.length) {
    const entries = d.resolved.map((r) =>
      t('lagging.resolved_entry', { municipality: r.name, kinds: joinNames(r.kinds.map((k) => t(`lagging.kind_${k}`)), locale) }),
    );
    blocks.push({ type: 'context', text: t('digest_more.resolved', { municipalities: entries.join('; ') }) });
  }
  if (d.readiness) {
    const r = d.readiness;
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'header',
      text: t('digest_more.readiness', { gathering: r.gathering.title, date: formatWhen(gatheringStart(def, r.gathering), def.timezone, locale), days: r.gathering.daysUntil }),
    });
    blocks.push({
      type: 'facts',
      facts: [
        { label: '✓', value: t('digest_more.readiness_prep', { done: r.prep.done, total: r.prep.total }) },
        { label: '✓', value: t('digest_more.readiness_checkin', { answered: r.checkin.answered, asked: r.checkin.asked, coming: r.checkin.coming }) },
      ],
    });
    if (r.needs.length) {
      blocks.push({ type: 'text', text: t('digest_more.readiness_needs') });
      for (const n of r.needs) blocks.push({ type: 'context', text: `${n.name}: «${n.text}»` });
    }
  }
  if (d.unreachable.length) {
    // The reason is named where the organiser can act on it: a workspace that has not installed Samla.
    const who = (u: UnreachablePerson) =>
      u.reason === 'workspace_not_installed' && u.workspace ? t('digest_more.unreachable_workspace', { name: u.name ?? u.email, workspace: u.workspace }) : (u.name ?? u.email);
    blocks.push({ type: 'context', text: t('digest_more.unreachable', { names: d.unreachable.map(who).join(', ') }) });
  }
  const fallback = d.attention.length ? t('digest.attention', { count: d.attention.length, total: d.total }) : t('digest.all_well', { total: d.total });
  return { fallback: `${t('digest.title', { network: d.networkName })}: ${fallback}`, blocks };
}
