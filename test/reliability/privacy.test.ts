/**
 * Privacy: `samla person export <email>` prints everything held about a person; `samla person
 * forget <email> --yes` erases their personal data in every network and keeps only anonymous
 * counts, and a second export finds nothing; reflection notes are deleted when their retention
 * runs out, by `samla retention` and by a running Samla.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIdentityStore, RedisStore } from '../../adapters/redis/store.ts';
import { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import { DeliveryRuntime } from '../../src/app/deliveryRuntime.ts';
import { startSamla } from '../../src/app/main.ts';
import { readEnv } from '../../src/app/env.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { reflectionsExpireAt } from '../../src/app/retention.ts';
import { main } from '../../src/cli/main.ts';
import { whoAmI } from '../../src/core/journeys/context.ts';
import { DeliveryError } from '../../src/core/ports.ts';
import { loadExampleNetwork } from '../slack/harness.ts';
import { RecordingPlatform } from '../helpers/recordingPlatform.ts';
import { deleteUnder, snapshot, testRedis, type TestRedis } from '../helpers/redis.ts';
import { oslo, testConfig } from '../helpers/scheduler.ts';

const N = 'agder-helse-2027';
const OLA = 'ola.hansen@kristiansand.example.no';
const ANNE = 'anne.moe@kristiansand.example.no';
let t: TestRedis;
let store: RedisStore;

async function cli(args: string[], now = new Date('2027-02-15T10:00:00Z'), env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    env: { REDIS_URL: t.url, SAMLA_REDIS_PREFIX: t.prefix, ...env },
    stdout: { write: (s: string) => void (out += s) },
    stderr: { write: (s: string) => void (err += s) },
    now: () => now,
  });
  return { code, out, err };
}

const at = (d: string) => new Date(d).toISOString();

beforeAll(async () => {
  t = await testRedis();
  store = new RedisStore(t.redis, { prefix: t.prefix });
  await store.importNetwork(loadExampleNetwork(), { now: new Date('2027-01-02T10:00:00Z') });
  // What Ola Hansen (prosjektleder, Kristiansand) leaves behind, and what others write about him.
  await store.recordStatus({ id: 's1', network: N, municipality: '4204', email: OLA, at: at('2027-01-10T09:00Z'), overall: 'a_bit_behind', done: 'Ola skrev mandatet', next: 'Møte med rådmannen', blockers: 'Ferie', planParts: ['purpose'], steeringMet: true });
  await store.recordStatus({ id: 's2', network: N, municipality: '4204', email: OLA, at: at('2027-01-12T09:00Z'), text: 'Kort status fra Ola' });
  await store.recordTaskCompletion({ network: N, gathering: 'samling-1', task: 'forankring', municipality: '4204', email: OLA, answer: 'not_yet', comment: 'Venter på styringsgruppen', at: at('2027-01-21T09:00Z') });
  await store.recordCheckin({ network: N, gathering: 'samling-1', municipality: '4204', email: OLA, answers: { attending: 'ja', need: 'Ola trenger eksempler' }, at: at('2027-02-07T09:00Z') });
  await store.recordCheckin({ network: N, gathering: 'samling-1', municipality: '4204', email: ANNE, answers: { attending: 'nei' }, at: at('2027-02-07T09:00Z') });
  await store.recordSteeringMeeting({ id: 'm1', network: N, municipality: '4204', date: '2027-01-15', attendees: [{ name: 'Ola Hansen' }, { name: 'Siri Lund', party: 'administrasjon' }], loggedBy: 'per.berg@kristiansand.example.no', at: at('2027-01-15T12:00Z') });
  await store.recordSteeringMeeting({ id: 'm2', network: N, municipality: '4204', date: '2027-01-29', attendees: [{ name: 'Per Berg', party: 'tillitsvalgt' }], loggedBy: OLA, at: at('2027-01-29T12:00Z') });
  await store.recordReflection({ id: 'r1', network: N, municipality: '4204', gathering: 'samling-1', email: ANNE, at: at('2027-02-18T09:00Z'), topic: 'Oppstart', discussed: 'Ola Hansen fortalte om mandatet', willTry: 'Ukentlige møter', share: 'anonymised' });
  await store.recordReflection({ id: 'r2', network: N, municipality: '4204', gathering: 'samling-1', email: OLA, at: at('2027-02-18T10:00Z'), topic: 'Olas notat', discussed: 'Privat', willTry: 'Mer', share: 'no' });
  await store.linkSteeringChannel({ network: N, municipality: '4204', platform: 'slack', channel: 'C0STEER', linkedBy: OLA, at: at('2027-01-05T09:00Z') });
  await new RedisIdentityStore(t.redis, { prefix: t.prefix }).remember('slack', 'U0OLA', OLA);
  const refs = new TeamsReferenceStore(t.redis, { prefix: t.prefix });
  await refs.savePerson({ email: OLA, userId: '29:ola', serviceUrl: 'https://smba.example/', conversationId: 'a:personal-ola', at: at('2027-01-05T09:00Z') });
  await refs.saveConversation({ conversationId: 'a:personal-ola', serviceUrl: 'https://smba.example/', kind: 'personal', at: at('2027-01-05T09:00Z') });
  await t.redis.hset(`${t.prefix}{${N}}:unreachable`, OLA, JSON.stringify({ email: OLA, platform: 'teams', reason: 'no_reference', at: at('2027-01-05T09:00Z') }));
  // Prompts: the task of 2027-01-20 went out; Ola's failed once for good (a job kept in the queue).
  const slack = new RecordingPlatform('slack');
  slack.failWith = (email) => (email === OLA ? new DeliveryError('Slack answered account_inactive', true, 'account_inactive') : undefined);
  const runtime = new DeliveryRuntime({ redis: t.redis, store, texts: loadTexts(), prefix: t.prefix, clock: () => oslo('2027-01-20T09:00'), config: testConfig() });
  runtime.startWorkers({ slack, teams: new RecordingPlatform('teams') });
  await runtime.tick(oslo('2027-01-20T09:00'));
  await runtime.drain(10_000);
  await runtime.close();
}, 30_000);

afterAll(async () => {
  await t?.cleanup();
});

describe('samla person export', () => {
  it('prints everything held about the person as JSON', async () => {
    const { code, out } = await cli(['person', 'export', 'Ola.Hansen@Kristiansand.example.no']);
    expect(code).toBe(0);
    const data = JSON.parse(out);
    expect(data.email).toBe(OLA);
    expect(data.names).toEqual(['Ola Hansen']);
    expect(data.networks).toHaveLength(1);
    const n = data.networks[0];
    expect(n.person).toMatchObject({ email: OLA, name: 'Ola Hansen' });
    expect(n.inNetworkFile.memberships).toEqual([expect.objectContaining({ municipality: '4204', roles: ['prosjektleder', 'kontaktperson'] })]);
    expect(n.statusReports.map((s: { id: string }) => s.id).sort()).toEqual(['s1', 's2']);
    expect(n.taskAnswers).toEqual([expect.objectContaining({ comment: 'Venter på styringsgruppen' })]);
    expect(n.checkins).toEqual([expect.objectContaining({ answers: { attending: 'ja', need: 'Ola trenger eksempler' } })]);
    expect(n.reflectionNotes.map((r: { id: string }) => r.id)).toEqual(['r2']);
    expect(n.steeringMeetingsLogged.map((m: { id: string }) => m.id)).toEqual(['m2']);
    expect(n.steeringMeetingsAttended.map((m: { id: string }) => m.id)).toEqual(['m1']);
    expect(n.steeringLinks).toHaveLength(1);
    expect(n.unreachable).toMatchObject({ reason: 'no_reference' });
    expect(n.deliveries).toEqual([expect.objectContaining({ occurrence: `${N}:task:samling-1:forankring:4204:${OLA}`, state: 'failed' })]);
    expect(n.events.length).toBeGreaterThanOrEqual(8);
    expect(data.identities).toEqual({ slack: 'U0OLA' });
    expect(data.teams.person).toMatchObject({ userId: '29:ola', conversationId: 'a:personal-ola' });
    expect(data.queuedDeliveries).toEqual([expect.objectContaining({ state: 'failed', platform: 'slack' })]);
  });

  it('refuses something that is not an email', async () => {
    const r = await cli(['person', 'export', 'ola']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not an email address');
  });
});

describe('samla person forget', () => {
  it('changes nothing without --yes, and refuses to forget the only organiser of a network', async () => {
    const before = await snapshot(t.redis, t.prefix);
    const dry = await cli(['person', 'forget', OLA]);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Nothing was changed. Run again with --yes');
    const organiser = await cli(['person', 'forget', 'ingrid.fjeld@example.no', '--yes']);
    expect(organiser.code).toBe(2);
    expect(organiser.err).toContain('is the only organiser of "agder-helse-2027"');
    expect(await snapshot(t.redis, t.prefix)).toEqual(before);
  });

  it('erases the person everywhere, keeps anonymous counts, and a second export finds nothing', async () => {
    const countsBefore = {
      statuses: (await store.listStatus(N, '4204')).length,
      tasks: (await store.listTaskCompletions(N, 'samling-1')).length,
      checkins: (await store.listCheckins(N, 'samling-1')).length,
      meetings: (await store.listSteeringMeetings(N, '4204')).map((m) => m.attendees.length),
      events: (await store.events(N)).length,
      version: (await store.getSummary(N))!.version,
    };
    const { code, out } = await cli(['person', 'forget', OLA, '--yes', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.token).toMatch(/^anon-[0-9a-f]{12}$/);
    expect(report.networks[0]).toMatchObject({ network: N, removedFromFile: true, deleted: { person: 1, reflectionNotes: 1, unreachable: 1 } });
    expect(report.deliveryJobs.removed).toBe(1);

    // Nothing anywhere under the prefix (networks, caches, Teams references, delivery queues) names him.
    const everything = JSON.stringify(await snapshot(t.redis, t.prefix)).toLowerCase();
    for (const trace of [OLA, 'ola hansen', 'u0ola', '29:ola', 'a:personal-ola', 'ola trenger', 'ola skrev', 'venter på styringsgruppen', 'olas notat']) expect(everything).not.toContain(trace);
    const again = JSON.parse((await cli(['person', 'export', OLA])).out);
    expect(again).toMatchObject({ networks: [], identities: {}, otherKeys: [], queuedDeliveries: [] });
    expect(again.teams).toBeUndefined();

    // What stays: counts and dates under the token, without his texts.
    const token = `${report.token}@forgotten.invalid`;
    const statuses = await store.listStatus(N, '4204');
    expect(statuses).toHaveLength(countsBefore.statuses);
    expect(statuses.find((s) => s.id === 's1')).toEqual({ id: 's1', network: N, municipality: '4204', email: token, at: at('2027-01-10T09:00Z'), overall: 'a_bit_behind', planParts: ['purpose'], steeringMet: true });
    expect(statuses.find((s) => s.id === 's2')?.text).toBeUndefined();
    const tasks = await store.listTaskCompletions(N, 'samling-1');
    expect(tasks).toHaveLength(countsBefore.tasks);
    expect(tasks.find((c) => c.email === token)).toMatchObject({ answer: 'not_yet', task: 'forankring' });
    expect(tasks.find((c) => c.email === token)?.comment).toBeUndefined();
    const checkins = await store.listCheckins(N, 'samling-1');
    expect(checkins).toHaveLength(countsBefore.checkins);
    expect(checkins.find((c) => c.email === token)?.answers).toEqual({ attending: 'ja' });
    expect((await store.listSteeringMeetings(N, '4204')).map((m) => m.attendees.length)).toEqual(countsBefore.meetings);
    expect((await store.listSteeringMeetings(N, '4204')).find((m) => m.id === 'm2')?.loggedBy).toBe(token);
    const notes = await store.listReflections(N, '4204');
    expect(notes.map((r) => r.id)).toEqual(['r1']); // his own note is deleted; Anne's stays…
    expect(notes[0]!.discussed).toBe(`${report.token} fortalte om mandatet`); // …without his name
    expect(await store.events(N)).toHaveLength(countsBefore.events);
    expect((await store.getSummary(N))!.version).toBe(countsBefore.version + 1); // every process reloads the definition
    const def = (await store.getNetwork(N))!;
    expect(def.municipalities.find((m) => m.id === '4204')!.members.map((m) => m.name)).toEqual(['Siri Lund', 'Per Berg', 'Anne Moe']);
    expect(await whoAmI({ store, texts: loadTexts(), now: () => new Date() }, OLA)).toBeUndefined();
    // Anne is untouched.
    expect(JSON.parse((await cli(['person', 'export', ANNE])).out).networks[0].reflectionNotes.map((r: { id: string }) => r.id)).toEqual(['r1']);
  });
});

describe('retention of reflection notes', () => {
  it('samla retention deletes a network’s notes SAMLA_REFLECTION_RETENTION_MONTHS after its last gathering, keeping a count', async () => {
    const def = (await store.getNetwork(N))!;
    const expires = reflectionsExpireAt(def, 12)!;
    expect(expires.toISOString()).toBe('2028-10-27T13:00:00.000Z'); // 2027-10-27 15:00 in Oslo (summer time), plus 12 months
    const early = await cli(['retention', '--json'], new Date(expires.getTime() - 3600_000));
    expect(JSON.parse(early.out)).toMatchObject({ deleted: 0, networks: [] });
    expect(await store.listReflections(N, '4204')).toHaveLength(1);
    // Six months by the environment: long past.
    const six = await cli(['retention'], new Date(expires.getTime() - 3600_000), { SAMLA_REFLECTION_RETENTION_MONTHS: '6' });
    expect(six.code).toBe(0);
    expect(six.out).toContain(`${N}: retention ran out 2028-04-27T13:00:00.000Z; 1 reflection note(s) deleted.`);
    expect(await store.listReflections(N, '4204')).toEqual([]);
    expect(await t.redis.exists(`${t.prefix}{${N}}:reflections:4204:byid`)).toBe(0);
    const event = (await store.events(N)).at(-1)!;
    expect(event).toMatchObject({ type: 'reflections.deleted', actor: 'retention', data: { count: 1, months: 6, reason: 'retention' } });
    expect((await store.listStatus(N, '4204')).length).toBe(2); // nothing else goes
    const bad = await cli(['retention'], new Date(), { SAMLA_REFLECTION_RETENTION_MONTHS: 'tolv' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('SAMLA_REFLECTION_RETENTION_MONTHS="tolv"');
  });

  it('a running Samla deletes expired notes by itself', async () => {
    const own = `samla-test:${randomBytes(6).toString('hex')}:`;
    const s2 = new RedisStore(t.redis, { prefix: own });
    await s2.importNetwork(loadExampleNetwork(), { now: new Date('2027-01-02T10:00:00Z') });
    await s2.recordReflection({ id: 'r9', network: N, municipality: '4204', email: ANNE, at: at('2027-02-18T09:00Z'), topic: 'x', discussed: 'y', willTry: 'z', share: 'no' });
    const samla = await startSamla({
      settings: readEnv({ REDIS_URL: t.url, SAMLA_REDIS_PREFIX: own, LOG_LEVEL: 'silent', SAMLA_TICK_EVERY_MS: '3600000' }),
      port: 0,
      host: '127.0.0.1',
      now: () => new Date('2028-11-01T10:00:00Z'),
    });
    try {
      const deadline = Date.now() + 5000;
      while ((await s2.listReflections(N, '4204')).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await s2.listReflections(N, '4204')).toEqual([]);
    } finally {
      await samla.close();
      await deleteUnder(t.redis, own);
    }
  });
});
