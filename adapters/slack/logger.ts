/**
 * Bolt and the WebClient log through this: Samla's pino logger, with a `slack` tag, behind the
 * Logger interface Bolt expects. Bolt's own level setting is ignored; pino's level rules.
 */
import { LogLevel, type Logger } from '@slack/bolt';
import type { Logger as Pino } from 'pino';

export function boltLogger(pino: Pino): Logger {
  let log = pino.child({ component: 'slack' });
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  const err = (msg: unknown[]) => msg.find((m): m is Error => m instanceof Error);
  return {
    debug: (...msg: unknown[]) => log.debug(text(msg)),
    info: (...msg: unknown[]) => log.info(text(msg)),
    warn: (...msg: unknown[]) => log.warn({ err: err(msg) }, text(msg)),
    error: (...msg: unknown[]) => log.error({ err: err(msg) }, text(msg)),
    setLevel: () => {},
    getLevel: () => (pino.isLevelEnabled('debug') ? LogLevel.DEBUG : pino.isLevelEnabled('info') ? LogLevel.INFO : LogLevel.WARN),
    setName: (name: string) => {
      log = pino.child({ component: 'slack', name });
    },
  };
}
