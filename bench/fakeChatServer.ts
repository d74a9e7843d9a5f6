/**
 * A fake chat platform on 127.0.0.1 for the delivery benchmark, and a ChatPlatform that talks to
 * it over HTTP. The server enforces the two limits the real platforms document, answering 429
 * with Retry-After (whole seconds, as Slack and the Bot Connector send it) when they are broken:
 *
 * - per channel: at most one message per `channelIntervalMs` (Slack: about 1 per second per
 *   channel);
 * - global: at most `globalPerSecond` accepted messages in any sliding second (Slack's
 *   workspace limit, Teams' per-app-and-tenant limit).
 *
 * It counts every accepted message by channel and text, so duplicates show.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageDraft } from '../src/core/drafts.ts';
import { DeliveryError, type ChatPlatform, type SentRef } from '../src/core/ports.ts';

export interface FakeChatStats {
  accepted: number;
  rejected429: number;
  /** Of the 429s, those for the per-channel limit (the rest broke the global one). */
  rejectedChannel: number;
  duplicates: number;
  firstAcceptedMs?: number;
  lastAcceptedMs?: number;
}

export class FakeChatServer {
  readonly stats: FakeChatStats = { accepted: 0, rejected429: 0, rejectedChannel: 0, duplicates: 0 };
  private readonly lastByChannel = new Map<string, number>();
  private readonly seen = new Set<string>();
  /** Accept times of the last second (a ring of timestamps). */
  private readonly window: number[] = [];
  private server: http.Server | undefined;
  url = '';

  constructor(
    readonly globalPerSecond: number,
    readonly channelIntervalMs: number,
  ) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.handle(JSON.parse(body) as { channel: string; text: string }, res));
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/send`;
  }

  private handle(msg: { channel: string; text: string }, res: http.ServerResponse): void {
    const now = Date.now();
    while (this.window.length && this.window[0]! <= now - 1000) this.window.shift();
    const last = this.lastByChannel.get(msg.channel);
    const channelFull = last !== undefined && now - last < this.channelIntervalMs;
    if (channelFull || this.window.length >= this.globalPerSecond) {
      this.stats.rejected429++;
      if (channelFull) this.stats.rejectedChannel++;
      res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end('{"ok":false,"error":"ratelimited"}');
      return;
    }
    this.window.push(now);
    this.lastByChannel.set(msg.channel, now);
    const key = `${msg.channel}|${msg.text}`;
    if (this.seen.has(key)) this.stats.duplicates++;
    this.seen.add(key);
    this.stats.accepted++;
    this.stats.firstAcceptedMs ??= now;
    this.stats.lastAcceptedMs = now;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true, ts: String(this.stats.accepted) }));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A ChatPlatform posting to the fake over HTTP; 429 → rate-limited DeliveryError, 5xx → transient. */
export class HttpChatPlatform implements ChatPlatform {
  readonly platform = 'slack' as const;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly url: string) {}

  sendToPerson(email: string, draft: MessageDraft): Promise<SentRef> {
    return this.post(email, draft);
  }

  sendToChannel(channel: string, draft: MessageDraft): Promise<SentRef> {
    return this.post(channel, draft);
  }

  async update(): Promise<void> {}

  private post(channel: string, draft: MessageDraft): Promise<SentRef> {
    const body = JSON.stringify({ channel, text: draft.fallback });
    return new Promise((resolve, reject) => {
      const req = http.request(this.url, { method: 'POST', agent: this.agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          if (res.statusCode === 200) return resolve({ platform: 'slack', conversation: channel, message: (JSON.parse(text) as { ts: string }).ts });
          const retryAfter = Number(res.headers['retry-after']);
          const transient = res.statusCode === 429 || (res.statusCode ?? 0) >= 500;
          reject(new DeliveryError(`fake answered HTTP ${res.statusCode}`, !transient, `http_${res.statusCode}`, res.statusCode === 429 ? retryAfter * 1000 : undefined));
        });
      });
      req.on('error', (err) => reject(new DeliveryError(`fake unreachable: ${err.message}`, false, 'network', undefined, { cause: err })));
      req.end(body);
    });
  }
}
