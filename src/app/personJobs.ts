/**
 * A person's jobs in the delivery queues (BullMQ), for `samla person export` and `forget`: the
 * job data and ids hold their email. Forgetting removes their jobs that are not running (a prompt
 * not yet sent to someone who asked to be forgotten must not go out), and deletes the queue's
 * event-stream entries that name their job ids.
 */
import type { Job } from 'bullmq';
import { PLATFORMS, type Platform } from '../core/model.ts';
import { normaliseEmail } from '../core/people.ts';
import type { Occurrence } from '../core/scheduler/occurrence.ts';
import type { DeliveryQueues } from './deliveryQueue.ts';

const STATES = ['wait', 'waiting', 'delayed', 'prioritized', 'failed', 'completed', 'active'] as const;

export interface PersonJob {
  platform: Platform;
  job: string;
  state: string;
  occurrence: Occurrence;
  failedReason?: string;
}

function mentions(text: string, email: string): boolean {
  return text.toLowerCase().includes(email);
}

async function jobsOf(queues: DeliveryQueues, email: string): Promise<{ platform: Platform; job: Job<Occurrence> }[]> {
  const e = normaliseEmail(email);
  const out: { platform: Platform; job: Job<Occurrence> }[] = [];
  for (const platform of PLATFORMS) {
    const jobs = (await queues.queues[platform].getJobs([...STATES])) as Job<Occurrence>[];
    const seen = new Set<string>();
    for (const job of jobs) {
      if (!job?.id || seen.has(job.id)) continue;
      seen.add(job.id);
      if (normaliseEmail(job.data?.email ?? '') === e || mentions(job.id, e)) out.push({ platform, job });
    }
  }
  return out;
}

/** The person's jobs in every delivery queue, with their state. */
export async function exportPersonJobs(queues: DeliveryQueues, email: string): Promise<PersonJob[]> {
  const out: PersonJob[] = [];
  for (const { platform, job } of await jobsOf(queues, email)) {
    out.push({ platform, job: job.id!, state: await job.getState(), occurrence: job.data, ...(job.failedReason ? { failedReason: job.failedReason } : {}) });
  }
  return out;
}

/**
 * Removes the person's jobs (all but those running right now, which are reported) and the queue
 * events naming them. Returns the numbers.
 */
export async function forgetPersonJobs(queues: DeliveryQueues, email: string): Promise<{ removed: number; running: string[]; events: number }> {
  const e = normaliseEmail(email);
  let removed = 0;
  const running: string[] = [];
  for (const { job } of await jobsOf(queues, e)) {
    if ((await job.getState()) === 'active') {
      running.push(job.id!);
      continue;
    }
    await job.remove();
    removed++;
  }
  let events = 0;
  for (const platform of PLATFORMS) {
    const queue = queues.queues[platform];
    const key = queue.keys.events;
    if (!key) continue;
    const redis = queues.connection;
    const entries = await redis.xrange(key, '-', '+');
    const ids = entries.filter(([, fields]) => mentions(fields.join('\n'), e)).map(([id]) => id);
    for (let i = 0; i < ids.length; i += 500) events += await redis.xdel(key, ...ids.slice(i, i + 500));
  }
  return { removed, running, events };
}
