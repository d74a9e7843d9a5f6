/**
 * Options for Slack's WebClient as Samla uses it: the configured base URL (SLACK_API_URL), no
 * retries of its own and no silent waiting on 429 (the delivery queue owns retries and honours
 * Retry-After; an interactive answer that fails is better reported than delayed), and a timeout
 * so a hanging Slack never holds a request forever.
 */
import { webApi, type Logger } from '@slack/bolt';
import type { SlackConfig } from './config.ts';

/** Milliseconds a single Web API call may take. */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

export function webClientOptions(config: SlackConfig, logger?: Logger): webApi.WebClientOptions {
  return {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: SLACK_CALL_TIMEOUT_MS,
    ...(logger ? { logger } : {}),
  };
}

/** A WebClient with the bot token, for sending outside a request (the scheduler's deliveries). */
export function createWebClient(config: SlackConfig, logger?: Logger): webApi.WebClient {
  return new webApi.WebClient(config.botToken, webClientOptions(config, logger));
}
