/**
 * A small local stand-in for the Bot Framework's Direct Line channel, so Microsoft's Web Chat
 * can talk to Samla's own Teams endpoint on one machine, with no Azure and no credentials.
 *
 *   Web Chat ──Direct Line 3.0──▶ bridge ──Teams-shaped activity──▶ POST /api/messages (Samla)
 *   Web Chat ◀──polling GET────── bridge ◀──Bot Connector REST───── Samla's replies and prompts
 *
 * Direct Line side (what botframework-directlinejs calls, with `Authorization: Bearer <token>`):
 *
 * | call                                                   | answer                                         |
 * |--------------------------------------------------------|------------------------------------------------|
 * | `POST /conversations`                                  | the chosen person's personal chat with Samla (greeted on first open) |
 * | `GET /conversations/{id}?watermark=`                   | reconnect: the same conversation                |
 * | `GET /conversations/{id}/activities?watermark=n`       | `{ activities, watermark }`: everything after n (polling) |
 * | `POST /conversations/{id}/activities`                  | forwards the person's message to Samla; `{ id }` |
 * | `POST /tokens/refresh`                                 | the same token, with a new lifetime             |
 *
 * Bot Connector side, at the `serviceUrl` the bridge puts in every activity it forwards:
 *
 * | call                                                   | answer                                         |
 * |--------------------------------------------------------|------------------------------------------------|
 * | `POST /v3/conversations`                               | opens (or finds) a person's personal chat: `{ id }` |
 * | `POST /v3/conversations/{id}/activities[/{replyTo}]`    | a message from Samla into the chat: `{ id }`    |
 * | `PUT /v3/conversations/{id}/activities/{activityId}`    | a card updated in place (Web Chat replaces it by id) |
 * | `GET /v3/conversations/{id}/members/{userId}`           | the person, with the email Samla knows them by |
 * | `GET /v3/conversations/{id}/pagedmembers`, `/members`   | everyone in the local team (the install's roster sync) |
 *
 * Card buttons: Web Chat sends an Adaptive Card's `Action.Submit` as a message with a `value`
 * and no reference to the card; Teams sends `replyToId`, which Samla uses to update the card in
 * place. The bridge supplies it: the newest card from Samla with a submit action carrying the
 * same Samla payload.
 *
 * Everything is held in memory (a demo); activity timestamps are real time, since Web Chat
 * orders by them. The plugin (./plugin.ts) serves both sides to localhost only.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  LOCAL_BOT,
  LOCAL_TEAM,
  LOCAL_TENANT,
  type LocalAccount,
  type PeopleDirectory,
  keyOfConversation,
  keyOfUserId,
  personalConversationId,
} from './accounts.ts';

/** An activity as stored and served to Web Chat. */
export type StoredActivity = { id: string; type: string; timestamp: string } & Record<string, unknown>;

interface Conversation {
  id: string;
  kind: 'personal' | 'team';
  account?: LocalAccount;
  /** Every version of every activity, in arrival order; an update appends a new version with the same id. */
  log: StoredActivity[];
  /** Watermark of log[0] (older entries were dropped). */
  base: number;
}

interface Session {
  token: string;
  key: string;
  conversationId: string;
  expiresAt: number;
}

export interface BridgeOptions {
  directory: PeopleDirectory;
  /** Samla's own base URL from this process, e.g. http://127.0.0.1:3978; known once the server listens. */
  samlaUrl: () => string;
  /** Where the Bot Connector routes are mounted on Samla's server, e.g. "/demo/connector". */
  connectorPath: string;
  logger: Logger;
  /** Real time, for timestamps and token lifetimes (not a demo clock: Web Chat orders by timestamp). */
  clock?: () => Date;
  tokenTtlMs?: number;
  /** Versions kept per conversation; older ones are dropped. */
  maxActivities?: number;
}

const TOKEN_TTL_MS = 60 * 60 * 1000;
const MAX_ACTIVITIES = 2000;

/** What Web Chat posts. Unknown properties are dropped, the rest must have the documented shape. */
const webChatActivitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  text: z.string().max(20_000).optional(),
  value: z.unknown().optional(),
  locale: z.string().max(64).optional(),
  textFormat: z.string().max(32).optional(),
  channelData: z.looseObject({ clientActivityID: z.string().max(200).optional(), postBack: z.boolean().optional() }).optional(),
});

const createConversationSchema = z.looseObject({ members: z.array(z.looseObject({ id: z.string() })).min(1) });

function connectorError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Deep equality of JSON values (the Samla payload of a card button and of a submission). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Every `data` of an Action.Submit anywhere in an Adaptive Card. */
function submitData(card: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const el = node as Record<string, unknown>;
    if (el.type === 'Action.Submit' && el.data !== undefined) out.push(el.data);
    for (const key of ['body', 'items', 'actions', 'columns', 'card']) if (el[key] !== undefined) walk(el[key]);
  };
  walk(card);
  return out;
}

export class DirectLineBridge {
  private readonly conversations = new Map<string, Conversation>();
  private readonly sessions = new Map<string, Session>();
  private readonly clock: () => Date;
  private readonly tokenTtlMs: number;
  private readonly maxActivities: number;
  private seq = 0;

  constructor(private readonly opts: BridgeOptions) {
    this.clock = opts.clock ?? (() => new Date());
    this.tokenTtlMs = opts.tokenTtlMs ?? TOKEN_TTL_MS;
    this.maxActivities = opts.maxActivities ?? MAX_ACTIVITIES;
  }

  /** The Bot Connector base URL Samla answers at (the activities' `serviceUrl`). */
  serviceUrl(): string {
    return `${this.opts.samlaUrl()}${this.opts.connectorPath}/`;
  }

  /**
   * A Direct Line token for talking to Samla as this person (their personal chat). Undefined
   * when no network knows the email.
   */
  async openSession(email: string): Promise<{ token: string; conversationId: string; user: { id: string; name: string }; expiresIn: number } | undefined> {
    const account = await this.opts.directory.byEmail(email);
    if (!account) return undefined;
    const conversationId = personalConversationId(account.key);
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, { token, key: account.key, conversationId, expiresAt: this.clock().getTime() + this.tokenTtlMs });
    this.dropExpiredSessions();
    return { token, conversationId, user: { id: account.id, name: account.name }, expiresIn: Math.round(this.tokenTtlMs / 1000) };
  }

  /**
   * Installs Samla in the local team, as a Teams admin would: Samla greets the team and reads its
   * roster (everyone of every network), then opens a personal chat with each person it must be
   * able to prompt. Returns Samla's HTTP status.
   */
  async install(): Promise<number> {
    const people = await this.opts.directory.all();
    const by = people[0];
    if (!by) return 204;
    this.ensureTeam();
    return this.forward({
      type: 'installationUpdate',
      action: 'add',
      id: this.nextId(),
      timestamp: this.clock().toISOString(),
      serviceUrl: this.serviceUrl(),
      channelId: 'msteams',
      from: { id: by.id, name: by.name, aadObjectId: by.aadObjectId },
      recipient: { ...LOCAL_BOT },
      conversation: { id: LOCAL_TEAM.id, conversationType: 'channel', isGroup: true, tenantId: LOCAL_TENANT },
      channelData: { tenant: { id: LOCAL_TENANT }, team: { ...LOCAL_TEAM }, channel: { id: LOCAL_TEAM.id }, source: { name: 'message' } },
      locale: 'nb-NO',
    });
  }

  /** Forgets every conversation and token (the demo started over). */
  reset(): void {
    this.conversations.clear();
    this.sessions.clear();
  }

  /** The current version of every activity in a conversation, oldest first (tests, diagnostics). */
  transcript(conversationId: string): StoredActivity[] {
    const conv = this.conversations.get(conversationId);
    return conv ? this.latest(conv.log) : [];
  }

  /* ---------- Direct Line 3.0, for Web Chat ---------- */

  directLineRouter(): Router {
    const r = express.Router();
    const json = express.json({ limit: '256kb' });
    r.post('/tokens/refresh', (req, res) => {
      const session = this.session(req);
      if (!session) return void res.status(403).json({ error: { code: 'TokenExpired', message: 'The token is not valid any more; choose the person again.' } });
      session.expiresAt = this.clock().getTime() + this.tokenTtlMs;
      res.json({ conversationId: session.conversationId, token: session.token, expires_in: Math.round(this.tokenTtlMs / 1000) });
    });
    r.post('/conversations', json, async (req, res) => {
      const session = this.session(req);
      if (!session) return void res.status(403).json({ error: { code: 'BadArgument', message: 'A Direct Line token from the chat page is required.' } });
      const conv = await this.personal(session.key);
      if (!conv) return void res.status(404).json({ error: { code: 'BadArgument', message: 'No network knows this person any more.' } });
      if (!conv.log.length) await this.greet(conv);
      res.status(201).json({ conversationId: conv.id, token: session.token, expires_in: Math.round(this.tokenTtlMs / 1000) });
    });
    r.get('/conversations/:id', (req, res) => {
      const session = this.session(req, req.params.id);
      if (!session) return void res.status(403).json({ error: { code: 'BadArgument', message: 'The token does not belong to this conversation.' } });
      res.json({ conversationId: session.conversationId, token: session.token, expires_in: Math.round(this.tokenTtlMs / 1000) });
    });
    r.get('/conversations/:id/activities', (req, res) => {
      const session = this.session(req, req.params.id);
      if (!session) return void res.status(403).json({ error: { code: 'BadArgument', message: 'The token does not belong to this conversation.' } });
      const conv = this.conversations.get(session.conversationId);
      const end = conv ? conv.base + conv.log.length : 0;
      const from = Math.max(Number.parseInt(String(req.query.watermark ?? ''), 10) || 0, conv?.base ?? 0);
      const activities = conv ? this.latest(conv.log.slice(from - conv.base)) : [];
      res.json({ activities, watermark: String(end) });
    });
    r.post('/conversations/:id/activities', json, async (req, res) => {
      const session = this.session(req, req.params.id);
      if (!session) return void res.status(403).json({ error: { code: 'BadArgument', message: 'The token does not belong to this conversation.' } });
      const parsed = webChatActivitySchema.safeParse(req.body);
      if (!parsed.success) return void res.status(400).json({ error: { code: 'BadArgument', message: 'The body is not an activity.' } });
      const conv = await this.personal(session.key);
      if (!conv?.account) return void res.status(404).json({ error: { code: 'BadArgument', message: 'No network knows this person any more.' } });
      const id = await this.fromPerson(conv, conv.account, parsed.data);
      if (id === undefined) return void res.status(502).json({ error: { code: 'ServiceError', message: 'Samla did not accept the message; see its log.' } });
      res.json({ id });
    });
    r.post('/conversations/:id/upload', (_req, res) => {
      res.status(400).json({ error: { code: 'BadArgument', message: 'Samla takes no attachments.' } });
    });
    return r;
  }

  /* ---------- the Bot Connector REST API, for Samla ---------- */

  connectorRouter(): Router {
    const r = express.Router();
    const json = express.json({ limit: '1mb' });
    r.post('/v3/conversations', json, async (req, res) => {
      const parsed = createConversationSchema.safeParse(req.body);
      const key = parsed.success ? keyOfUserId(parsed.data.members[0]!.id) : undefined;
      const conv = key ? await this.personal(key) : undefined;
      if (!conv) return connectorError(res, 400, 'BadArgument', 'Unknown member.');
      res.status(201).json({ id: conv.id });
    });
    const send = async (req: Request, res: Response) => {
      const conv = await this.conversation(String(req.params.conversation));
      if (!conv) return connectorError(res, 404, 'ConversationNotFound', 'Conversation not found.');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const replyToId = req.params.replyTo ? String(req.params.replyTo) : undefined;
      const activity = this.store(conv, {
        ...body,
        id: this.nextId(),
        type: typeof body.type === 'string' ? body.type : 'message',
        timestamp: this.clock().toISOString(),
        from: { ...((body.from as object | undefined) ?? {}), id: LOCAL_BOT.id, name: LOCAL_BOT.name, role: 'bot' },
        recipient: conv.account ? { id: conv.account.id, name: conv.account.name, role: 'user' } : undefined,
        conversation: { id: conv.id },
        ...(replyToId ? { replyToId } : {}),
      });
      res.status(201).json({ id: activity.id });
    };
    r.post('/v3/conversations/:conversation/activities', json, send);
    r.post('/v3/conversations/:conversation/activities/:replyTo', json, send);
    r.put('/v3/conversations/:conversation/activities/:activity', json, async (req, res) => {
      const conv = await this.conversation(String(req.params.conversation));
      const current = conv ? this.latest(conv.log).find((a) => a.id === req.params.activity) : undefined;
      if (!conv || !current) return connectorError(res, 404, 'ActivityNotFound', 'The activity was not found.');
      const body = (req.body ?? {}) as Record<string, unknown>;
      this.store(conv, { ...body, id: current.id, type: current.type, timestamp: current.timestamp, from: current.from, recipient: current.recipient, conversation: current.conversation, ...(current.replyToId ? { replyToId: current.replyToId } : {}) });
      res.json({ id: current.id });
    });
    r.delete('/v3/conversations/:conversation/activities/:activity', (_req, res) => {
      res.status(200).json({});
    });
    r.get('/v3/conversations/:conversation/members/:user', async (req, res) => {
      const key = keyOfUserId(String(req.params.user));
      const account = key ? await this.opts.directory.byKey(key) : undefined;
      if (!account) return connectorError(res, 404, 'MemberNotFoundInConversation', 'The member was not found.');
      res.json(this.member(account));
    });
    const members = async (conversationId: string): Promise<LocalAccount[] | undefined> => {
      if (conversationId === LOCAL_TEAM.id) return this.opts.directory.all();
      const conv = await this.conversation(conversationId);
      return conv?.account ? [conv.account] : undefined;
    };
    r.get('/v3/conversations/:conversation/members', async (req, res) => {
      const list = await members(String(req.params.conversation));
      if (!list) return connectorError(res, 404, 'ConversationNotFound', 'Conversation not found.');
      res.json(list.map((a) => this.member(a)));
    });
    r.get('/v3/conversations/:conversation/pagedmembers', async (req, res) => {
      const list = await members(String(req.params.conversation));
      if (!list) return connectorError(res, 404, 'ConversationNotFound', 'Conversation not found.');
      const size = Math.min(Math.max(Number(req.query.pageSize) || 100, 1), 500);
      const start = Number(req.query.continuationToken) || 0;
      const next = start + size < list.length ? String(start + size) : undefined;
      res.json({ members: list.slice(start, start + size).map((a) => this.member(a)), ...(next ? { continuationToken: next } : {}) });
    });
    return r;
  }

  /* ---------- inside ---------- */

  private nextId(): string {
    return `local-${(++this.seq).toString(36)}-${randomBytes(3).toString('hex')}`;
  }

  private session(req: Request, conversationId?: string): Session | undefined {
    const m = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    const session = m ? this.sessions.get(m[1]!) : undefined;
    if (!session || session.expiresAt < this.clock().getTime()) return undefined;
    if (conversationId !== undefined && conversationId !== session.conversationId) return undefined;
    return session;
  }

  private dropExpiredSessions(): void {
    const now = this.clock().getTime();
    for (const [token, s] of this.sessions) if (s.expiresAt < now) this.sessions.delete(token);
  }

  private member(a: LocalAccount) {
    return { id: a.id, name: a.name, aadObjectId: a.aadObjectId, email: a.email, userPrincipalName: a.userPrincipalName, tenantId: LOCAL_TENANT, userRole: 'user' };
  }

  private ensureTeam(): Conversation {
    let conv = this.conversations.get(LOCAL_TEAM.id);
    if (!conv) this.conversations.set(LOCAL_TEAM.id, (conv = { id: LOCAL_TEAM.id, kind: 'team', log: [], base: 0 }));
    return conv;
  }

  /** The person's personal chat with Samla, created on first use; undefined for a key no network knows. */
  private async personal(key: string): Promise<Conversation | undefined> {
    const id = personalConversationId(key);
    const known = this.conversations.get(id);
    if (known) return known;
    const account = await this.opts.directory.byKey(key);
    if (!account) return undefined;
    // Another request may have created it while the directory was read.
    const created = this.conversations.get(id);
    if (created) return created;
    const conv: Conversation = { id, kind: 'personal', account, log: [], base: 0 };
    this.conversations.set(id, conv);
    return conv;
  }

  /** A conversation Samla addresses: a personal chat (also one from before a restart) or the team. */
  private async conversation(id: string): Promise<Conversation | undefined> {
    if (id === LOCAL_TEAM.id || id.startsWith(`${LOCAL_TEAM.id};`)) return this.ensureTeam();
    const key = keyOfConversation(id);
    return key ? this.personal(key) : undefined;
  }

  private store(conv: Conversation, activity: StoredActivity): StoredActivity {
    conv.log.push(activity);
    if (conv.log.length > this.maxActivities) {
      const drop = conv.log.length - this.maxActivities;
      conv.log.splice(0, drop);
      conv.base += drop;
    }
    return activity;
  }

  /** The newest version of each activity, at the place where it first appeared. */
  private latest(log: StoredActivity[]): StoredActivity[] {
    const newest = new Map<string, StoredActivity>();
    for (const a of log) newest.set(a.id, a);
    const seen = new Set<string>();
    const out: StoredActivity[] = [];
    for (const a of log) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      out.push(newest.get(a.id)!);
    }
    return out;
  }

  /** The Teams-shaped activity Samla receives from this person in their personal chat. */
  private teamsActivity(conv: Conversation, account: LocalAccount, extra: Record<string, unknown>): Record<string, unknown> {
    const locale = typeof extra.locale === 'string' ? extra.locale : 'nb-NO';
    return {
      timestamp: this.clock().toISOString(),
      serviceUrl: this.serviceUrl(),
      channelId: 'msteams',
      from: { id: account.id, name: account.name, aadObjectId: account.aadObjectId },
      recipient: { ...LOCAL_BOT },
      conversation: { id: conv.id, conversationType: 'personal', tenantId: LOCAL_TENANT },
      channelData: { tenant: { id: LOCAL_TENANT } },
      entities: [{ type: 'clientInfo', locale, platform: 'Web' }],
      ...extra,
      locale,
    };
  }

  /** Teams' personal install: Samla greets the person with what it understands. */
  private async greet(conv: Conversation): Promise<void> {
    if (!conv.account) return;
    await this.forward(this.teamsActivity(conv, conv.account, { type: 'conversationUpdate', id: this.nextId(), membersAdded: [{ ...LOCAL_BOT }] }));
  }

  /** Stores the person's message (Web Chat's echo) and forwards it to Samla; undefined when Samla refused it. */
  private async fromPerson(conv: Conversation, account: LocalAccount, posted: z.infer<typeof webChatActivitySchema>): Promise<string | undefined> {
    const id = this.nextId();
    const echo = this.store(conv, {
      id,
      type: posted.type,
      timestamp: this.clock().toISOString(),
      from: { id: account.id, name: account.name, role: 'user' },
      recipient: { id: LOCAL_BOT.id, name: LOCAL_BOT.name, role: 'bot' },
      conversation: { id: conv.id },
      ...(posted.text !== undefined ? { text: posted.text } : {}),
      ...(posted.value !== undefined ? { value: posted.value } : {}),
      ...(posted.locale ? { locale: posted.locale } : {}),
      ...(posted.channelData ? { channelData: { clientActivityID: posted.channelData.clientActivityID, postBack: posted.channelData.postBack } } : {}),
    });
    if (posted.type !== 'message') return echo.id; // typing and events stay in the chat
    const replyToId = posted.value !== undefined && !posted.text?.trim() ? this.cardFor(conv, posted.value) : undefined;
    const status = await this.forward(
      this.teamsActivity(conv, account, {
        type: 'message',
        id,
        ...(posted.text !== undefined ? { text: posted.text, textFormat: 'plain' } : {}),
        ...(posted.value !== undefined ? { value: posted.value } : {}),
        ...(replyToId ? { replyToId } : {}),
        ...(posted.locale ? { locale: posted.locale } : {}),
      }),
    );
    return status >= 200 && status < 300 ? id : undefined;
  }

  /** The newest card from Samla with a submit button carrying this submission's Samla payload. */
  private cardFor(conv: Conversation, value: unknown): string | undefined {
    const payload = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).samla : undefined;
    if (payload === undefined) return undefined;
    const cards = this.latest(conv.log).filter((a) => (a.from as { role?: string } | undefined)?.role === 'bot' && Array.isArray(a.attachments));
    for (const a of cards.reverse()) {
      const datas = (a.attachments as { content?: unknown }[]).flatMap((att) => submitData(att.content));
      if (datas.some((d) => typeof d === 'object' && d !== null && sameJson((d as Record<string, unknown>).samla, payload))) return a.id;
    }
    return undefined;
  }

  /** POSTs an activity to Samla's Teams endpoint; returns the HTTP status (0 when Samla did not answer). */
  private async forward(activity: Record<string, unknown>): Promise<number> {
    try {
      const res = await fetch(`${this.opts.samlaUrl()}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      if (!res.ok) this.opts.logger.warn({ status: res.status, body: text.slice(0, 500), type: activity.type }, 'Samla refused an activity from the local chat');
      return res.status;
    } catch (err) {
      this.opts.logger.error({ err, type: activity.type }, 'The local chat could not reach Samla');
      return 0;
    }
  }
}
