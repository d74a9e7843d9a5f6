/**
 * A fake Bot Connector: a real HTTP server on 127.0.0.1 (any free port) speaking the REST calls
 * Samla makes, with the documented shapes:
 *
 * | call                                                 | answer                                    |
 * |------------------------------------------------------|-------------------------------------------|
 * | `POST /v3/conversations`                             | 201 `{ id }` (one personal chat per member) |
 * | `POST /v3/conversations/{id}/activities`             | 201 `{ id }` (send)                        |
 * | `POST /v3/conversations/{id}/activities/{activityId}`| 201 `{ id }` (reply)                       |
 * | `PUT /v3/conversations/{id}/activities/{activityId}` | 200 `{ id }` (update)                      |
 * | `GET /v3/conversations/{id}/pagedmembers`            | `{ members, continuationToken }`, `pageSize` honoured, at most `pageLimit` a page |
 * | `GET /v3/conversations/{id}/members/{userId}`        | the member, or 404 `MemberNotFoundInConversation` |
 *
 * Every call is recorded. `failWith` makes matching calls fail, e.g. 403
 * `BotNotInConversationRoster` or 429 with `Retry-After`. Activities posted to Samla in tests
 * carry `serviceUrl` = this server's URL, so Samla answers here.
 */
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CallKind = 'createConversation' | 'send' | 'reply' | 'update' | 'pagedmembers' | 'member' | 'unknown';

export interface RecordedCall {
  kind: CallKind;
  method: string;
  path: string;
  query: URLSearchParams;
  conversationId?: string;
  activityId?: string;
  userId?: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface FakeMember {
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
}

export interface FailureRule {
  kind: CallKind;
  /** Only calls for this member (createConversation's member, member's user id). */
  userId?: string;
  conversationId?: string;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many calls fail; default: all. */
  times?: number;
}

/** 403 BotNotInConversationRoster, as Teams answers it. */
export function notInRoster(): Pick<FailureRule, 'status' | 'body'> {
  return { status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } };
}

/** 429 with Retry-After (seconds). */
export function throttled(seconds: number): Pick<FailureRule, 'status' | 'body' | 'headers'> {
  return { status: 429, headers: { 'Retry-After': String(seconds) }, body: { error: { code: 'Throttled', message: 'Too many requests.' } } };
}

export class FakeBotConnector {
  readonly calls: RecordedCall[] = [];
  /** Team (or chat) id → members, for pagedmembers. */
  readonly rosters = new Map<string, FakeMember[]>();
  /** Everyone Teams knows, by user id (members/{id}). */
  readonly directory = new Map<string, FakeMember>();
  /** Largest page pagedmembers returns, whatever pageSize asks. */
  pageLimit = 2;
  private failures: FailureRule[] = [];
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeBotConnector> {
    let fake!: FakeBotConnector;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => fake.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeBotConnector(server, `http://127.0.0.1:${port}/`);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds people to Teams: to the directory, and to a team's roster when given. */
  addMembers(members: FakeMember[], teamId?: string): void {
    for (const m of members) this.directory.set(m.id, m);
    if (teamId) this.rosters.set(teamId, [...(this.rosters.get(teamId) ?? []), ...members]);
  }

  failWith(rule: FailureRule): void {
    this.failures.push({ ...rule });
  }

  clearFailures(): void {
    this.failures = [];
  }

  reset(): void {
    this.calls.length = 0;
    this.failures = [];
  }

  callsOf(kind: CallKind): RecordedCall[] {
    return this.calls.filter((c) => c.kind === kind);
  }

  /** Messages Samla posted (sends and replies), oldest first. */
  messages(): RecordedCall[] {
    return this.calls.filter((c) => c.kind === 'send' || c.kind === 'reply');
  }

  /** The last message Samla posted. */
  lastMessage(): RecordedCall {
    const m = this.messages().at(-1);
    if (!m) throw new Error('Samla posted no message');
    return m;
  }

  private handle(method: string, rawUrl: string, headers: IncomingHttpHeaders, text: string, res: import('node:http').ServerResponse): void {
    const url = new URL(rawUrl, 'http://fake');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const call: RecordedCall = { kind: 'unknown', method, path: url.pathname, query: url.searchParams, headers, body };
    if (segs[0] === 'v3' && segs[1] === 'conversations') {
      const [, , conv, sub, id] = segs;
      if (conv) call.conversationId = conv;
      if (method === 'POST' && !conv) {
        call.kind = 'createConversation';
        call.userId = (body as { members?: { id?: string }[] } | undefined)?.members?.[0]?.id;
      } else if (method === 'POST' && sub === 'activities' && !id) call.kind = 'send';
      else if (method === 'POST' && sub === 'activities' && id) {
        call.kind = 'reply';
        call.activityId = id;
      } else if (method === 'PUT' && sub === 'activities' && id) {
        call.kind = 'update';
        call.activityId = id;
      } else if (method === 'GET' && sub === 'pagedmembers') call.kind = 'pagedmembers';
      else if (method === 'GET' && sub === 'members' && id) {
        call.kind = 'member';
        call.userId = id;
      }
    }
    this.calls.push(call);

    const send = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...extra });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };

    const rule = this.failures.find(
      (f) => f.kind === call.kind && (!f.userId || f.userId === call.userId) && (!f.conversationId || f.conversationId === call.conversationId) && f.times !== 0,
    );
    if (rule) {
      if (rule.times !== undefined) rule.times--;
      send(rule.status, rule.body, rule.headers);
      return;
    }

    switch (call.kind) {
      case 'createConversation': {
        const member = call.userId ? this.directory.get(call.userId) : undefined;
        if (!member) return send(400, { error: { code: 'BadArgument', message: 'Unknown member.' } });
        return send(201, { id: `a:personal-${member.id}` });
      }
      case 'send':
      case 'reply':
        return send(201, { id: `act-${++this.seq}` });
      case 'update':
        return send(200, { id: call.activityId });
      case 'pagedmembers': {
        const all = this.rosters.get(call.conversationId ?? '');
        if (!all) return send(404, { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } });
        const size = Math.min(Number(url.searchParams.get('pageSize') ?? '100') || 100, this.pageLimit);
        const start = Number(url.searchParams.get('continuationToken') ?? '0') || 0;
        const next = start + size < all.length ? String(start + size) : undefined;
        return send(200, { members: all.slice(start, start + size), ...(next ? { continuationToken: next } : {}) });
      }
      case 'member': {
        const member = call.userId ? this.directory.get(call.userId) : undefined;
        if (!member) return send(404, { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found.' } });
        return send(200, member);
      }
      default:
        return send(404, { error: { code: 'NotFound', message: `The fake does not implement ${method} ${url.pathname}.` } });
    }
  }
}
