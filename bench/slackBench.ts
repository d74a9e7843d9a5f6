/** Settings shared by bench/slackStatus.bench.ts and the servers it starts (bench/slackServer.ts). */
export const BENCH_SECRET = 'bench-signing-secret-0123456789';
export const BENCH_NOW = new Date('2027-01-25T10:00:00Z');
