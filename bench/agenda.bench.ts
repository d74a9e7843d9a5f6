/**
 * Agenda benchmark, core only (no Redis, no parser): a network of 400 municipalities and
 * 50,000 people, most of them `deltaker`, planned for a full year, cold (first call in the
 * process, holidays not yet cached) and warm, with and without `lastStatus` facts for every
 * municipality (which gives each its own status-nudge schedule). Aim: well under 200 ms.
 *
 *   npx tsx bench/agenda.bench.ts     (BENCH_MUNICIPALITIES, BENCH_PEOPLE override the size)
 */
import { planAgenda } from '../src/core/agenda.ts';
import type { Gathering, Member, Municipality, NetworkDefinition } from '../src/core/model.ts';
import { exampleNetwork, offset } from '../test/helpers/exampleNetwork.ts';

const MUNICIPALITIES = Number(process.env.BENCH_MUNICIPALITIES ?? 400);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);

function members(kommune: string, count: number): Member[] {
  return Array.from({ length: count }, (_, j): Member => {
    const person = { name: `Person ${j} ${kommune}`, email: `p${j}@k${kommune}.example.no` };
    if (j === 0) return { ...person, roles: ['prosjektleder', 'kontaktperson'] };
    if (j <= 4) return { ...person, roles: ['styringsgruppe'] };
    if (j <= 10) return { ...person, roles: ['refleksjonsgruppe', 'deltaker'] };
    return { ...person, roles: ['deltaker'] };
  });
}

function largeNetwork(): NetworkDefinition {
  const def = exampleNetwork();
  const perMunicipality = Math.floor(PEOPLE / MUNICIPALITIES);
  def.municipalities = Array.from({ length: MUNICIPALITIES }, (_, i): Municipality => {
    const id = String(1000 + i);
    return { id, name: `Kommune ${id}`, platform: i % 2 ? 'teams' : 'slack', members: members(id, perMunicipality) };
  });
  // one task for every participant, so items carry 50,000 recipients
  const first = def.gatherings[0] as Gathering;
  first.tasks.push({ id: 'alle', title: 'Les notatet', for: ['deltaker'], send: offset('-10d'), due: offset('-1d') });
  return def;
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const result = fn();
  return [result, performance.now() - t0];
}

const def = largeNetwork();
const window = { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };
const lastStatus = Object.fromEntries(
  def.municipalities.map((m, i) => [m.id, new Date(Date.UTC(2027, 1, 12 + (i % 40), 10, i % 60))]),
);

const [items, coldMs] = timed(() => planAgenda(def, window));
const runs = 20;
let warmMs = 0;
for (let i = 0; i < runs; i++) warmMs += timed(() => planAgenda(def, window))[1];
let factsMs = 0;
let withFacts = items;
for (let i = 0; i < runs; i++) {
  const [r, ms] = timed(() => planAgenda(def, window, { lastStatus }));
  withFacts = r;
  factsMs += ms;
}
const entries = items.reduce((n, i) => n + i.recipients.length, 0);
console.log(`network: ${def.municipalities.length} municipalities, ${def.municipalities.length * Math.floor(PEOPLE / MUNICIPALITIES)} people`);
console.log(`agenda, one year, cold         ${coldMs.toFixed(1)} ms   (${items.length} items, ${entries} recipient entries)`);
console.log(`agenda, one year, warm         ${(warmMs / runs).toFixed(1)} ms   (mean of ${runs})`);
console.log(`agenda, with lastStatus facts  ${(factsMs / runs).toFixed(1)} ms   (${withFacts.length} items)`);
console.log(`aim: < 200 ms`);
