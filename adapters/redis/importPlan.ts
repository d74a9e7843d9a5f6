/**
 * What an import must write, computed from the new definition and what Redis holds now. Pure:
 * no Redis here, so the store can run it between WATCH and MULTI and retry it on a conflict.
 */
import type { Gathering, NetworkDefinition, Person } from '../../src/core/model.ts';
import type { ImportProgress, ImportResult } from '../../src/core/ports.ts';
import { canonicalJson, decodeDefinition, decodePerson } from './codec.ts';

/** People are compared, serialised and written in chunks of this many. */
export const PEOPLE_CHUNK = 1000;

/** The network as read under WATCH. */
export interface StoredNetwork {
  /** The stored `def` string, or null when the network does not exist. */
  defJson: string | null;
  /** The `people` hash: email → Person JSON. */
  people: Record<string, string>;
  /** The `meta` hash (empty when missing). */
  meta: Record<string, string>;
  /** Key names, only for error messages. */
  where: { def: string; people: string };
}

/** The outcome of planImport: whether anything changed, and exactly what to write if so. */
export interface ImportPlan {
  changed: boolean;
  created: boolean;
  version: number;
  defJson: string;
  /** Chunks of [email, Person JSON] to HSET; only people whose record changed. */
  peopleWrites: [string, string][][];
  /** People in the file after the import (they belong to the network). */
  emailsActive: string[];
  /** People kept with `removedAt` (no longer in the file). */
  emailsRemoved: string[];
  counts: { municipalities: number; people: number; gatherings: number };
  /** Municipalities whose project leaders (prosjektleder emails) differ from the stored network. */
  leaderChanges: LeaderChange[];
  result: Pick<ImportResult, 'peopleAdded' | 'peopleRemoved' | 'gatheringsMoved'>;
}

/**
 * Merges the file's people into the stored ones and decides what changes.
 *
 * - People in the file take profile and memberships from the file, keep stored platform ids
 *   (`slackId`, `teamsId`) and lose `removedAt`.
 * - People no longer in the file keep their record with no memberships, `organiser: false`
 *   and `removedAt` (the first time they went missing).
 * - Nothing changed when the canonical definition and every person record are identical.
 */
export function planImport(
  def: NetworkDefinition,
  filePeople: Person[],
  stored: StoredNetwork,
  now: Date,
  onProgress?: ImportProgress,
): ImportPlan {
  const defJson = canonicalJson(def);
  const created = stored.defJson === null;
  const fileByEmail = new Map(filePeople.map((p) => [p.email, p]));
  const emails = [...new Set([...fileByEmail.keys(), ...Object.keys(stored.people)])];
  const nowIso = now.toISOString();

  const plan: ImportPlan = {
    changed: false,
    created,
    version: Number(stored.meta.version ?? 0),
    defJson,
    peopleWrites: [],
    emailsActive: [],
    emailsRemoved: [],
    counts: { municipalities: def.municipalities.length, people: fileByEmail.size, gatherings: def.gatherings.length },
    leaderChanges: [],
    result: { peopleAdded: [], peopleRemoved: [], gatheringsMoved: [] },
  };

  for (let start = 0; start < emails.length; start += PEOPLE_CHUNK) {
    const chunk = emails.slice(start, start + PEOPLE_CHUNK);
    const writes = chunk.flatMap((email) => planPerson(email, fileByEmail.get(email), stored, nowIso, plan));
    if (writes.length > 0) plan.peopleWrites.push(writes);
    onProgress?.(start + chunk.length, emails.length);
  }
  if (emails.length === 0) onProgress?.(0, 0);

  if (!created && stored.defJson !== defJson) {
    const before = decodeDefinition(stored.defJson as string, stored.where.def);
    plan.result.gatheringsMoved = movedGatherings(before, def);
    plan.leaderChanges = leaderChanges(before, def);
  }
  const metaMissing = stored.meta.version === undefined;
  plan.changed = created || metaMissing || stored.defJson !== defJson || plan.peopleWrites.length > 0;
  if (plan.changed) plan.version += 1;
  return plan;
}

/** Decides one person's new record; returns the write it needs (none when unchanged). */
function planPerson(
  email: string,
  fromFile: Person | undefined,
  stored: StoredNetwork,
  nowIso: string,
  plan: ImportPlan,
): [string, string][] {
  const oldJson = stored.people[email];
  const old = oldJson === undefined ? undefined : decodePerson(oldJson, `${stored.where.people} ${email}`);
  let next: Person;
  if (fromFile) {
    next = keepPlatformIds(fromFile, old);
    plan.emailsActive.push(email);
    if (!old || old.removedAt) plan.result.peopleAdded.push(email);
  } else {
    next = asRemoved(old as Person, nowIso);
    plan.emailsRemoved.push(email);
    if (!old?.removedAt) plan.result.peopleRemoved.push(email);
  }
  const nextJson = canonicalJson(next);
  const same = oldJson !== undefined && (nextJson === oldJson || (old !== undefined && nextJson === canonicalJson(old)));
  return same ? [] : [[email, nextJson]];
}

function keepPlatformIds(fromFile: Person, old: Person | undefined): Person {
  const next: Person = { ...fromFile };
  delete next.removedAt;
  if (old?.slackId) next.slackId = old.slackId;
  if (old?.teamsId) next.teamsId = old.teamsId;
  return next;
}

function asRemoved(old: Person, nowIso: string): Person {
  return { ...old, memberships: [], organiser: false, removedAt: old.removedAt ?? nowIso };
}

/** A municipality's project leaders before and after an import (lower-case emails, sorted). */
export interface LeaderChange {
  municipality: string;
  from: string[];
  to: string[];
}

/** Municipalities in both versions whose set of prosjektleder emails changed. */
export function leaderChanges(before: NetworkDefinition, after: NetworkDefinition): LeaderChange[] {
  const leaders = (def: NetworkDefinition) =>
    new Map(
      def.municipalities.map((m) => [
        m.id,
        m.members
          .filter((p) => p.roles.includes('prosjektleder'))
          .map((p) => p.email.toLowerCase())
          .sort(),
      ]),
    );
  const old = leaders(before);
  const changes: LeaderChange[] = [];
  for (const [id, to] of leaders(after)) {
    const from = old.get(id);
    if (from && from.join() !== to.join()) changes.push({ municipality: id, from, to });
  }
  return changes;
}

/** Gatherings present before and after whose start or end changed. */
export function movedGatherings(before: NetworkDefinition, after: NetworkDefinition): ImportResult['gatheringsMoved'] {
  const old = new Map<string, Gathering>(before.gatherings.map((g) => [g.id, g]));
  const moved: ImportResult['gatheringsMoved'] = [];
  for (const g of after.gatherings) {
    const o = old.get(g.id);
    if (o && (o.starts !== g.starts || o.ends !== g.ends)) moved.push({ id: g.id, from: o.starts, to: g.starts });
  }
  return moved;
}
