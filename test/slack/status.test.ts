/**
 * `/status` in Slack through real signed HTTP requests: the modal, its submission, the short
 * status, the wrong role, the unknown person, the person in several municipalities.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { button, click, openedView, slash, spoken, startHarness, submit, USERS, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.clock.now = new Date(h.clock.now.getTime() + 60_000); // each test's records are the newest
});

const inputs = (view: { blocks: Record<string, unknown>[] }) => view.blocks.filter((b) => b.type === 'input');

describe('/status', () => {
  it('opens a modal with the six fields for Ola (prosjektleder in Kristiansand), prefilled from the last status', async () => {
    await h.store.recordStatus({
      id: 'earlier',
      network: h.network.id,
      municipality: '4204',
      email: USERS.ola.email,
      at: '2027-01-10T09:00:00.000Z',
      overall: 'a_bit_behind',
      done: 'Mandat sendt til rådmannen',
      next: 'Møte i styringsgruppen',
      planParts: ['purpose', 'milestones'],
      steeringMet: false,
    });
    const from = h.fake.mark();
    const res = await slash(h, USERS.ola, '/status');
    expect(res.status).toBe(200);
    expect(res.text).toBe(''); // acknowledged at once; the modal comes through views.open
    const view = await openedView(h, from);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'status' });
    const fields = inputs(view);
    expect(fields.map((b) => b.block_id)).toEqual(['overall', 'done', 'next', 'blockers', 'plan_parts', 'steering_met']);
    const el = (id: string) => fields.find((b) => b.block_id === id)!.element as Record<string, unknown>;
    expect(el('overall')).toMatchObject({ type: 'radio_buttons', initial_option: { value: 'a_bit_behind' } });
    expect(el('done')).toMatchObject({ type: 'plain_text_input', multiline: true, initial_value: 'Mandat sendt til rådmannen', max_length: 3000 });
    expect(el('plan_parts')).toMatchObject({ type: 'checkboxes' });
    expect((el('plan_parts').initial_options as { value: string }[]).map((o) => o.value)).toEqual(['purpose', 'milestones']);
    expect(JSON.parse(view.private_metadata as string)).toEqual({ payload: { a: 'status.submit', n: h.network.id, m: '4204' } });
    const call = h.fake.calls('views.open').at(-1)!;
    expect(call.args.trigger_id).toBe(res.triggerId);
    expect(call.token).toBe('xoxb-samla-test-token');
  });

  it('stores a StatusReport from the submitted modal, and answers a bad one with per-field errors', async () => {
    const from = h.fake.mark();
    await slash(h, USERS.ola, '/status');
    const view = await openedView(h, from);

    const before = await h.store.listStatus(h.network.id, '4204');
    const bad = await submit(h, USERS.ola, view, { overall: 'on_track', done: '   ', next: 'x', steering_met: undefined });
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { done: 'Må fylles ut', steering_met: 'Velg et av alternativene' } });
    expect(await h.store.listStatus(h.network.id, '4204')).toEqual(before);

    const good = await submit(h, USERS.ola, view, {
      overall: 'on_track',
      done: 'Styringsgruppen har fått mandat <!channel>',
      next: 'SWOT-analyse før samling 2',
      blockers: '',
      plan_parts: ['purpose', 'baseline'],
      steering_met: 'yes',
    });
    expect(good.status).toBe(200);
    expect(good.json).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const notice = JSON.stringify(good.json);
    expect(notice).toContain('Status for Kristiansand er lagret');
    const [latest] = await h.store.listStatus(h.network.id, '4204', 1);
    expect(latest).toMatchObject({
      email: USERS.ola.email,
      overall: 'on_track',
      done: 'Styringsgruppen har fått mandat <!channel>',
      next: 'SWOT-analyse før samling 2',
      planParts: ['purpose', 'baseline'],
      steeringMet: true,
    });
  });

  it('saves "/status Litt forsinket" as a short status and says so', async () => {
    const res = await slash(h, USERS.ola, '/status', 'Litt forsinket');
    expect(res.status).toBe(200);
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    expect(spoken(answer)).toContain('Kortstatus for Kristiansand er lagret: «Litt forsinket»');
    expect(answer.args.response_type).toBe('ephemeral');
    const [latest] = await h.store.listStatus(h.network.id, '4204', 1);
    expect(latest).toMatchObject({ text: 'Litt forsinket', email: USERS.ola.email });
  });

  it('escapes a hostile short status so it cannot ping the channel', async () => {
    const res = await slash(h, USERS.ola, '/status', 'Ferdig <!channel> <@U0PER> & <https://evil.example|klikk>');
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    const said = spoken(answer);
    expect(said).not.toMatch(/<!channel>|<@U0PER>|<https:/);
    expect(said).toContain('&lt;!channel&gt; &lt;@U0PER&gt; &amp; &lt;https://evil.example|klikk&gt;');
    const [latest] = await h.store.listStatus(h.network.id, '4204', 1);
    expect(latest!.text).toBe('Ferdig <!channel> <@U0PER> & <https://evil.example|klikk>'); // stored as typed
  });

  it('tells Per Berg (styringsgruppe) that Ola Hansen is the project leader, and stores nothing', async () => {
    const before = await h.store.listStatus(h.network.id, '4204');
    const from = h.fake.mark();
    const res = await slash(h, USERS.per, '/status');
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    expect(spoken(answer)).toContain('Prosjektleder hos dere er Ola Hansen');
    expect(h.fake.calls('views.open').filter((c) => c.n >= from)).toEqual([]);
    const short = await slash(h, USERS.per, '/status', 'Alt går fint');
    await h.fake.waitFor('response_url', (c) => c.args.url === new URL(short.responseUrl).pathname);
    expect(await h.store.listStatus(h.network.id, '4204')).toEqual(before);
  });

  it('answers an unknown Slack user with the organisers’ names', async () => {
    const res = await slash(h, USERS.stranger, '/status');
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    expect(spoken(answer)).toContain('Ingrid Fjeld (ingrid.fjeld@example.no)');
    // users.info once; the email is cached in Redis for the next request
    expect(await h.identities.emailOf('slack', USERS.stranger.id)).toBe(USERS.stranger.email);
  });

  it('answers a user Slack does not know (users.info user_not_found) the same friendly way', async () => {
    const res = await slash(h, { id: 'U0GHOST' }, '/status');
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    expect(spoken(answer)).toContain('Ingrid Fjeld');
  });

  it('lets someone leading two municipalities choose; the button saves the short status for the chosen one', async () => {
    const def = structuredClone(h.network);
    def.municipalities.find((m) => m.id === '4207')!.members.push({ name: 'Ola Hansen', email: USERS.ola.email, roles: ['prosjektleder'] });
    await h.store.importNetwork(def, { now: h.clock.now });
    try {
      const res = await slash(h, USERS.ola, '/status', 'Venter på budsjett');
      const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
      expect(spoken(answer)).toContain('Hvilken vil du melde status for?');
      const first = button(answer.args.blocks, 'status.short');
      const all = (answer.args.blocks as { type: string; elements?: { text: { text: string } }[] }[]).flatMap((b) => b.elements ?? []);
      expect(all.map((e) => e.text.text)).toEqual(['Kristiansand', 'Flekkefjord']);
      expect(JSON.parse(first.value)).toMatchObject({ a: 'status.short', m: '4204', v: 'Venter på budsjett' });
      const flek = (answer.args.blocks as { type: string; elements?: { value: string; action_id: string }[] }[])
        .flatMap((b) => b.elements ?? [])
        .find((e) => JSON.parse(e.value).m === '4207')!;
      expect(flek.action_id).not.toBe(first.action_id); // action ids unique within the message

      const clicked = await click(h, USERS.ola, { action_id: flek.action_id, value: flek.value }, { ephemeral: true });
      expect(clicked.status).toBe(200);
      const saved = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(clicked.responseUrl!).pathname);
      expect(saved.args.replace_original).toBe(true);
      expect(spoken(saved)).toContain('Kortstatus for Flekkefjord er lagret');
      const [latest] = await h.store.listStatus(h.network.id, '4207', 1);
      expect(latest).toMatchObject({ text: 'Venter på budsjett', email: USERS.ola.email });

      const from = h.fake.mark();
      await slash(h, USERS.ola, '/status');
      const choose = await h.fake.waitFor('response_url', () => true, { from });
      const open = button(choose.args.blocks, 'status.open');
      await click(h, USERS.ola, open, { ephemeral: true });
      const view = await openedView(h, from);
      expect(JSON.parse(view.private_metadata as string).payload).toMatchObject({ a: 'status.submit', m: '4204' });
    } finally {
      await h.store.importNetwork(h.network, { now: h.clock.now });
    }
  });

  it('acknowledges before a slow Slack answers views.open', async () => {
    h.fake.script('views.open', { delayMs: 1500 });
    const from = h.fake.mark();
    const res = await slash(h, USERS.ola, '/status');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
    await h.fake.waitFor('views.open', undefined, { from });
  });
});
