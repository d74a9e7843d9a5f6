/**
 * Every lagging signal on both sides of its threshold, with the thresholds taken from the
 * network file's `lagging:` section (set here to values other than the defaults, so a rule that
 * ignored the file would fail). Pure: records are built by hand, the clock is an argument.
 *
 * The example network in Oslo time: samling 1 ends 2027-02-11 15:00 (14:00Z); samling 2 starts
 * 2027-05-05 09:00 (07:00Z), its SWOT task is due 2027-04-30 09:00 (07:00Z) and its check-in goes
 * out 2027-05-02 09:00 (07:00Z). Days count whole days (rounded), so a status 21 days and 11
 * hours old is 21 days old.
 */
import { describe, expect, it } from 'vitest';
import { loadTexts } from '../src/app/prompts.ts';
import { reasonText } from '../src/core/lagging/reasons.ts';
import { emptyRecords, signalsFor, type MunicipalityRecords, type Signal, type SignalKind } from '../src/core/lagging/signals.ts';
import type { CheckinAnswer, Municipality, NetworkDefinition, StatusReport } from '../src/core/model.ts';
import { exampleNetwork } from './helpers/exampleNetwork.ts';

const texts = loadTexts();
const DAY = 24 * 3600 * 1000;

/** The example network with thresholds unlike the defaults (28, 2, true, 60, 45). */
function network(lagging: Partial<NetworkDefinition['lagging']> = {}): NetworkDefinition {
  const def = exampleNetwork();
  def.lagging = { status_stale_days: 21, prep_incomplete_days_before: 3, checkin_unanswered: true, steering_silent_days: 40, reflection_silent_days: 30, ...lagging };
  return def;
}
const def = network();
const kristiansand = def.municipalities.find((m) => m.id === '4204')!; // every role and party
const lyngdal = def.municipalities.find((m) => m.id === '4225')!; // no union representative, no reflection group

const at = (iso: string, plusDays = 0, plusMs = 0) => new Date(Date.parse(iso) + plusDays * DAY + plusMs);
const status = (when: string, extra: Partial<StatusReport> = {}): StatusReport => ({
  id: when,
  network: def.id,
  municipality: '4204',
  email: 'ola.hansen@kristiansand.example.no',
  at: when,
  ...extra,
});
const checkin = (email: string, answers: Record<string, string>): CheckinAnswer => ({ network: def.id, gathering: 'samling-2', municipality: '4204', email, answers, at: '2027-05-02T12:00:00Z' });
function records(r: Partial<MunicipalityRecords> = {}): MunicipalityRecords {
  return { ...emptyRecords(), ...r };
}
function signal(kind: SignalKind, now: Date, r: MunicipalityRecords = records(), m: Municipality = kristiansand, d: NetworkDefinition = def): Signal | undefined {
  const all = signalsFor(d, m, r, now);
  for (const s of all) expect(Object.keys(s.evidence).length, `${s.kind} carries evidence`).toBeGreaterThan(0);
  return all.find((s) => s.kind === kind);
}

describe('status_stale (status_stale_days: 21)', () => {
  const last = '2027-03-01T09:00:00.000Z';
  it('fires on day 22 after the last status, not on day 21', () => {
    const r = records({ statuses: [status(last)] });
    expect(signal('status_stale', at(last, 21), r)).toBeUndefined();
    expect(signal('status_stale', at(last, 21, 11 * 3600_000), r)).toBeUndefined(); // 21 days 11 hours: 21
    const stale = signal('status_stale', at(last, 22), r)!;
    expect(stale).toMatchObject({ severity: 'high', evidence: { lastStatus: last, days: 22, weeks: 3 } });
    expect(reasonText(texts, 'nb', def, stale)).toBe('ingen status på 3 uker (sist 01.03.2027)');
  });

  it('counts from the end of the first gathering when no status was ever reported, and not before it', () => {
    const end = '2027-02-11T14:00:00.000Z';
    expect(signal('status_stale', at(end, -1))).toBeUndefined();
    expect(signal('status_stale', at(end, 21))).toBeUndefined();
    const never = signal('status_stale', at(end, 22))!;
    expect(never.evidence).toMatchObject({ lastStatus: null, days: 22 });
    expect(reasonText(texts, 'en', def, never)).toBe('no status since the kick-off, 22 days');
  });

  it('uses the file’s threshold: with 28 days the same status is not stale on day 22', () => {
    const r = records({ statuses: [status(last)] });
    expect(signal('status_stale', at(last, 22), r, kristiansand, network({ status_stale_days: 28 }))).toBeUndefined();
    expect(signal('status_stale', at(last, 29), r, kristiansand, network({ status_stale_days: 28 }))).toBeDefined();
  });
});

describe('prep_incomplete (prep_incomplete_days_before: 3)', () => {
  const due = '2027-04-30T07:00:00.000Z'; // SWOT for samling 2
  it('fires once an open task is due within 3 days, naming it, and not a minute earlier', () => {
    expect(signal('prep_incomplete', at(due, -3, -60_000))).toBeUndefined();
    const prep = signal('prep_incomplete', at(due, -3))!;
    expect(prep.evidence).toMatchObject({ gathering: 'Nettverkssamling 2', done: 0, total: 2, daysUntil: 8 });
    expect(prep.evidence.open).toEqual(['Gjennomfør en SWOT-analyse av kompetansesituasjonen', 'Drøft i refleksjonsgruppen hva dere vil ha ut av samlingen']);
    expect(reasonText(texts, 'nn', def, prep)).toBe(
      '0 av 2 førebuingsoppgåver gjorde, med Nettverkssamling 2 om 8 dagar (opne: «Gjennomfør en SWOT-analyse av kompetansesituasjonen», «Drøft i refleksjonsgruppen hva dere vil ha ut av samlingen»)',
    );
  });

  it('does not fire when the pressing task is done (by anyone in the municipality), or after the gathering began', () => {
    const done = records({ tasks: [{ network: def.id, gathering: 'samling-2', task: 'swot', municipality: '4204', email: 'siri.lund@kristiansand.example.no', answer: 'done', at: '2027-04-20T10:00:00Z' }] });
    expect(signal('prep_incomplete', at(due, -3), done)).toBeUndefined();
    const notYet = records({ tasks: [{ ...done.tasks[0]!, answer: 'not_yet' }] });
    expect(signal('prep_incomplete', at(due, -3), notYet)).toBeDefined();
    expect(signal('prep_incomplete', at('2027-05-05T08:00:00Z'))).toBeUndefined(); // samling 2 has started; samling 3's task is not sent yet
  });
});

describe('checkin_unanswered (checkin_unanswered: true / false)', () => {
  const sent = '2027-05-03T06:00:00.000Z'; // samling 2's check-in: planned Sunday 2 May 09:00, sent Monday 08:00
  it('fires a full day after the check-in went out, when more than half have not answered', () => {
    expect(signal('checkin_unanswered', at(sent, 1, -60_000))).toBeUndefined();
    const c = signal('checkin_unanswered', at(sent, 1))!;
    // Asked in Kristiansand: the project leader, the participant and everyone with a task for samling 2.
    expect(c.evidence).toMatchObject({ gathering: 'Nettverkssamling 2', unanswered: 4, asked: 4, names: ['Ola Hansen', 'Siri Lund', 'Per Berg', 'Anne Moe'] });
    const three = records({ checkins: [checkin('ola.hansen@kristiansand.example.no', { attending: 'ja' })] });
    expect(signal('checkin_unanswered', at(sent, 1), three)?.evidence).toMatchObject({ unanswered: 3, asked: 4 });
  });

  it('does not fire when exactly half have answered', () => {
    const half = records({ checkins: ['ola.hansen@kristiansand.example.no', 'anne.moe@kristiansand.example.no'].map((e) => checkin(e, { attending: 'ja' })) });
    expect(signal('checkin_unanswered', at(sent, 1), half)).toBeUndefined();
  });

  it('never fires when the file turns it off', () => {
    expect(signal('checkin_unanswered', at(sent, 2), records(), kristiansand, network({ checkin_unanswered: false }))).toBeUndefined();
  });
});

describe('steering_silent (steering_silent_days: 40)', () => {
  const meeting = (date: string) => ({ id: date, network: def.id, municipality: '4204', date, attendees: [], loggedBy: 'siri.lund@kristiansand.example.no', at: `${date}T12:00:00Z` });
  it('fires 41 days after the last meeting, not after 40', () => {
    const r = records({ steeringMeetings: [meeting('2027-03-01')] });
    // A meeting date counts as the end of that day in Oslo: 1 March 23:59 (22:59Z).
    expect(signal('steering_silent', at('2027-03-01T22:59:00Z', 40), r)).toBeUndefined();
    const silent = signal('steering_silent', at('2027-03-01T22:59:00Z', 41), r)!;
    expect(silent.evidence).toMatchObject({ days: 41, sinceGathering: null });
    expect(reasonText(texts, 'en', def, silent)).toBe('the steering group last met on 1 Mar 2027, 41 days ago');
  });

  it('counts a status that says the steering group met, and from the end of the kick-off when it never met', () => {
    const viaStatus = records({ statuses: [status('2027-03-05T10:00:00.000Z', { steeringMet: true })] });
    expect(signal('steering_silent', at('2027-03-05T10:00:00Z', 40), viaStatus)).toBeUndefined();
    expect(signal('steering_silent', at('2027-03-05T10:00:00Z', 41), viaStatus)).toBeDefined();
    expect(signal('steering_silent', at('2027-02-11T14:00:00Z', 40))).toBeUndefined();
    expect(signal('steering_silent', at('2027-02-11T14:00:00Z', 41))?.evidence).toMatchObject({ lastMeeting: null, days: 41 });
  });

  it('fires at once after a later gathering when the group has not met since, and stops when it has', () => {
    const before = records({ steeringMeetings: [meeting('2027-04-20')] });
    const after = at('2027-05-06T08:00:00Z'); // samling 2 ended the day before; 15 days since the end of the meeting day
    expect(signal('steering_silent', after, before)?.evidence).toMatchObject({ sinceGathering: 'Nettverkssamling 2', days: 15 });
    expect(signal('steering_silent', after, records({ steeringMeetings: [meeting('2027-04-20'), meeting('2027-05-06')] }))).toBeUndefined();
  });
});

describe('reflection_silent (reflection_silent_days: 30)', () => {
  it('fires 31 days after the last gathering or note, not after 30', () => {
    const end = '2027-02-11T14:00:00.000Z';
    expect(signal('reflection_silent', at(end, 30))).toBeUndefined();
    expect(signal('reflection_silent', at(end, 31))?.evidence).toMatchObject({ lastNote: null, days: 31, noGroup: false });
    const note = '2027-03-01T10:00:00.000Z';
    const r = records({ reflections: [{ id: 'n', network: def.id, municipality: '4204', email: 'anne.moe@kristiansand.example.no', at: note, topic: 't', discussed: 'd', willTry: 'w', share: 'no' }] });
    expect(signal('reflection_silent', at(note, 30), r)).toBeUndefined();
    expect(signal('reflection_silent', at(note, 31), r)?.evidence).toMatchObject({ lastNote: note, days: 31 });
  });

  it('says so when there is no reflection group at all, once a gathering is over', () => {
    expect(signal('reflection_silent', at('2027-02-11T13:00:00Z'), records(), lyngdal)).toBeUndefined();
    const none = signal('reflection_silent', at('2027-02-12T09:00:00Z'), records(), lyngdal)!;
    expect(none.evidence.noGroup).toBe(true);
    expect(reasonText(texts, 'nb', def, none)).toBe('ingen refleksjonsgruppe er registrert');
  });
});

describe('momentum_falling (intervals growing past status.every: 14 days)', () => {
  const three = (a: string, b: string, c: string) => records({ statuses: [c, b, a].map((x) => status(x)) });
  it('fires when the last three intervals grow and the current one exceeds 14 days, not at 14', () => {
    const r = three('2027-03-01T09:00:00Z', '2027-03-08T09:00:00Z', '2027-03-18T09:00:00Z'); // 7, 10, then silence
    expect(signal('momentum_falling', at('2027-03-18T09:00:00Z', 14), r)).toBeUndefined();
    expect(signal('momentum_falling', at('2027-03-18T09:00:00Z', 15), r)?.evidence).toEqual({ intervals: [7, 10, 15] });
  });

  it('does not fire when the intervals do not grow, or with fewer than three statuses', () => {
    expect(signal('momentum_falling', at('2027-03-18T09:00:00Z', 15), three('2027-03-01T09:00:00Z', '2027-03-11T09:00:00Z', '2027-03-18T09:00:00Z'))).toBeUndefined(); // 10, 7, 15
    expect(signal('momentum_falling', at('2027-03-08T09:00:00Z', 30), records({ statuses: [status('2027-03-08T09:00:00Z'), status('2027-03-01T09:00:00Z')] }))).toBeUndefined();
  });
});

describe('rosy_gap', () => {
  const now = at('2027-05-04T08:00:00Z');
  const onTrack = status('2027-05-03T08:00:00.000Z', { overall: 'on_track' });
  it('fires when the project leader says on track and at least half the check-ins say not prepared', () => {
    const r = records({ statuses: [onTrack], checkins: [checkin('anne.moe@kristiansand.example.no', { prepared: 'nei' }), checkin('per.berg@kristiansand.example.no', { prepared: 'ja' })] });
    expect(signal('rosy_gap', now, r)?.evidence).toMatchObject({ notPrepared: 1, answered: 2, gathering: 'Nettverkssamling 2' });
  });

  it('does not fire below half, or when the project leader does not say on track', () => {
    const third = [checkin('anne.moe@kristiansand.example.no', { prepared: 'delvis' }), checkin('per.berg@kristiansand.example.no', { prepared: 'ja' }), checkin('siri.lund@kristiansand.example.no', { prepared: 'ja' })];
    expect(signal('rosy_gap', now, records({ statuses: [onTrack], checkins: third }))).toBeUndefined();
    const behind = records({ statuses: [{ ...onTrack, overall: 'a_bit_behind' }], checkins: [checkin('anne.moe@kristiansand.example.no', { prepared: 'nei' })] });
    expect(signal('rosy_gap', now, behind)).toBeUndefined();
  });
});

describe('who is there', () => {
  it('project_leader_changed: news for 90 days, not 91; not for a first leader', () => {
    const change = { at: '2027-03-01T10:00:00.000Z', from: ['old@kristiansand.example.no'], to: ['ola.hansen@kristiansand.example.no'] };
    expect(signal('project_leader_changed', at(change.at, 90), records({ leaderChanges: [change] }))?.evidence).toMatchObject({ from: change.from, to: ['Ola Hansen'] });
    expect(signal('project_leader_changed', at(change.at, 91), records({ leaderChanges: [change] }))).toBeUndefined();
    expect(signal('project_leader_changed', at(change.at, 1), records({ leaderChanges: [{ ...change, from: [] }] }))).toBeUndefined();
  });

  it('no_project_leader and no_steering_group fire for what the file lacks, and only then', () => {
    const now = at('2027-01-10T10:00:00Z');
    const bare: Municipality = { id: '4299', name: 'Tomkommune', platform: 'slack', members: [{ name: 'Ane Deltaker', email: 'ane@tom.example.no', roles: ['deltaker'] }] };
    expect(signal('no_project_leader', now, records(), bare)?.evidence).toEqual({ members: ['Ane Deltaker'] });
    expect(signal('no_steering_group', now, records(), bare)?.evidence).toEqual({ registered: ['Ane Deltaker (deltaker)'] });
    expect(signal('no_project_leader', now)).toBeUndefined();
    expect(signal('no_steering_group', now)).toBeUndefined();
  });

  it('steering_missing_party: a union rep (tillitsvalgt or verneombud) and top management are both needed', () => {
    const now = at('2027-01-10T10:00:00Z');
    expect(signal('steering_missing_party', now)).toBeUndefined(); // Kristiansand: administrasjon + tillitsvalgt
    expect(signal('steering_missing_party', now, records(), lyngdal)?.evidence).toMatchObject({ missing: ['tillitsvalgt'] });
    const withVerneombud: Municipality = { ...lyngdal, members: [...lyngdal.members, { name: 'Vera Vern', email: 'vera@lyngdal.example.no', roles: ['styringsgruppe'], party: 'verneombud' }] };
    expect(signal('steering_missing_party', now, records(), withVerneombud)).toBeUndefined();
    const noManagement: Municipality = { ...kristiansand, members: kristiansand.members.map((p) => (p.party === 'administrasjon' ? { ...p, party: 'politiker' as const } : p)) };
    const s = signal('steering_missing_party', now, records(), noManagement)!;
    expect(s.evidence).toMatchObject({ missing: ['administrasjon'] });
    expect(reasonText(texts, 'en', def, s)).toBe('the steering group lacks top management');
  });

  it('unreachable: fires for people Samla cannot reach, naming them', () => {
    const now = at('2027-01-10T10:00:00Z');
    expect(signal('unreachable', now)).toBeUndefined();
    const u = signal('unreachable', now, records({ unreachable: [{ email: 'per.berg@kristiansand.example.no', name: 'Per Berg', reason: 'users_not_found', at: '2027-01-09T10:00:00Z' }] }))!;
    expect(u.evidence).toEqual({ names: ['Per Berg'], reasons: ['users_not_found'] });
    expect(reasonText(texts, 'nn', def, u)).toBe('Samla når ikkje Per Berg');
  });
});

describe('a municipality with nothing to report', () => {
  it('has no signal at all before the kick-off when its people and parties are in place', () => {
    expect(signalsFor(def, kristiansand, records(), at('2027-01-10T10:00:00Z'))).toEqual([]);
  });
});
