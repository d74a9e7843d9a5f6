/**
 * Lagging signals and the organisers' digest, from records in the real Redis store: the story of
 * domain.md ("Monday 08:00, the organiser"): Lyngdal drifting, Flekkefjord with only a project
 * leader, Kristiansand and Arendal on track.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../adapters/redis/store.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { buildDigest, digestMessage, snapshotOf } from '../src/core/lagging/digest.ts';
import { reasonText } from '../src/core/lagging/reasons.ts';
import { loadRecords } from '../src/core/lagging/records.ts';
import { computeSignals, signalsFor, emptyRecords, type Signal } from '../src/core/lagging/signals.ts';
import type { NetworkDefinition } from '../src/core/model.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

const EXAMPLE = new URL('../examples/network.yaml', import.meta.url);
const texts = loadTexts();
let t: TestRedis;
let store: RedisStore;
let def: NetworkDefinition;
const NOW = new Date('2027-04-26T06:00:00Z'); // Monday 08:00 in Oslo, samling 2 on 5 May: 9 days

beforeAll(async () => {
  t = await testRedis();
  store = new RedisStore(t.redis, { prefix: t.prefix });
  def = parseNetworkFile(readFileSync(EXAMPLE, 'utf8'), 'network.yaml');
  await store.importNetwork(def, { now: new Date('2027-01-05T10:00:00Z') });
  const status = (municipality: string, email: string, at: string, extra = {}) =>
    store.recordStatus({ id: `${municipality}-${at}`, network: def.id, municipality, email, at, overall: 'on_track', done: 'x', next: 'y', ...extra });
  // Kristiansand: regular status, steering met, tasks done, reflection notes.
  await status('4204', 'ola.hansen@kristiansand.example.no', '2027-04-20T09:00:00Z', { steeringMet: true });
  await status('4204', 'ola.hansen@kristiansand.example.no', '2027-04-06T09:00:00Z');
  await store.recordSteeringMeeting({ id: 'm1', network: def.id, municipality: '4204', date: '2027-03-30', attendees: [{ name: 'Siri Lund', party: 'administrasjon' }], loggedBy: 'ola.hansen@kristiansand.example.no', at: '2027-03-30T12:00:00Z' });
  await store.recordReflection({ id: 'r1', network: def.id, municipality: '4204', gathering: 'samling-1', email: 'anne.moe@kristiansand.example.no', at: '2027-04-10T10:00:00Z', topic: 't', discussed: 'd', willTry: 'w', share: 'anonymised' });
  for (const email of ['ola.hansen@kristiansand.example.no']) {
    await store.recordTaskCompletion({ network: def.id, gathering: 'samling-2', task: 'swot', municipality: '4204', email, answer: 'done', at: '2027-04-15T09:00:00Z' });
  }
  // Arendal: status recently, steering met per status, reflection recently.
  await status('4203', 'kjetil.dahl@arendal.example.no', '2027-04-19T09:00:00Z', { steeringMet: true });
  await store.recordReflection({ id: 'r2', network: def.id, municipality: '4203', gathering: 'samling-1', email: 'tone.aas@arendal.example.no', at: '2027-04-01T10:00:00Z', topic: 't', discussed: 'd', willTry: 'w', share: 'no' });
  await store.recordTaskCompletion({ network: def.id, gathering: 'samling-2', task: 'swot', municipality: '4203', email: 'kjetil.dahl@arendal.example.no', answer: 'done', at: '2027-04-20T09:00:00Z' });
  // Lyngdal: last status 5 weeks ago, no steering meeting, no tasks done.
  await status('4225', 'eirik.solberg@lyngdal.example.no', '2027-03-22T09:00:00Z');
  // Flekkefjord: nothing at all.
});
afterAll(async () => {
  await t.cleanup();
});

function kinds(signals: Signal[]) {
  return signals.map((s) => s.kind).sort();
}

describe('lagging signals', () => {
  it('explains which municipalities need attention, with evidence', async () => {
    const records = await loadRecords(store, def);
    const result = computeSignals(def, records, NOW);
    const by = Object.fromEntries(result.map((r) => [r.municipality.id, r.signals]));
    expect(kinds(by['4225']!)).toEqual(['reflection_silent', 'status_stale', 'steering_missing_party', 'steering_silent'].sort());
    const stale = by['4225']!.find((s) => s.kind === 'status_stale')!;
    expect(stale.evidence).toMatchObject({ lastStatus: '2027-03-22T09:00:00Z', weeks: 5 });
    expect(reasonText(texts, 'nb', def, stale)).toBe('ingen status på 5 uker (sist 22.03.2027)');
    const silent = by['4225']!.find((s) => s.kind === 'steering_silent')!;
    expect(reasonText(texts, 'en', def, silent)).toBe('the steering group has not met since Oppstartssamling');
    expect(kinds(by['4207']!)).toEqual(['no_steering_group', 'reflection_silent', 'status_stale']);
    expect(reasonText(texts, 'nn', def, by['4207']!.find((s) => s.kind === 'no_steering_group')!)).toBe('inga styringsgruppe er registrert');
    // Kristiansand is fine; Arendal lacks a union representative and top management in its steering group.
    expect(by['4204']).toEqual([]);
    expect(kinds(by['4203']!)).toEqual(['steering_missing_party']);
    expect(reasonText(texts, 'nb', def, by['4203']![0]!)).toBe('styringsgruppen mangler tillitsvalgt og administrativ ledelse');
    // Most serious first.
    expect(result.map((r) => r.municipality.name).slice(0, 2)).toEqual(['Lyngdal', 'Flekkefjord']);
  });

  it('flags open preparation tasks close to their due date, naming them', async () => {
    const records = await loadRecords(store, def);
    const nearDue = new Date('2027-04-29T06:00:00Z'); // swot due 30 April 09:00
    const lyngdal = signalsFor(def, def.municipalities.find((m) => m.id === '4225')!, records['4225']!, nearDue);
    const prep = lyngdal.find((s) => s.kind === 'prep_incomplete')!;
    expect(prep.evidence).toMatchObject({ gathering: 'Nettverkssamling 2', done: 0, total: 1, open: ['Gjennomfør en SWOT-analyse av kompetansesituasjonen'] });
    expect(reasonText(texts, 'en', def, prep)).toBe(
      '0 of 1 preparation tasks done, with Nettverkssamling 2 in 6 days (open: «Gjennomfør en SWOT-analyse av kompetansesituasjonen»)',
    );
    const kristiansand = signalsFor(def, def.municipalities[0]!, records['4204']!, nearDue);
    expect(kristiansand.find((s) => s.kind === 'prep_incomplete')).toBeUndefined();
  });

  it('sees the rosy gap, falling momentum, unanswered check-ins and a changed project leader', () => {
    const m = def.municipalities.find((x) => x.id === '4203')!;
    const r = emptyRecords();
    const at = (d: string) => `${d}T09:00:00Z`;
    r.statuses = ['2027-04-19', '2027-03-29', '2027-03-15', '2027-03-08'].map((d, i) => ({ id: `s${i}`, network: def.id, municipality: m.id, email: 'kjetil.dahl@arendal.example.no', at: at(d), overall: 'on_track' as const }));
    r.checkins = [
      { network: def.id, gathering: 'samling-2', municipality: m.id, email: 'tone.aas@arendal.example.no', answers: { attending: 'ja', prepared: 'nei' }, at: at('2027-05-02') },
    ];
    r.leaderChanges = [{ at: at('2027-04-01'), from: ['old.leader@arendal.example.no'], to: ['kjetil.dahl@arendal.example.no'] }];
    const signals = signalsFor(def, m, r, new Date('2027-05-16T10:00:00Z'));
    const by = Object.fromEntries(signals.map((s) => [s.kind, s]));
    expect(by.rosy_gap!.evidence).toMatchObject({ notPrepared: 1, answered: 1, gathering: 'Nettverkssamling 2' });
    expect(by.momentum_falling!.evidence.intervals).toEqual([14, 21, 27]);
    expect(by.project_leader_changed!.evidence).toMatchObject({ to: ['Kjetil Dahl'] });
  });

  it('fires for unanswered check-ins a day after they went out, and not when half answered', () => {
    const m = def.municipalities.find((x) => x.id === '4203')!;
    const r = emptyRecords();
    const monday = new Date('2027-05-04T07:00:00Z'); // check-in for samling 2 planned Sunday 2 May 09:00, sent Monday 08:00
    // Counted from when it really went out (Monday 08:00), not from the Sunday it was planned for.
    expect(signalsFor(def, m, r, new Date('2027-05-03T07:05:00Z')).find((s) => s.kind === 'checkin_unanswered')).toBeUndefined();
    const silent = signalsFor(def, m, r, monday).find((s) => s.kind === 'checkin_unanswered');
    // Asked: those with a seat (project leader, participants) and those with a task (the steering group's SWOT).
    expect(silent?.evidence).toMatchObject({ unanswered: 3, asked: 3, names: ['Kjetil Dahl', 'Hilde Vik', 'Tone Aas'] });
    r.checkins = ['tone.aas@arendal.example.no', 'kjetil.dahl@arendal.example.no'].map((email) => ({
      network: def.id,
      gathering: 'samling-2',
      municipality: m.id,
      email,
      answers: { attending: 'ja' },
      at: '2027-05-02T12:00:00Z',
    }));
    expect(signalsFor(def, m, r, monday).find((s) => s.kind === 'checkin_unanswered')).toBeUndefined();
  });

  it('does not fire before there is anything to expect', () => {
    const early = new Date('2027-01-10T10:00:00Z');
    const result = computeSignals(def, {}, early);
    const allKinds = new Set(result.flatMap((r) => r.signals.map((s) => s.kind)));
    expect(allKinds.has('status_stale')).toBe(false);
    expect(allKinds.has('steering_silent')).toBe(false);
    expect(allKinds.has('reflection_silent')).toBe(false);
  });
});

describe('the weekly digest', () => {
  it('counts, explains, marks what is new, and shows readiness for the next gathering', async () => {
    const records = await loadRecords(store, def, [{ email: 'marit.hauge@lyngdal.example.no', name: 'Marit Hauge', reason: 'BotNotInConversationRoster', at: '2027-04-20T10:00:00Z' }]);
    const previous = { '4225': ['status_stale' as const], '4204': ['status_stale' as const] };
    const digest = buildDigest(def, records, NOW, previous);
    expect(digest.total).toBe(4);
    expect(digest.attention.map((a) => a.name)).toEqual(['Lyngdal', 'Flekkefjord', 'Arendal']);
    expect(digest.attention.find((a) => a.name === 'Lyngdal')!.new).not.toContain('status_stale');
    expect(digest.resolved).toEqual([{ municipality: '4204', name: 'Kristiansand', kinds: ['status_stale'] }]);
    expect(digest.readiness).toMatchObject({ gathering: { id: 'samling-2', daysUntil: 9 }, prep: { done: 2, total: 6 } });
    expect(digest.unreachable.map((u) => u.name)).toEqual(['Marit Hauge']);
    expect(snapshotOf(digest)['4225']).toContain('status_stale');

    const msg = digestMessage(texts, 'en', def, digest);
    const text = msg.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
    expect(msg.fallback).toBe('Weekly digest for Læringsnettverk helse og omsorg Agder 2027: 3 of 4 municipalities may need support');
    expect(text).toContain('Lyngdal: no status for 5 weeks (last on 22 Mar 2027)');
    expect(text).toContain('Flekkefjord: no status since the kick-off, 74 days (new); no steering group is registered (new)');
    expect(text).toContain('Perhaps a phone call or a short meeting would help?');
    expect(text).toContain('Samla cannot reach these people yet: Marit Hauge');
    const nb = digestMessage(texts, 'nb', def, digest);
    expect(nb.fallback).toContain('3 av 4 kommuner kan trenge støtte');
  });
});
