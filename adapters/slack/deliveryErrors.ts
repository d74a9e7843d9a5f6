/**
 * Slack Web API failures → the core's DeliveryError, so the delivery queue knows whether trying
 * again can help:
 *
 * - permanent: the person or channel is gone or out of reach (users_not_found, channel_not_found,
 *   is_archived, not_in_channel, account_inactive, …), the token is wrong (invalid_auth,
 *   missing_scope, …), or the message itself is invalid; any other `ok: false` answer too.
 * - transient: 429 (with `retryAfterMs` from Retry-After), HTTP 5xx, a platform error Slack calls
 *   temporary (internal_error, service_unavailable, …), and network failures or timeouts.
 *
 * Failures that are the person's (no Slack user with that email, a deactivated account) are
 * marked `unreachable`: the delivery worker records the person as unreachable for the digest.
 */
import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../src/core/ports.ts';

/** `ok: false` errors that can succeed later without anyone changing anything. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** `ok: false` errors that mean the person cannot be reached in this workspace. */
export const PERSON_UNREACHABLE_ERRORS: ReadonlySet<string> = new Set(['users_not_found', 'user_not_found', 'account_inactive', 'user_disabled']);

/** What a Slack error code means for the operator, where it is worth saying. */
const HINTS: Record<string, string> = {
  users_not_found: 'no Slack user has this email (or the bot cannot see it)',
  user_not_found: 'the Slack user does not exist',
  channel_not_found: 'the channel does not exist or the bot cannot see it',
  not_in_channel: 'invite the Samla app to the channel (/invite @Samla)',
  is_archived: 'the channel is archived',
  account_inactive: 'the Slack account is deactivated',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid',
  not_authed: 'SLACK_BOT_TOKEN is missing',
  token_revoked: 'SLACK_BOT_TOKEN was revoked; reinstall the app',
  missing_scope: 'the app lacks an OAuth scope; see manifest.slack.yml',
};

/** Converts whatever a WebClient call threw into a DeliveryError (unchanged if it already is one). */
export function toDeliveryError(err: unknown, what: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof webApi.WebAPIRateLimitedError) {
    return new DeliveryError(`${what}: Slack rate limit, retry after ${err.retryAfter} s`, false, 'ratelimited', err.retryAfter * 1000, { cause: err });
  }
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = err.data.error;
    const hint = HINTS[code] ? ` (${HINTS[code]})` : '';
    return new DeliveryError(`${what}: Slack answered ${code}${hint}`, !TRANSIENT_PLATFORM_ERRORS.has(code), code, undefined, {
      cause: err,
      unreachable: PERSON_UNREACHABLE_ERRORS.has(code),
    });
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    const retryAfter = Number(err.headers['retry-after']);
    const transient = err.statusCode >= 500 || err.statusCode === 429 || err.statusCode === 408;
    return new DeliveryError(
      `${what}: Slack answered HTTP ${err.statusCode}`,
      !transient,
      `http_${err.statusCode}`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      { cause: err },
    );
  }
  if (err instanceof webApi.WebAPIRequestError) {
    return new DeliveryError(`${what}: Slack could not be reached (${err.original.message})`, false, 'network', undefined, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new DeliveryError(`${what}: ${message}`, false, 'unknown', undefined, { cause: err });
}

/** True when a Slack platform error has this code (e.g. "users_not_found"). */
export function isSlackError(err: unknown, code: string): boolean {
  return err instanceof webApi.WebAPIPlatformError && err.data.error === code;
}
