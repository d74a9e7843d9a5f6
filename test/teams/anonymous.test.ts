/**
 * Anonymous Teams (no credentials) is for this machine only: nothing proves who calls, so a
 * request from elsewhere, or a serviceUrl elsewhere, would let anyone act as anyone and send
 * Samla's replies to their own server. With only a home tenant configured (no tenant named in a network file), other tenants are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseActivity } from '../../adapters/teams/app.ts';
import { PEOPLE, TENANT, personalMessage, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('anonymous Teams', () => {
  it('refuses a request that came through a proxy (not from this machine) and stores nothing', async () => {
    const r = await h.post(personalMessage(h, PEOPLE.kjetil, 'status'), { 'x-forwarded-for': '192.0.2.2' });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: 'anonymous_local_only' });
    expect(h.fake.calls.length).toBe(0);
  });

  it('refuses a serviceUrl that is not on this machine, so replies never go elsewhere', async () => {
    const activity = { ...personalMessage(h, PEOPLE.kjetil, 'status'), serviceUrl: 'http://192.0.2.2:39790/' };
    const r = await h.post(activity);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: 'service_url_not_local' });
  });
});

describe('a configured tenant', () => {
  const config = {
    auth: { mode: 'authenticated' as const, appId: 'a', credential: { kind: 'secret' as const, secret: 'p' }, extra: [], tenantId: TENANT },
    bodyLimit: '256kb',
    allowedTenants: [],
  };
  it('accepts its own tenant and refuses another', () => {
    const base = { serviceUrl: 'https://smba.trafficmanager.net/emea/' };
    expect(refuseActivity(config, { ...base, channelData: { tenant: { id: TENANT } } })).toBeUndefined();
    expect(refuseActivity(config, { ...base, conversation: { tenantId: TENANT.toUpperCase() } })).toBeUndefined();
    expect(refuseActivity(config, { ...base, channelData: { tenant: { id: '11111111-2222-3333-4444-555555555555' } } })).toMatchObject({ error: 'wrong_tenant' });
    expect(refuseActivity(config, base)).toMatchObject({ error: 'wrong_tenant' });
  });
});
