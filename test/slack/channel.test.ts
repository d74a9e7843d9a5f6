/**
 * `/samla` in channels and DMs, the App Home, and Slack's rules: signatures, stale timestamps,
 * redeliveries, oversized text, and what a person hears when Redis fails.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { button, click, event, post, slash, spoken, startHarness, USERS, type Harness } from './harness.ts';
import { snapshot } from '../helpers/redis.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(new Date('2027-01-25T10:00:00Z'));
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.clock.now = new Date(h.clock.now.getTime() + 60_000);
});

const answerTo = (res: { responseUrl?: string }) => h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl!).pathname);

describe('/samla link steering', () => {
  it('links the channel for Ola (prosjektleder) and confirms in the channel', async () => {
    const from = h.fake.mark();
    const res = await slash(h, USERS.ola, '/samla', 'link steering 4204', { channel: 'C0STEER4204' });
    expect(res.status).toBe(200);
    const posted = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0STEER4204', { from });
    expect(spoken(posted)).toContain('Styringsgruppen i Kristiansand er nå koblet til denne kanalen');
    const links = await h.store.steeringLinks(h.network.id);
    expect(links['4204']).toMatchObject({ platform: 'slack', channel: 'C0STEER4204', linkedBy: USERS.ola.email });
  });

  it('links but tells how to invite Samla when the bot is not in the channel', async () => {
    h.fake.script('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } });
    const res = await slash(h, USERS.ola, '/samla', 'kople styringsgruppe 4204', { channel: 'C0PRIVATE' });
    const answer = await answerTo(res);
    expect(spoken(answer)).toContain('/invite @Samla');
    expect((await h.store.steeringLinks(h.network.id))['4204']?.channel).toBe('C0PRIVATE');
  });

  it('refuses Anne Moe (not organiser, not prosjektleder) and stores nothing', async () => {
    const before = await h.store.steeringLinks(h.network.id);
    const res = await slash(h, USERS.anne, '/samla', 'link steering 4204', { channel: 'C0ANNE' });
    const answer = await answerTo(res);
    expect(spoken(answer)).toContain('Bare arrangøren eller prosjektleder i Kristiansand kan koble styringsgruppen til en kanal.');
    expect(await h.store.steeringLinks(h.network.id)).toEqual(before);
  });

  it('asks for the channel when typed in a DM, and for the number when it is missing', async () => {
    const dm = await slash(h, USERS.ola, '/samla', 'link steering 4204');
    expect(spoken(await answerTo(dm))).toContain('Skriv kommandoen i kanalen til styringsgruppen');
    const bare = await slash(h, USERS.ola, '/samla', 'link steering', { channel: 'C0STEER4204' });
    expect(spoken(await answerTo(bare))).toContain('link steering 4204');
  });
});

describe('/samla help, tasks, next and unknown words', () => {
  it('answers in the person’s language (Ingrid writes English)', async () => {
    const help = await slash(h, USERS.ingrid, '/samla', 'help');
    expect(spoken(await answerTo(help))).toContain('/samla link steering <kommunenummer>'.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    const unknown = await slash(h, USERS.ola, '/samla', 'fisk');
    expect(spoken(await answerTo(unknown))).toContain('Skriv /samla hjelp');
    const tasks = await slash(h, USERS.ola, '/samla', 'oppgåver');
    const said = await answerTo(tasks);
    expect(spoken(said)).toContain('Avklar mandat og sammensetning for styringsgruppen');
    expect(button(said.args.blocks, 'task.done')).toBeDefined();
    const next = await slash(h, USERS.ola, '/samla', 'neste');
    expect(spoken(await answerTo(next))).toContain('Neste samling: Oppstartssamling');
  });
});

describe('App Home', () => {
  it('publishes Ola’s overview, and a Done click in it records the task and republishes', async () => {
    let from = h.fake.mark();
    const res = await event(h, { type: 'app_home_opened', user: USERS.ola.id, channel: 'D0OLA', tab: 'home' });
    expect(res.status).toBe(200);
    const published = await h.fake.waitFor('views.publish', undefined, { from });
    expect(published.args.user_id).toBe(USERS.ola.id);
    const view = published.args.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Kristiansand · prosjektleder, kontaktperson');
    expect(text).toContain('Neste samling: Oppstartssamling');
    expect(text).toContain('Avklar mandat og sammensetning for styringsgruppen');

    from = h.fake.mark();
    await click(h, USERS.ola, button(view.blocks, 'task.done'), { inHome: true });
    const again = await h.fake.waitFor('views.publish', undefined, { from });
    expect(JSON.stringify(again.args.view)).toContain('Du har ingen åpne oppgaver.');
    expect((await h.store.listTaskCompletions(h.network.id, 'samling-1')).find((c) => c.email === USERS.ola.email)?.answer).toBe('done');
  });

  it('shows a stranger who to contact, and publishes nothing for the Messages tab', async () => {
    let from = h.fake.mark();
    await event(h, { type: 'app_home_opened', user: USERS.stranger.id, channel: 'D0STRANGER', tab: 'home' });
    const published = await h.fake.waitFor('views.publish', undefined, { from });
    expect(JSON.stringify(published.args.view)).toContain('Ingrid Fjeld (ingrid.fjeld@example.no)');

    from = h.fake.mark();
    const res = await event(h, { type: 'app_home_opened', user: USERS.ola.id, channel: 'D0OLA', tab: 'messages' });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.calls('views.publish').filter((c) => c.n >= from)).toEqual([]);
  });
});

describe('Slack’s rules', () => {
  it('rejects a forged signature with 401 and does nothing', async () => {
    const before = await snapshot(h.db.redis, h.db.prefix);
    const from = h.fake.mark();
    const res = await slash(h, USERS.ola, '/status', 'Forfalsket', { signature: `v0=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    const signedWithOtherSecret = await slash(h, USERS.ola, '/status', 'Forfalsket', { signature: 'v0=deadbeef' });
    expect(signedWithOtherSecret.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.fake.calls().filter((c) => c.n >= from)).toEqual([]);
    expect(await snapshot(h.db.redis, h.db.prefix)).toEqual(before);
  });

  it('rejects a correctly signed request older than 5 minutes with 401', async () => {
    const before = await snapshot(h.db.redis, h.db.prefix);
    const res = await slash(h, USERS.ola, '/status', 'Gammel', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(await snapshot(h.db.redis, h.db.prefix)).toEqual(before);
  });

  it('records a redelivered command once', async () => {
    const first = await slash(h, USERS.ola, '/status', 'Én gang');
    await answerTo(first);
    const count = async () => (await h.store.listStatus(h.network.id, '4204')).filter((s) => s.text === 'Én gang').length;
    expect(await count()).toBe(1);
    const from = h.fake.mark();
    const again = await post(h, first.body, first.contentType, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(await count()).toBe(1);
    expect(h.fake.calls('response_url').filter((c) => c.n >= from)).toEqual([]);
  });

  it('handles a redelivered event once', async () => {
    const from = h.fake.mark();
    const ev = await event(h, { type: 'app_home_opened', user: USERS.anne.id, channel: 'D0ANNE', tab: 'home' }, { eventId: 'Ev0REDELIVER' });
    await h.fake.waitFor('views.publish', undefined, { from });
    const again = await post(h, ev.body, ev.contentType, { headers: { 'x-slack-retry-num': '1' } });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.calls('views.publish').filter((c) => c.n >= from)).toHaveLength(1);
  });

  it('keeps an oversized status to 3,000 characters and shows it cut visibly', async () => {
    const res = await slash(h, USERS.ola, '/status', 'å'.repeat(5000));
    const answer = await answerTo(res);
    const section = (answer.args.blocks as { text?: { text: string } }[])[0]!.text!.text;
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.endsWith('…')).toBe(true);
    const [latest] = await h.store.listStatus(h.network.id, '4204', 1);
    expect(latest!.text).toHaveLength(3000);
  });

  it('answers a malformed payload with what to do, never crashing', async () => {
    const responseUrl = h.fake.responseUrl();
    const bad = { type: 'block_actions', user: {}, actions: [], trigger_id: 'T1.2.3', response_url: responseUrl };
    const res = await post(h, new URLSearchParams({ payload: JSON.stringify(bad) }).toString(), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
    expect(spoken(await answerTo({ responseUrl }))).toContain('Jeg forstod ikke det Slack sendte, så ingenting ble lagret.');
    const view = await post(h, new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission', user: { id: USERS.ola.id }, view: { id: 'V1', callback_id: 'status', private_metadata: 'not json', state: { values: {} } } }) }).toString(), 'application/x-www-form-urlencoded');
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.json)).toContain('ingenting ble lagret');
    const still = await slash(h, USERS.ola, '/samla', 'neste');
    expect((await answerTo(still)).args.text).toBeDefined();
  });

  it('says "nothing was saved, try again in a minute" when Redis fails', async () => {
    const original = h.store.recordStatus.bind(h.store);
    h.store.recordStatus = () => Promise.reject(new Error('Connection is closed.'));
    try {
      const ola = await slash(h, USERS.ola, '/status', 'Dette lagres ikke');
      expect(spoken(await answerTo(ola))).toContain('Samla er ikke tilgjengelig akkurat nå. Ingenting ble lagret. Prøv igjen om et minutt.');
    } finally {
      h.store.recordStatus = original;
    }
    expect((await h.store.listStatus(h.network.id, '4204')).some((s) => s.text === 'Dette lagres ikke')).toBe(false);
  });
});
