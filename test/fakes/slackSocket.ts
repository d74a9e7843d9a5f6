/**
 * A fake of Slack's Socket Mode on 127.0.0.1 (port 0), speaking its documented protocol: the
 * app calls `apps.connections.open` (the fake Web API answers with `url` here, see
 * FakeSlackApi.socketUrl), opens the WebSocket, gets `{"type":"hello"}`, then receives
 * envelopes `{envelope_id, type: "slash_commands" | "interactive" | "events_api", payload,
 * accepts_response_payload}` and acknowledges each with `{envelope_id[, payload]}`.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeSocketMode {
  /** The URL `apps.connections.open` answers. */
  url: string;
  /** Resolves once an app has connected (and was sent hello). */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends an envelope; resolves with the app's ack (its `payload`, if any). */
  send(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, timeoutMs?: number): Promise<{ envelope_id: string; payload?: unknown }>;
  close(): Promise<void>;
}

export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  let socket: WebSocket | undefined;
  const waiting: (() => void)[] = [];
  const acks = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();

  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (msg.envelope_id) acks.get(msg.envelope_id)?.(msg as { envelope_id: string });
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-socket-mode', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0SAMLA' } }));
    for (const w of waiting.splice(0)) w();
  });

  const within = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`The fake Socket Mode got no ${what} within ${ms} ms`)), ms))]);

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=fake`,
    connected: (ms = 5000) => (socket ? Promise.resolve() : within(new Promise<void>((r) => waiting.push(r)), ms, 'connection')),
    send(type, payload, ms = 3000) {
      if (!socket) return Promise.reject(new Error('no app is connected'));
      const envelope_id = randomUUID();
      const acked = new Promise<{ envelope_id: string; payload?: unknown }>((r) => acks.set(envelope_id, r));
      socket.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
      return within(acked, ms, `ack of ${envelope_id}`);
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
