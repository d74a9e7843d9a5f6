/**
 * The domain model of Samla, as plain data. Everything here is what the organiser's network
 * file describes (the definition) plus the records that accumulate while a network runs.
 *
 * The core imports no SDK and no Redis client, and reads no environment; adapters translate to and
 * from these shapes.
 */

export const LOCALES = ['nb', 'nn', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const PLATFORMS = ['slack', 'teams'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Roles a person can hold in a municipality. `organiser` is held at network level. */
export const MEMBER_ROLES = [
  'prosjektleder',
  'kontaktperson',
  'styringsgruppe',
  'refleksjonsgruppe',
  'deltaker',
] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type Role = MemberRole | 'organiser';

/** The parties a steering-group member can represent (trepartssammensatt, 004:201-204). */
export const PARTIES = ['politiker', 'administrasjon', 'tillitsvalgt', 'verneombud', 'bruker'] as const;
export type Party = (typeof PARTIES)[number];

/**
 * A duration relative to a gathering as written in the network file: "-14d", "+7d", "-2h",
 * "-30m", "14d". Days and weeks keep the local wall-clock time (a task sent "-21d" before a
 * 09:00 gathering is sent at 09:00, also across a daylight-saving switch); hours and minutes
 * are exact elapsed time.
 */
export interface Offset {
  /** The text as written, kept for export. */
  text: string;
  sign: -1 | 1;
  amount: number;
  unit: 'w' | 'd' | 'h' | 'm';
}

export interface Organiser {
  name: string;
  email: string;
  platform: Platform;
  locale?: Locale;
  /** The Microsoft Entra tenant (a lower-case GUID) the organiser uses Teams in, when it is another than their municipalities'. */
  tenant?: string;
  /** The Slack workspace (team id, T…) the organiser is reached in, when Samla serves several. */
  slackTeam?: string;
}

export interface Member {
  name: string;
  email: string;
  roles: MemberRole[];
  /** Only for `styringsgruppe` members. */
  party?: Party;
  /** The chair of the steering group. */
  chair?: boolean;
  locale?: Locale;
  platform?: Platform;
}

export interface Municipality {
  /** Kommunenummer, four digits. */
  id: string;
  name: string;
  platform: Platform;
  locale?: Locale;
  /** A Slack channel id or a Teams channel id where the steering group is reached. */
  steeringChannel?: string;
  /** The municipality's Microsoft 365 tenant (a lower-case GUID): its people are matched in Teams only there. */
  tenant?: string;
  /** The municipality's Slack workspace (team id, T…), when Samla serves several. */
  slackTeam?: string;
  members: Member[];
}

export interface Task {
  id: string;
  title: string;
  for: MemberRole[];
  send: Offset;
  due: Offset;
}

export interface PromptOffset {
  send: Offset;
}

export interface Gathering {
  id: string;
  title: string;
  /** Local date-time without offset, ISO "2027-02-10T09:00", in the network's timezone. */
  starts: string;
  ends: string;
  location?: string;
  tasks: Task[];
  checkin?: PromptOffset;
  reflection?: PromptOffset;
}

export const QUESTION_KINDS = ['choice', 'text'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export interface CheckinQuestion {
  id: string;
  kind: QuestionKind;
  text: string;
  options?: string[];
}

export interface QuietRules {
  /** Allowed sending window in local time, start inclusive, end exclusive ("08:00", "16:00"). */
  hours: { start: string; end: string };
  /** Public holidays of this country are days off ("NO"); undefined means none. */
  holidays?: string;
  /** Saturdays and Sundays are days off. Always true today; kept explicit for the agenda. */
  weekends: boolean;
}

export interface LaggingRules {
  status_stale_days: number;
  prep_incomplete_days_before: number;
  checkin_unanswered: boolean;
  steering_silent_days: number;
  reflection_silent_days: number;
}

/** Everything the organiser's network file says, validated and normalised. */
export interface NetworkDefinition {
  id: string;
  name: string;
  programme?: string;
  timezone: string;
  locale: Locale;
  organisers: Organiser[];
  municipalities: Municipality[];
  gatherings: Gathering[];
  checkin: { questions: CheckinQuestion[] };
  status: { every: Offset };
  digest: { cron: string };
  quiet: QuietRules;
  lagging: LaggingRules;
}

/** A person as Samla knows them within one network, keyed by lower-case email. */
export interface Person {
  email: string;
  name: string;
  locale?: Locale;
  platform?: Platform;
  /** Filled in by adapters once the person is resolved on a platform. */
  slackId?: string;
  teamsId?: string;
  memberships: Membership[];
  organiser: boolean;
  /** Set when the person disappeared from the network file; their history stays. */
  removedAt?: string;
}

export interface Membership {
  municipality: string;
  roles: MemberRole[];
  party?: Party;
  chair?: boolean;
}

/* ---------- records that accumulate ---------- */

export type TaskAnswer = 'done' | 'not_yet';

export interface TaskCompletion {
  network: string;
  gathering: string;
  task: string;
  municipality: string;
  email: string;
  answer: TaskAnswer;
  comment?: string;
  at: string;
}

export interface CheckinAnswer {
  network: string;
  gathering: string;
  municipality: string;
  email: string;
  answers: Record<string, string>;
  at: string;
}

export const OVERALL_STATES = ['on_track', 'a_bit_behind', 'needs_help'] as const;
export type OverallState = (typeof OVERALL_STATES)[number];

export const PLAN_PARTS = ['purpose', 'baseline', 'measurable_goals', 'milestones', 'risk_analysis'] as const;
export type PlanPart = (typeof PLAN_PARTS)[number];

export interface StatusReport {
  id: string;
  network: string;
  municipality: string;
  email: string;
  at: string;
  overall?: OverallState;
  done?: string;
  next?: string;
  blockers?: string;
  planParts?: PlanPart[];
  steeringMet?: boolean;
  /** A short status typed as `/status <text>`. */
  text?: string;
}

export type ShareChoice = 'no' | 'anonymised';

export interface ReflectionNote {
  id: string;
  network: string;
  municipality: string;
  gathering?: string;
  email: string;
  at: string;
  topic: string;
  discussed: string;
  willTry: string;
  share: ShareChoice;
}

export interface SteeringMeeting {
  id: string;
  network: string;
  municipality: string;
  date: string;
  attendees: { name: string; party?: Party }[];
  loggedBy: string;
  at: string;
}

/** One entry of a network's append-only event log. */
export interface NetworkEvent {
  id?: string;
  type: string;
  at: string;
  actor?: string;
  data: Record<string, unknown>;
}

/**
 * Someone Samla could not reach on their platform, kept per network (so the organisers see it in
 * the digest) until the person turns up or a message to them goes through.
 */
export interface UnreachableEntry {
  /** Lower-case email. */
  email: string;
  name?: string;
  platform: Platform;
  /**
   * Why, as a stable code: Teams `no_reference`, `bot_not_in_roster`, `delivery_failed`; Slack
   * `users_not_found`, `user_not_found`, `account_inactive`; or another platform's error code.
   */
  reason: string;
  /** What the platform said, for the operator ("403 BotNotInConversationRoster"). */
  detail?: string;
  /** Slack `workspace_not_installed`: the workspace (T…) that has not installed Samla. */
  workspace?: string;
  at: string;
}

/** A municipality's project leaders changed with an import (emails, lower case, sorted). */
export interface LeaderChange {
  municipality: string;
  /** When the import that changed them ran (ISO instant). */
  at: string;
  from: string[];
  to: string[];
}
