/**
 * Samla's layering, checked by `npm test` (`npm run lint:deps`). Imports point one way, down:
 *
 *   0 domain        src/core/*.ts (not ports.ts, access.ts), src/core/dispatch/{ids,intent}.ts,
 *                   src/core/scheduler/occurrence.ts: the model and pure rules on it
 *   1 ports         src/core/ports.ts, src/core/scheduler/ports.ts: what the core needs from outside
 *   2 journeys      the rest of src/core: journeys, lagging, dispatch, scheduler, access
 *   3 http contract src/http: the HttpPlugin contract and request helpers every plugin shares
 *   4 platforms and infrastructure
 *                   adapters/* (redis, slack, teams, directline) and src/app's infrastructure
 *                   (INFRA_APP below): the connection factory (redis.ts), the BullMQ parts
 *                   (delivery*.ts, scheduler.ts, schedulerConfig.ts, personJobs.ts), retention.ts,
 *                   metrics.ts, prompts.ts, logging.ts, config.ts
 *   5 HTTP, web, CLI, demo
 *                   src/app/server.ts, src/app/deps.ts, src/app/env.ts, src/app/demo*.ts,
 *                   src/app/cliPlatforms.ts, src/web, src/cli (but for the composition root's files)
 *   6 the composition root
 *                   bin/samla.js, src/cli/main.ts (every `samla` command), src/cli/startCommand.ts
 *                   (`samla start`: the service with the web pages and the demo),
 *                   src/app/main.ts (the service's wiring: startSamla, buildAppDeps),
 *                   scripts/ (build-time tools, each its own root)
 *
 * A module may import its own layer and the layers below. Type-only imports count the same
 * (tsPreCompilationDeps), and no cycle is allowed at all, types included.
 *
 * Redis: a connection is opened only by src/app/redis.ts (connectRedis, the one `ioredis` value
 * import), called by the roots (src/app/main.ts, src/cli/main.ts). The root keeps the connection
 * and builds the Redis repositories on it (adapters/redis/*: the store, identities, Teams
 * references, Slack installations, person data, the demo's data, ...), which is all that layers
 * 5 and below receive; `AppDeps` and the CLI context hold no connection. The connection itself
 * (`Redis` as a type) goes only to the repositories in adapters/redis and to the infrastructure
 * the root starts (INFRA_APP: the scheduler, its delivery runtime, queues and workers, person
 * jobs, retention, metrics). Repositories and BullMQ may `duplicate()` the connection they were
 * given (a transaction or blocking reads of their own); nothing else makes one.
 */
const DOMAIN = '^src/core/(?!ports\\.ts$|access\\.ts$)[^/]+\\.ts$|^src/core/dispatch/(ids|intent)\\.ts$|^src/core/scheduler/occurrence\\.ts$';
const PORTS = '^src/core/(scheduler/)?ports\\.ts$';
const CORE = '^src/core/';
const HTTP_CONTRACT = '^src/http/';
const INFRA_APP = '^src/app/(delivery[A-Za-z]*|scheduler|schedulerConfig|personJobs|redis|retention|metrics|prompts|logging|config)\\.ts$';
const PLATFORMS_AND_INFRA = `^adapters/|${INFRA_APP}`;
const ROOT = '^bin/|^scripts/|^src/cli/(main|startCommand)\\.ts$|^src/app/main\\.ts$';

/** The HTTP plugins: they get settings, repositories and services, never a Redis connection. */
const PLUGINS = '^adapters/(slack|teams|directline)/|^src/web/|^src/http/';
/** Where ioredis may appear (as a type): the Redis repositories, src/app's infrastructure, the roots. */
const REDIS_ALLOWED = `^adapters/redis/|${INFRA_APP}|${ROOT}`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle, type-only imports included: move the shared type down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'The domain (layer 0) imports nothing above it: no ports, journeys, adapters or application.',
      from: { path: DOMAIN },
      to: { path: `${PORTS}|${CORE}(journeys|lagging|dispatch|scheduler)/|^src/core/access\\.ts$|${HTTP_CONTRACT}|^adapters/|^src/(app|web|cli)/|^bin/|^scripts/`, pathNot: DOMAIN },
    },
    {
      name: 'ports-import-only-domain',
      severity: 'error',
      comment: 'The ports (layer 1) name domain types only: nothing from journeys, lagging, dispatch or scheduler logic.',
      from: { path: PORTS },
      to: { path: `${CORE}|${HTTP_CONTRACT}|^adapters/|^src/(app|web|cli)/|^bin/|^scripts/`, pathNot: `${DOMAIN}|${PORTS}` },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'The core (layers 0-2) never imports the HTTP contract, an adapter, the application, the web pages or the CLI.',
      from: { path: CORE },
      to: { path: `${HTTP_CONTRACT}|^adapters/|^src/(app|web|cli)/|^bin/|^scripts/` },
    },
    {
      name: 'http-contract-imports-only-core',
      severity: 'error',
      comment: 'src/http (layer 3) sits below every plugin: it imports only the core.',
      from: { path: HTTP_CONTRACT },
      to: { path: '^adapters/|^src/(app|web|cli)/|^bin/|^scripts/' },
    },
    {
      name: 'adapters-import-no-application',
      severity: 'error',
      comment: 'Adapters import nothing from src/app, src/web or src/cli: what they need is passed in (src/http/plugin.ts says how).',
      from: { path: '^adapters/' },
      to: { path: '^src/(app|web|cli)/|^bin/|^scripts/' },
    },
    {
      name: 'infrastructure-imports-no-outer-layer',
      severity: 'error',
      comment: "src/app's infrastructure parts (layer 4) import no HTTP server, demo, web page, CLI or root.",
      from: { path: INFRA_APP },
      to: { path: '^src/(app|web|cli)/|^bin/|^scripts/', pathNot: INFRA_APP },
    },
    {
      name: 'only-the-root-imports-the-root',
      severity: 'error',
      comment: 'The composition root (bin/, scripts/, src/cli/main.ts, src/cli/startCommand.ts, src/app/main.ts) is imported by nothing but itself.',
      from: { pathNot: ROOT },
      to: { path: ROOT },
    },
    {
      name: 'only-the-root-reads-the-environment',
      severity: 'error',
      comment: 'readEnv (src/app/env.ts) is called by the composition root only; others may import its types.',
      from: { pathNot: ROOT },
      to: { path: '^src/app/env\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'plugins-get-no-raw-redis',
      severity: 'error',
      comment: 'HTTP plugins (Slack, Teams, Direct Line, web) receive repositories and services: no ioredis, no connection factory, no Redis repository built by themselves.',
      from: { path: PLUGINS },
      to: { path: '(^|/)node_modules/ioredis/|^src/app/redis\\.ts$' },
    },
    {
      name: 'plugins-build-no-redis-repository',
      severity: 'error',
      comment: 'A plugin may name a Redis repository\'s type, never construct one (the composition root does).',
      from: { path: '^adapters/(slack|teams|directline)/(app|bridge|accounts)\\.ts$|^src/web/|^src/http/' },
      to: { path: '^adapters/redis/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'ioredis-only-in-infrastructure',
      severity: 'error',
      comment:
        'ioredis appears (as a type) only in the Redis repositories (adapters/redis), src/app\'s infrastructure and the roots: the core, the plugins, the demo, the server and the CLI commands get repositories, never a connection.',
      from: { pathNot: REDIS_ALLOWED },
      to: { path: '(^|/)node_modules/ioredis/' },
    },
    {
      name: 'redis-connections-only-from-the-factory',
      severity: 'error',
      comment: 'Connections are opened by src/app/redis.ts (connectRedis) only: it is the one value import of ioredis.',
      from: { pathNot: '^src/app/redis\\.ts$' },
      to: { path: '(^|/)node_modules/ioredis/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-the-root-connects',
      severity: 'error',
      comment: 'connectRedis (src/app/redis.ts) is called by the composition root; the infrastructure may import its connection settings.',
      from: { pathNot: `${ROOT}|${INFRA_APP}` },
      to: { path: '^src/app/redis\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|dist|examples|prompts)/' },
    // `import type` and type-only re-exports count: a type cycle is a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
