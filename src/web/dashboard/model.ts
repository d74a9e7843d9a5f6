/**
 * What the organisers' dashboard shows for one network, computed from the store as of the
 * clock: the lagging signals per municipality, readiness for the next gathering per
 * municipality, every status report over time, and the digest exactly as the scheduler would
 * send it now (compared with the last digest that was sent).
 */
import type { MessageDraft } from '../../core/drafts.ts';
import { buildDigest, digestMessage, type Digest } from '../../core/lagging/digest.ts';
import { loadRecords } from '../../core/lagging/records.ts';
import { computeSignals, type MunicipalitySignals } from '../../core/lagging/signals.ts';
import type { Gathering, Locale, Municipality, NetworkDefinition, OverallState } from '../../core/model.ts';
import type { NetworkStore } from '../../core/ports.ts';
import { gatheringsAround, isAskedToCheckIn, tasksSentBy } from '../../core/schedule.ts';
import type { Texts } from '../../core/texts.ts';

export interface MunicipalityReadiness {
  municipality: Municipality;
  prep: { done: number; total: number };
  checkin: { answered: number; asked: number; coming: number };
  /** What each person who answered says they need most. */
  needs: string[];
}

export interface StatusPoint {
  at: Date;
  overall?: OverallState;
  /** What the status said, for the tooltip. */
  summary: string;
}

export interface NetworkView {
  def: NetworkDefinition;
  now: Date;
  signals: MunicipalitySignals[];
  next?: Gathering;
  readiness: MunicipalityReadiness[];
  statuses: { municipality: Municipality; points: StatusPoint[] }[];
  digest: Digest;
  digestDraft: MessageDraft;
}

export async function networkView(store: NetworkStore, texts: Texts, def: NetworkDefinition, now: Date, locale: Locale): Promise<NetworkView> {
  const [records, previous] = await Promise.all([loadRecords(store, def), store.lastDigestSnapshot(def.id)]);
  const digest = buildDigest(def, records, now, previous?.snapshot);
  const { next } = gatheringsAround(def, now);
  const attending = def.checkin.questions.find((q) => q.id === 'attending' && q.kind === 'choice');
  const need = def.checkin.questions.find((q) => q.kind === 'text');
  const readiness = def.municipalities.map((m): MunicipalityReadiness => {
    const r = records[m.id];
    if (!next || !r) return { municipality: m, prep: { done: 0, total: 0 }, checkin: { answered: 0, asked: 0, coming: 0 }, needs: [] };
    // As the digest counts it (src/core/lagging/digest.ts): tasks sent so far, done by anyone in the municipality.
    const sent = tasksSentBy(def, next, now, m.members.flatMap((p) => p.roles));
    const doneIds = new Set(r.tasks.filter((c) => c.gathering === next.id && c.answer === 'done').map((c) => c.task));
    const answers = r.checkins.filter((c) => c.gathering === next.id);
    return {
      municipality: m,
      prep: { done: sent.filter((t) => doneIds.has(t.id)).length, total: sent.length },
      checkin: {
        answered: answers.length,
        asked: m.members.filter((p) => isAskedToCheckIn(next, p.roles)).length,
        coming: attending?.options?.[0] ? answers.filter((a) => a.answers[attending.id] === attending.options![0]).length : 0,
      },
      needs: need ? answers.map((a) => a.answers[need.id]).filter((v): v is string => !!v) : [],
    };
  });
  const statuses = def.municipalities.map((m) => ({
    municipality: m,
    points: [...(records[m.id]?.statuses ?? [])]
      .map((s) => ({
        at: new Date(s.at),
        ...(s.overall ? { overall: s.overall } : {}),
        summary: [s.overall ? texts.t(locale, `status.${s.overall}`) : '', s.text ?? s.done ?? ''].filter(Boolean).join(': '),
      }))
      .sort((a, b) => a.at.getTime() - b.at.getTime()),
  }));
  return {
    def,
    now,
    signals: computeSignals(def, records, now),
    ...(next ? { next } : {}),
    readiness,
    statuses,
    digest,
    digestDraft: digestMessage(texts, locale, def, digest),
  };
}
