/**
 * Prometheus metrics, served at `GET /metrics` (text format 0.0.4) by ./server.ts.
 *
 * One `Metrics` per running Samla, each with its own prom-client Registry (no global default
 * registry, so several Samla instances in one test process never collide). Other parts add their
 * own metrics to `metrics.registry`, or get-or-create one with `metrics.counter()` /
 * `metrics.gauge()` / `metrics.histogram()` (same name → same metric).
 *
 * | metric                                   | type      | labels                     | what |
 * |------------------------------------------|-----------|----------------------------|------|
 * | samla_http_request_duration_seconds      | histogram | route, method, status      | handler latency per route (the ack, for Slack) |
 * | samla_http_requests_in_flight            | gauge     |                            | requests being handled |
 * | samla_deliveries_total                   | counter   | platform, outcome          | sent, skipped, already (duplicate job), retry (transient failure, will retry), failed (gave up) |
 * | samla_delivery_queue_jobs                | gauge     | platform, state            | jobs waiting, active, delayed, prioritized, failed (read from Redis at scrape) |
 * | samla_lagging_signals                    | gauge     | network, kind              | municipalities with each lagging signal now (computed at most every 5 minutes) |
 * | samla_redis_up                           | gauge     |                            | 1 when the last PING answered |
 * | samla_process_*, samla_nodejs_*          | various   |                            | prom-client's default process metrics |
 */
import type { Job, Worker } from 'bullmq';
import type { RedisClient } from '../../adapters/redis/client.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';
import type { RequestHandler } from 'express';
import type { DeliveryQueues } from './deliveryQueue.ts';
import type { Platform } from '../core/model.ts';
import type { NetworkStore } from '../core/ports.ts';
import { loadRecords } from '../core/lagging/records.ts';
import { computeSignals } from '../core/lagging/signals.ts';

/** Delivery outcomes counted in samla_deliveries_total. */
export type DeliveryOutcome = 'sent' | 'skipped' | 'already' | 'retry' | 'failed';

const QUEUE_STATES = ['wait', 'active', 'delayed', 'prioritized', 'failed'] as const;

/** Signals are recomputed at most this often (they read every record of every network). */
export const SIGNALS_TTL_MS = 5 * 60_000;

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  readonly inFlight: Gauge;
  readonly deliveries: Counter<'platform' | 'outcome'>;
  private readonly queueSources: DeliveryQueues[] = [];
  private signalSource: { store: NetworkStore; now: () => Date } | undefined;
  private signalCache: { at: number; values: { network: string; kind: string; count: number }[] } | undefined;
  private redis: RedisClient | undefined;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'samla_' });
    this.httpDuration = this.histogram({
      name: 'samla_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route (for Slack: until the acknowledgement).',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.inFlight = this.gauge({ name: 'samla_http_requests_in_flight', help: 'HTTP requests being handled.' });
    this.deliveries = this.counter({
      name: 'samla_deliveries_total',
      help: 'Delivery attempts by platform and outcome: sent, skipped, already, retry, failed.',
      labelNames: ['platform', 'outcome'],
    });
    const self = this;
    this.gauge({
      name: 'samla_delivery_queue_jobs',
      help: 'Jobs in the delivery queues by platform and state (all processes together).',
      labelNames: ['platform', 'state'],
      async collect() {
        this.reset();
        for (const queues of self.queueSources) {
          for (const [platform, queue] of Object.entries(queues.queues)) {
            try {
              const counts = await queue.getJobCounts(...QUEUE_STATES);
              for (const state of QUEUE_STATES) this.set({ platform, state }, counts[state] ?? 0);
            } catch {
              // Redis down: leave the series out; samla_redis_up says why
            }
          }
        }
      },
    });
    this.gauge({
      name: 'samla_lagging_signals',
      help: 'Municipalities showing each lagging signal, per network (recomputed at most every 5 minutes).',
      labelNames: ['network', 'kind'],
      async collect() {
        this.reset();
        for (const v of await self.signalCounts()) this.set({ network: v.network, kind: v.kind }, v.count);
      },
    });
    this.gauge({
      name: 'samla_redis_up',
      help: '1 when Redis answered PING at the last scrape, else 0.',
      async collect() {
        if (!self.redis) return;
        try {
          await self.redis.ping();
          this.set(1);
        } catch {
          this.set(0);
        }
      },
    });
  }

  /** A counter by name, created on first use (later calls with the same name return it). */
  counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
    return (this.registry.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
    return (this.registry.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
    return (this.registry.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram({ ...config, registers: [this.registry] });
  }

  /** Reads queue depths from these queues at every scrape. */
  watchQueues(queues: DeliveryQueues): void {
    this.queueSources.push(queues);
  }

  /** Counts every job a worker finishes or fails, by outcome. */
  watchWorker(platform: Platform, worker: Worker): void {
    worker.on('completed', (_job: Job, result: { outcome?: string } | undefined) => {
      const outcome = result?.outcome === 'skipped' || result?.outcome === 'already' ? result.outcome : 'sent';
      this.deliveries.inc({ platform, outcome });
    });
    worker.on('failed', (job: Job | undefined, err: Error) => {
      const gaveUp = err?.name === 'UnrecoverableError' || !job || job.attemptsMade >= (job.opts.attempts ?? 1);
      this.deliveries.inc({ platform, outcome: gaveUp ? 'failed' : 'retry' });
    });
  }

  /** Computes samla_lagging_signals from this store at scrape time (cached, see SIGNALS_TTL_MS). */
  watchSignals(store: NetworkStore, now: () => Date): void {
    this.signalSource = { store, now };
  }

  /** Reports samla_redis_up from PINGs on this connection. */
  watchRedis(redis: RedisClient): void {
    this.redis = redis;
  }

  /** The text exposition (what GET /metrics answers). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Express handler for GET /metrics. */
  handler(): RequestHandler {
    return async (_req, res) => {
      try {
        const body = await this.text();
        res.setHeader('content-type', this.registry.contentType);
        res.end(body);
      } catch (err) {
        res.status(500).type('text/plain').end(`# metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    };
  }

  private async signalCounts(): Promise<{ network: string; kind: string; count: number }[]> {
    const source = this.signalSource;
    if (!source) return [];
    if (this.signalCache && Date.now() - this.signalCache.at < SIGNALS_TTL_MS) return this.signalCache.values;
    const values: { network: string; kind: string; count: number }[] = [];
    try {
      const now = source.now();
      for (const summary of await source.store.listNetworks()) {
        const def = await source.store.getNetwork(summary.id);
        if (!def) continue;
        const counts = new Map<string, number>();
        for (const m of computeSignals(def, await loadRecords(source.store, def), now)) {
          for (const kind of new Set(m.signals.map((s) => s.kind))) counts.set(kind, (counts.get(kind) ?? 0) + 1);
        }
        for (const [kind, count] of counts) values.push({ network: def.id, kind, count });
      }
    } catch {
      return this.signalCache?.values ?? []; // Redis down: the last known values, if any
    }
    this.signalCache = { at: Date.now(), values };
    return values;
  }
}
