/**
 * An HTTP proxy on 127.0.0.1 in front of a fake platform API, to play an outage: `up` forwards,
 * `503` answers 503 Service Unavailable, `down` closes the listening socket (connection refused)
 * and `up` / `503` listen again on the same port. Counts what it saw.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'up' | '503' | 'down';

export class SwitchProxy {
  mode: ProxyMode = 'up';
  readonly seen = { forwarded: 0, unavailable: 0 };
  private server: Server | undefined;
  port = 0;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (this.mode === '503') {
        this.seen.unavailable++;
        req.resume();
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end(JSON.stringify({ ok: false, error: 'service_unavailable' }));
        return;
      }
      this.seen.forwarded++;
      const target = new URL(req.url ?? '/', this.target);
      const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async set(mode: ProxyMode): Promise<void> {
    if (mode === 'down' && this.mode !== 'down') {
      this.mode = mode;
      this.server?.closeAllConnections();
      await new Promise((r) => this.server?.close(r));
      return;
    }
    if (mode !== 'down' && this.mode === 'down') {
      this.mode = mode;
      await this.start();
      return;
    }
    this.mode = mode;
  }

  async close(): Promise<void> {
    if (this.mode === 'down') return;
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
