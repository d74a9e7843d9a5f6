/**
 * A TCP proxy in front of Redis that counts round trips (see ./roundTripsRun.ts): per
 * connection, a trip starts when the client writes and Redis has answered everything since its
 * last trip began (or nothing was sent yet). Commands written before the first reply comes back
 * belong to the same trip.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TripProxy {
  url: string;
  /** Round trips over every connection since the last reset. */
  trips(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startTripProxy(redisUrl: string): Promise<TripProxy> {
  const target = new URL(redisUrl);
  let trips = 0;
  /** BENCH_TRIPS_LOG=1 prints each trip's command names (roughly: parsed from the wire) to stderr. */
  const log = process.env.BENCH_TRIPS_LOG === '1';
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    sockets.add(client).add(upstream);
    // 'idle': nothing sent since Redis last answered; 'waiting': a trip is in flight.
    let state: 'idle' | 'waiting' = 'idle';
    client.on('data', (chunk) => {
      if (state === 'idle') {
        trips++;
        state = 'waiting';
        if (log) process.stderr.write(`trip ${trips}:`);
      }
      if (log) process.stderr.write(` ${[...chunk.toString('latin1').matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)].map((m) => m[1]).join(' ')}\n`);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      state = 'idle';
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const db = target.pathname.replace(/^\//, '');
  const auth = target.password ? `${encodeURIComponent(target.username)}:${encodeURIComponent(target.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}${db ? `/${db}` : ''}`,
    trips: () => trips,
    reset: () => void (trips = 0),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
