/**
 * One network, two Microsoft 365 tenants: Arendal in tenant A, Lyngdal in tenant B, one Samla
 * bot. Check-ins answered in either tenant count in the digest; an activity from a tenant no
 * network names gets no answer, stores nothing and is logged once an hour; the same email from
 * the wrong tenant is someone else; an admin's pre-install stores where to reach a person.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkinMessage } from '../../src/core/journeys/checkin.ts';
import { currentDigest } from '../../src/core/lagging/records.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { snapshot } from '../helpers/redis.ts';
import { exampleNetwork } from '../helpers/exampleNetwork.ts';
import { BOT_ID, type Harness, NETWORK, PEOPLE, type Who, actionsOf, cardOf, cardSubmit, personalMessage, startHarness } from './harness.ts';

const TENANT_A = 'aaaaaaaa-1111-4a4a-9b9b-00000000000a';
const TENANT_B = 'bbbbbbbb-2222-4b4b-9c9c-00000000000b';
const TENANT_C = 'cccccccc-3333-4c4c-9d9d-00000000000c';
const TONE = 'tone.aas@arendal.example.no';
const EIRIK = 'eirik.solberg@lyngdal.example.no';
const KJETIL = 'kjetil.dahl@arendal.example.no';
const MARIT = { id: '29:marit', name: 'Marit Hauge', aadObjectId: 'aad-marit', email: 'marit.hauge@lyngdal.example.no' };
/** Someone in tenant B whose directory entry carries Kjetil's (tenant A) address. */
const KJETIL_LOOKALIKE = { id: '29:kjetil-b', name: 'Kjetil Dahl', aadObjectId: 'aad-kjetil-b', email: 'Kjetil.Dahl@arendal.example.no' };

function twoTenantNetwork(): NetworkDefinition {
  const def = exampleNetwork();
  for (const m of def.municipalities) {
    if (m.id === '4203') m.tenant = TENANT_A;
    if (m.id === '4225') m.tenant = TENANT_B;
  }
  return def;
}

/** The activity as it arrives from `tenant`. */
function inTenant<T extends Record<string, unknown>>(activity: T, tenant: string): T {
  const a = activity as Record<string, unknown> & { conversation: Record<string, unknown>; channelData?: Record<string, unknown> };
  return { ...a, conversation: { ...a.conversation, tenantId: tenant }, channelData: { ...(a.channelData ?? {}), tenant: { id: tenant } } } as unknown as T;
}

const lines: string[] = [];
let h: Harness;
let def: NetworkDefinition;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  h = await startHarness({ network: twoTenantNetwork(), now: new Date('2027-02-07T09:00:00Z'), logger: pino({ level: 'info' }, sink) });
  h.fake.addMembers([MARIT, KJETIL_LOOKALIKE]);
  await h.plugin.idle();
  def = (await h.store.getNetwork(NETWORK))!;
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.fake.reset());

function logged(): { level: number; msg: string; tenantId?: string }[] {
  return lines.map((l) => JSON.parse(l) as { level: number; msg: string; tenantId?: string });
}

describe('Teams across tenants', () => {
  it('says at start which tenants it answers', () => {
    expect(logged().find((l) => l.msg.startsWith('Teams answers'))?.msg).toBe(
      `Teams answers 2 tenant(s), those named in the network files and TEAMS_ALLOWED_TENANTS: ${TENANT_A}, ${TENANT_B}.`,
    );
  });

  it('counts check-ins answered in tenant A and in tenant B in the digest', async () => {
    const g = def.gatherings[0]!;
    const answer = async (who: Who, tenant: string, email: string, municipality: string) => {
      expect((await h.post(inTenant(personalMessage(h, who, 'hjelp'), tenant))).status).toBe(200);
      const sent = await h.plugin.platform.sendToPerson(email, checkinMessage(h.deps.journeys, def, g, { municipality, locale: 'nb' }));
      expect(sent.conversation).toBe(`a:personal-${who.id}`);
      const submit = actionsOf(cardOf(h.fake.callsOf('send').at(-1)!)).at(-1)!;
      const res = await h.post(inTenant(cardSubmit(h, who, sent.message, { ...submit.data, attending: 'ja', prepared: 'ja', need: '' }), tenant));
      expect(res.status).toBe(200);
    };
    await answer(PEOPLE.tone, TENANT_A, TONE, '4203');
    await answer(PEOPLE.eirik, TENANT_B, EIRIK, '4225');

    const checkins = await h.store.listCheckins(NETWORK, 'samling-1');
    expect(checkins.map((c) => [c.municipality, c.email]).sort()).toEqual([
      ['4203', TONE],
      ['4225', EIRIK],
    ]);
    const { digest } = await currentDigest(h.store, def, h.clock.now);
    expect(digest.readiness?.checkin.answered).toBe(2);
    expect(await h.plugin.references.person(EIRIK, [TENANT_B])).toMatchObject({ userId: PEOPLE.eirik.id, tenantId: TENANT_B });
    expect(await h.plugin.references.person(EIRIK, [TENANT_A])).toBeUndefined();
  });

  it('gives an activity from an unlisted tenant no answer, stores nothing, and logs it once an hour', async () => {
    const before = await snapshot(h.redis.redis, h.redis.prefix);
    const warnings = () => logged().filter((l) => l.tenantId === TENANT_C && l.level === 40);
    const first = await h.post(inTenant(personalMessage(h, PEOPLE.kjetil, 'status Alt går fint'), TENANT_C));
    expect(first.status).toBe(403);
    expect(first.body).toMatchObject({ error: 'wrong_tenant' });
    await h.post(inTenant(personalMessage(h, PEOPLE.hilde, 'hjelp'), TENANT_C));
    expect(h.fake.calls).toEqual([]);
    expect(await snapshot(h.redis.redis, h.redis.prefix)).toEqual(before);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.msg).toMatch(new RegExp(`add "tenant: ${TENANT_C}" to that municipality`));

    h.clock.now = new Date(h.clock.now.getTime() + 61 * 60 * 1000);
    await h.post(inTenant(personalMessage(h, PEOPLE.kjetil, 'hjelp'), TENANT_C));
    expect(warnings()).toHaveLength(2);
    // An activity naming no tenant at all is refused too, once tenants are named.
    const { channelData: _c, ...noTenant } = personalMessage(h, PEOPLE.kjetil, 'hjelp');
    expect((await h.post({ ...noTenant, conversation: { id: 'a:personal-29:kjetil', conversationType: 'personal' } })).status).toBe(403);
    expect(await snapshot(h.redis.redis, h.redis.prefix)).toEqual(before);
  });

  it('does not take the same email from the wrong tenant for that person', async () => {
    const res = await h.post(inTenant(personalMessage(h, KJETIL_LOOKALIKE, 'status Alt går fint'), TENANT_B));
    expect(res.status).toBe(200);
    expect(h.fake.lastMessage().body.text).toMatch(/^Jeg kjenner deg ikke/);
    expect(await h.deps.identities.emailOf('teams', KJETIL_LOOKALIKE.aadObjectId)).toBeUndefined();
    expect(await h.store.listStatus(NETWORK, '4203')).toEqual([]);
    expect(await h.plugin.references.person(KJETIL)).toBeUndefined();

    // Kjetil himself, from his municipality's tenant, is Kjetil.
    await h.post(inTenant(personalMessage(h, PEOPLE.kjetil, 'hjelp'), TENANT_A));
    expect(await h.deps.identities.emailOf('teams', PEOPLE.kjetil.aadObjectId)).toBe(KJETIL);
    // His cached identity does not follow his object id into tenant B.
    h.fake.reset();
    await h.post(inTenant(personalMessage(h, PEOPLE.kjetil, 'hjelp'), TENANT_B));
    expect(h.fake.lastMessage().body.text).toMatch(/^Jeg kjenner deg ikke/);
  });

  it("stores where to reach someone whose admin pre-installed Samla, so prompts reach them before they write", async () => {
    const install = inTenant(
      {
        id: 'install-marit',
        type: 'installationUpdate',
        action: 'add',
        timestamp: h.clock.now.toISOString(),
        serviceUrl: h.fake.url,
        channelId: 'msteams',
        from: { id: MARIT.id, aadObjectId: MARIT.aadObjectId },
        recipient: { id: BOT_ID, name: 'Samla' },
        conversation: { id: `a:personal-${MARIT.id}`, conversationType: 'personal' },
        channelData: { source: { name: 'setupPolicy' } },
        locale: 'nn-NO',
      },
      TENANT_B,
    );
    expect((await h.post(install)).status).toBe(200);
    expect(await h.plugin.references.person(MARIT.email, [TENANT_B])).toMatchObject({ conversationId: `a:personal-${MARIT.id}`, tenantId: TENANT_B });
    expect(await h.plugin.references.tenant(TENANT_B)).toMatchObject({ installedAt: h.clock.now.toISOString() });
    h.fake.reset();
    const g = def.gatherings[0]!;
    const sent = await h.plugin.platform.sendToPerson(MARIT.email, checkinMessage(h.deps.journeys, def, g, { municipality: '4225', locale: 'nn' }));
    expect(sent.conversation).toBe(`a:personal-${MARIT.id}`);
    expect(h.fake.callsOf('send')).toHaveLength(1);
  });
});
