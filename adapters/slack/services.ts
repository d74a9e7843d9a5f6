/**
 * What the Slack handlers share for the life of the plugin: the journeys (store, texts, clock),
 * identity resolution, the redelivery log and the logger. Built once in ./app.ts.
 */
import type { Logger } from 'pino';
import type { RedisInboundLog } from '../redis/inbound.ts';
import type { JourneyContext } from '../../src/core/journeys/context.ts';
import type { SlackIdentity } from './identity.ts';

export interface SlackServices {
  journeys: JourneyContext;
  identity: SlackIdentity;
  inbound: RedisInboundLog;
  logger: Logger;
}
