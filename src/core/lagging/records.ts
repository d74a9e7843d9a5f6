/**
 * Reads what the lagging signals need from the store: every municipality's statuses, task
 * answers, check-ins, reflection notes, steering meetings, project-leader changes and the people
 * Samla cannot reach.
 */
import type { NetworkDefinition } from '../model.ts';
import type { NetworkStore } from '../ports.ts';
import { emptyRecords, type MunicipalityRecords, type UnreachablePerson } from './signals.ts';

export async function loadRecords(
  store: NetworkStore,
  def: NetworkDefinition,
  unreachable: UnreachablePerson[] = [],
): Promise<Record<string, MunicipalityRecords>> {
  const records: Record<string, MunicipalityRecords> = Object.fromEntries(def.municipalities.map((m) => [m.id, emptyRecords()]));
  await Promise.all(
    def.municipalities.map(async (m) => {
      const r = records[m.id]!;
      [r.statuses, r.reflections, r.steeringMeetings] = await Promise.all([
        store.listStatus(def.id, m.id),
        store.listReflections(def.id, m.id),
        store.listSteeringMeetings(def.id, m.id),
      ]);
    }),
  );
  await Promise.all(
    def.gatherings.map(async (g) => {
      const [tasks, checkins] = await Promise.all([store.listTaskCompletions(def.id, g.id), store.listCheckins(def.id, g.id)]);
      for (const c of tasks) records[c.municipality]?.tasks.push(c);
      for (const c of checkins) records[c.municipality]?.checkins.push(c);
    }),
  );
  for (const e of await store.events(def.id)) {
    const changes = e.type === 'network.imported' ? (e.data.leaderChanges as { municipality: string; from: string[]; to: string[] }[] | undefined) : undefined;
    for (const c of changes ?? []) records[c.municipality]?.leaderChanges.push({ at: e.at, from: c.from, to: c.to });
  }
  for (const u of unreachable) {
    const m = u.municipality ?? def.municipalities.find((x) => x.members.some((p) => p.email.toLowerCase() === u.email.toLowerCase()))?.id;
    if (m && records[m]) records[m].unreachable.push({ ...u, municipality: m });
  }
  return records;
}
