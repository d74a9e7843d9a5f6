/**
 * Every role against every read and write, through the core functions the adapters call: the
 * digest, a municipality's status history, a private and an anonymised reflection note, a task
 * answer, a check-in, a status report, linking the steering channel and "we met". Each person
 * holds exactly one role in Kristiansand (4204); beside them the organiser, the project leader
 * of another municipality of the network, and someone from another network. Allowed requests
 * succeed; denied ones say why, in the person's language, and store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../adapters/redis/store.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { JourneyRefusal, whoAmI, type JourneyContext, type Me } from '../src/core/journeys/context.ts';
import { answerCheckin } from '../src/core/journeys/checkin.ts';
import { readDigest } from '../src/core/journeys/digest.ts';
import { readReflection, readStatusHistory } from '../src/core/journeys/records.ts';
import { submitStatus } from '../src/core/journeys/status.ts';
import { linkSteeringChannel } from '../src/core/journeys/steering.ts';
import { logSteeringMeeting } from '../src/core/journeys/steeringMeeting.ts';
import { answerTask } from '../src/core/journeys/tasks.ts';
import type { Locale, NetworkDefinition } from '../src/core/model.ts';
import { sampleNetwork } from './helpers/sampleNetwork.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

const NET = 'tilgang-nett';
const texts = loadTexts();

function network(): NetworkDefinition {
  const def = sampleNetwork(NET);
  def.organisers = [{ name: 'Olga Org', email: 'olga@example.no', platform: 'slack', locale: 'en' }];
  def.municipalities = [
    {
      id: '4204',
      name: 'Kristiansand',
      platform: 'slack',
      members: [
        { name: 'Pia Prosjekt', email: 'pia@krs.example.no', roles: ['prosjektleder'] },
        { name: 'Kai Kontakt', email: 'kai@krs.example.no', roles: ['kontaktperson'] },
        { name: 'Stig Styring', email: 'stig@krs.example.no', roles: ['styringsgruppe'], party: 'administrasjon', chair: true },
        { name: 'Rita Refleks', email: 'rita@krs.example.no', roles: ['refleksjonsgruppe'], locale: 'nn' },
        { name: 'Dag Deltaker', email: 'dag@krs.example.no', roles: ['deltaker'] },
      ],
    },
    { id: '4225', name: 'Lyngdal', platform: 'teams', members: [{ name: 'Lise Lyngdal', email: 'lise@lyngdal.example.no', roles: ['prosjektleder'] }] },
  ];
  const g = def.gatherings[0]!;
  g.tasks = [{ ...g.tasks[0]!, id: 'plan', title: 'Lag en plan', for: ['prosjektleder', 'styringsgruppe'] }];
  return def;
}

function otherNetwork(): NetworkDefinition {
  const def = sampleNetwork('annet-nett');
  def.organisers = [{ name: 'Ola Annen', email: 'ola.annen@example.no', platform: 'slack' }];
  def.municipalities = [{ id: '3301', name: 'Drammen', platform: 'slack', members: [{ name: 'Ukjent Person', email: 'ukjent@drammen.example.no', roles: ['prosjektleder'] }] }];
  return def;
}

type Who = 'prosjektleder' | 'kontaktperson' | 'styringsgruppe' | 'refleksjonsgruppe' | 'deltaker' | 'organiser' | 'other municipality' | 'unknown person';
const EMAIL: Record<Who, string> = {
  prosjektleder: 'pia@krs.example.no',
  kontaktperson: 'kai@krs.example.no',
  styringsgruppe: 'stig@krs.example.no',
  refleksjonsgruppe: 'rita@krs.example.no',
  deltaker: 'dag@krs.example.no',
  organiser: 'olga@example.no',
  'other municipality': 'lise@lyngdal.example.no',
  'unknown person': 'ukjent@drammen.example.no',
};
const WHO = Object.keys(EMAIL) as Who[];

let t: TestRedis;
let ctx: JourneyContext;
const me = {} as Record<Who, Me>;

beforeAll(async () => {
  t = await testRedis();
  const store = new RedisStore(t.redis, { prefix: t.prefix });
  await store.importNetwork(network(), { now: new Date('2027-01-05T10:00:00Z') });
  await store.importNetwork(otherNetwork(), { now: new Date('2027-01-05T10:00:00Z') });
  ctx = { store, texts, now: () => new Date('2027-02-01T10:00:00Z') }; // before samling 1 (10 February)
  for (const w of WHO) me[w] = (await whoAmI(ctx, EMAIL[w]))!;
  for (const share of ['no', 'anonymised'] as const) {
    await store.recordReflection({ id: share, network: NET, municipality: '4204', gathering: 'samling-1', email: 'rita@krs.example.no', at: '2027-01-20T10:00:00Z', topic: 'Turnus', discussed: 'd', willTry: 'w', share });
  }
  await store.recordStatus({ id: 's0', network: NET, municipality: '4204', email: 'pia@krs.example.no', at: '2027-01-25T10:00:00Z', text: 'I gang' });
});
afterAll(async () => {
  await t.cleanup();
});

/** Runs an operation; "allowed", or the refusal's text. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    const r = (await run()) as { kind?: string; message?: string } | undefined;
    if (r && r.kind === 'refused') return `denied: ${r.message}`;
    if (r && r.kind === 'invalid') return `invalid: ${JSON.stringify(r)}`;
    return 'allowed';
  } catch (err) {
    if (err instanceof JourneyRefusal) return `denied: ${err.userMessage}`;
    throw err;
  }
}

const say = (w: Who, key: string, vars: Record<string, string> = {}) => `denied: ${texts.t(me[w].locale as Locale, key, vars)}`;
const ALLOWED = 'allowed';

const OPERATIONS: Record<string, { run: (m: Me) => Promise<unknown>; expect: (w: Who) => string }> = {
  'read the digest': {
    run: (m) => readDigest(ctx, m, NET),
    expect: (w) => (w === 'organiser' ? ALLOWED : say(w, 'access.digest_organisers_only')),
  },
  'read the status history': {
    run: (m) => readStatusHistory(ctx, m, NET, '4204'),
    expect: (w) => (['other municipality', 'unknown person'].includes(w) ? say(w, 'access.other_municipality') : ALLOWED),
  },
  'read a private reflection note': {
    run: (m) => readReflection(ctx, m, NET, '4204', 'no'),
    expect: (w) => (w === 'prosjektleder' || w === 'refleksjonsgruppe' ? ALLOWED : say(w, 'access.reflection_private')),
  },
  'read an anonymised reflection note': {
    run: (m) => readReflection(ctx, m, NET, '4204', 'anonymised'),
    expect: (w) => (w === 'unknown person' ? say(w, 'access.reflection_private') : ALLOWED),
  },
  'answer a task': {
    run: (m) => answerTask(ctx, m, { a: 'task.done', n: NET, g: 'samling-1', t: 'plan', m: '4204' }, { answer: 'done' }),
    expect: (w) =>
      w === 'prosjektleder' || w === 'styringsgruppe' ? ALLOWED : w === 'unknown person' ? say(w, 'task_more.gone') : say(w, 'task_more.not_yours', { municipality: w === 'organiser' || w === 'other municipality' ? '4204' : 'Kristiansand' }),
  },
  'check in': {
    run: (m) => answerCheckin(ctx, m, { a: 'checkin.answer', n: NET, g: 'samling-1', m: '4204', q: 'attending', v: 'ja' }, { attending: 'ja' }),
    expect: (w) => (['prosjektleder', 'styringsgruppe', 'deltaker'].includes(w) ? ALLOWED : say(w, 'checkin_more.not_yours', { gathering: ['organiser', 'other municipality', 'unknown person'].includes(w) ? 'samling-1' : 'Oppstartssamling' })),
  },
  'submit status': {
    run: (m) => submitStatus(ctx, m, { a: 'status.submit', n: NET, m: '4204' }, { overall: 'on_track', done: 'Mye', next: 'Mer', steering_met: 'no' }),
    expect: (w) =>
      w === 'prosjektleder' || w === 'kontaktperson'
        ? ALLOWED
        : w === 'unknown person'
          ? say(w, 'status_form.not_allowed', { municipality: 'Drammen', leaders: 'Ukjent Person' })
          : say(w, 'status_form.not_allowed', { municipality: 'Kristiansand', leaders: 'Pia Prosjekt' }),
  },
  'link the steering channel': {
    run: (m) => linkSteeringChannel(ctx, m, { municipality: '4204', platform: 'slack', channel: 'C0STEER' }),
    expect: (w) =>
      w === 'organiser' || w === 'prosjektleder'
        ? ALLOWED
        : w === 'unknown person'
          ? say(w, 'steering.unknown_municipality', { municipality: '4204' })
          : say(w, 'steering.not_allowed', { municipality: 'Kristiansand' }),
  },
  'log that the steering group met': {
    run: (m) => logSteeringMeeting(ctx, m, { a: 'steering.met_submit', n: NET, m: '4204' }, { date: '2027-01-28', attendees: ['stig@krs.example.no'] }),
    expect: (w) => (['organiser', 'prosjektleder', 'styringsgruppe'].includes(w) ? ALLOWED : say(w, 'nudge.met_not_allowed', { municipality: w === 'unknown person' ? '4204' : 'Kristiansand' })),
  },
};

describe('every role against every read and write', () => {
  it('knows the people (and nobody with no role anywhere)', async () => {
    expect(WHO.every((w) => me[w])).toBe(true);
    expect(await whoAmI(ctx, 'stranger@nowhere.example.no')).toBeUndefined(); // the adapters answer errors.unknown_person
  });

  it.each(Object.keys(OPERATIONS))('%s', async (op) => {
    const { run, expect: expected } = OPERATIONS[op]!;
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const w of WHO) {
      got[w] = await outcome(() => run(me[w]));
      want[w] = expected(w);
    }
    expect(got).toEqual(want);
  });

  it('stored only what the allowed people did', async () => {
    const store = ctx.store;
    expect((await store.listTaskCompletions(NET, 'samling-1')).map((c) => c.email).sort()).toEqual(['pia@krs.example.no', 'stig@krs.example.no']);
    expect((await store.listCheckins(NET, 'samling-1')).map((c) => c.email).sort()).toEqual(['dag@krs.example.no', 'pia@krs.example.no', 'stig@krs.example.no']);
    expect((await store.listStatus(NET, '4204')).map((s) => s.email).sort()).toEqual(['kai@krs.example.no', 'pia@krs.example.no', 'pia@krs.example.no']);
    expect((await store.listSteeringMeetings(NET, '4204')).map((m) => m.loggedBy).sort()).toEqual(['olga@example.no', 'pia@krs.example.no', 'stig@krs.example.no']);
    expect((await store.steeringLinks(NET))['4204']).toMatchObject({ channel: 'C0STEER', linkedBy: 'olga@example.no' }) // the organiser linked it last;
  });

  it('shows an anonymised note without its author to anyone outside the reflection group and project leader', async () => {
    const seen = (w: Who) => readReflection(ctx, me[w], NET, '4204', 'anonymised');
    expect((await seen('refleksjonsgruppe'))!.email).toBe('rita@krs.example.no');
    expect((await seen('prosjektleder'))!.email).toBe('rita@krs.example.no');
    for (const w of ['organiser', 'deltaker', 'styringsgruppe', 'other municipality'] as const) expect((await seen(w))!.email).toBe('');
  });

  it('denies in the person’s own language', async () => {
    expect(await outcome(() => readDigest(ctx, me.refleksjonsgruppe, NET))).toBe('denied: Vekeoversikta er berre for arrangørane av nettverket.');
    expect(await outcome(() => readReflection(ctx, me.organiser, NET, '4204', 'no'))).toBe(
      "denied: This reflection note is not shared with the network. Only the municipality's reflection group and project leader can read it.",
    );
  });
});
