/**
 * Reads what the lagging signals need from the store: every municipality's statuses, task
 * answers, check-ins, reflection notes, steering meetings, project-leader changes and the people
 * Samla cannot reach; and the digest as of now, against the last digest's snapshot.
 *
 * Cost: a few small reads per municipality and two per gathering, all in flight at once; never
 * the network's event log (which grows with every prompt sent): project-leader changes have
 * their own key (NetworkStore.listLeaderChanges).
 */
import type { Gathering, Municipality, NetworkDefinition } from '../model.ts';
import type { NetworkStore } from '../ports.ts';
import { gatheringsAround } from '../schedule.ts';
import { buildDigest, snapshotOf, type Digest, type DigestSnapshot, type StoredDigestSnapshot } from './digest.ts';
import { emptyRecords, type MunicipalityRecords, type UnreachablePerson } from './signals.ts';

/**
 * What is recorded about each municipality of `def`. `unreachable` defaults to the store's list
 * for the network; each person is filed under the first municipality they belong to.
 *
 * With `opts.now`, only what the rules and the digest look at as of then (the same signals
 * come out, with the same evidence): every status (momentum, steering meetings reported in a
 * status), the newest reflection note and steering meeting, the task answers of the next
 * gathering and the check-ins of the next and the last one. Without it, everything.
 */
export async function loadRecords(
  store: NetworkStore,
  def: NetworkDefinition,
  unreachable?: UnreachablePerson[],
  opts: { now?: Date } = {},
): Promise<Record<string, MunicipalityRecords>> {
  const records: Record<string, MunicipalityRecords> = Object.fromEntries(def.municipalities.map((m) => [m.id, emptyRecords()]));
  const newest = opts.now ? { newest: 1 } : {};
  const around = opts.now ? gatheringsAround(def, opts.now) : undefined;
  const taskGatherings = around ? [around.next].filter((g): g is Gathering => !!g) : def.gatherings;
  const checkinGatherings = around ? [around.next, around.last].filter((g): g is Gathering => !!g) : def.gatherings;
  const [, tasks, checkins, leaderChanges, stored] = await Promise.all([
    Promise.all(
      def.municipalities.map(async (m) => {
        const r = records[m.id]!;
        [r.statuses, r.reflections, r.steeringMeetings] = await Promise.all([
          store.listStatus(def.id, m.id),
          store.listReflections(def.id, m.id, newest),
          store.listSteeringMeetings(def.id, m.id, newest),
        ]);
      }),
    ),
    Promise.all(taskGatherings.map((g) => store.listTaskCompletions(def.id, g.id))),
    Promise.all(checkinGatherings.map((g) => store.listCheckins(def.id, g.id))),
    store.listLeaderChanges(def.id),
    unreachable ? Promise.resolve(unreachable) : store.listUnreachable(def.id),
  ]);
  for (const c of tasks.flat()) records[c.municipality]?.tasks.push(c);
  for (const c of checkins.flat()) records[c.municipality]?.checkins.push(c);
  for (const c of leaderChanges) records[c.municipality]?.leaderChanges.push({ at: c.at, from: c.from, to: c.to });
  const byEmail = new Map<string, string>();
  for (const m of def.municipalities) for (const p of m.members) if (!byEmail.has(p.email.toLowerCase())) byEmail.set(p.email.toLowerCase(), m.id);
  for (const u of stored as UnreachablePerson[]) {
    const m = u.municipality ?? byEmail.get(u.email.toLowerCase());
    if (m && records[m]) records[m].unreachable.push({ ...u, municipality: m });
  }
  return records;
}

/**
 * Everything recorded about one municipality (for a nudge at delivery time): its own lists, and
 * its share of the gatherings' task answers and check-ins.
 */
export async function loadMunicipalityRecords(store: NetworkStore, def: NetworkDefinition, m: Municipality): Promise<MunicipalityRecords> {
  const r = emptyRecords();
  const emails = new Set(m.members.map((p) => p.email.toLowerCase()));
  const [lists, perGathering, leaderChanges, unreachable] = await Promise.all([
    Promise.all([store.listStatus(def.id, m.id), store.listReflections(def.id, m.id), store.listSteeringMeetings(def.id, m.id)] as const),
    Promise.all(def.gatherings.map((g) => Promise.all([store.listTaskCompletions(def.id, g.id), store.listCheckins(def.id, g.id)] as const))),
    store.listLeaderChanges(def.id),
    store.listUnreachable(def.id),
  ]);
  [r.statuses, r.reflections, r.steeringMeetings] = lists;
  for (const [tasks, checkins] of perGathering) {
    r.tasks.push(...tasks.filter((c) => c.municipality === m.id));
    r.checkins.push(...checkins.filter((c) => c.municipality === m.id));
  }
  r.leaderChanges = leaderChanges.filter((c) => c.municipality === m.id).map((c) => ({ at: c.at, from: c.from, to: c.to }));
  r.unreachable = unreachable.filter((u) => emails.has(u.email.toLowerCase())).map((u) => ({ ...u, municipality: m.id }));
  return r;
}

export interface CurrentDigest {
  digest: Digest;
  /** What this digest showed, to save once it is sent (the next digest compares with it). */
  snapshot: DigestSnapshot;
  /** The snapshot it was compared with, if any. */
  previous?: StoredDigestSnapshot;
}

/**
 * The digest of a network as of `now`, marking what changed since the last digest that was sent:
 * the newest snapshot, or (for a scheduled digest) the newest one planned before `before`, so
 * every organiser of the network gets the same comparison whoever's digest went out first.
 */
export async function currentDigest(store: NetworkStore, def: NetworkDefinition, now: Date, opts: { before?: Date } = {}): Promise<CurrentDigest> {
  const [records, previous] = await Promise.all([loadRecords(store, def, undefined, { now }), store.lastDigestSnapshot(def.id, opts.before)]);
  const digest = buildDigest(def, records, now, previous?.snapshot);
  return { digest, snapshot: snapshotOf(digest), ...(previous ? { previous } : {}) };
}
