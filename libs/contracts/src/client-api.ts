/**
 * Response shapes of the auth, jobs and system routes as the web client reads them. The server builds
 * them in its own libs (libs/auth views, libs/jobs triage); these mirror them in plain TypeScript so the
 * client needs nothing but this package.
 */
import type { JobState, UserRole } from './enums.js';
import type { QueueName } from './queues.js';

/** An account as the API shows it (never the password hash). */
export interface AccountView {
  id: string;
  username: string;
  email: string | null;
  displayName: string | null;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
}

/** `GET/PATCH settings` (admins): the server-wide switches. */
export interface ServerSettingsView {
  /** Anyone may create an account on the sign-in page. */
  registrationOpen: boolean;
  /** Fingerprints of videos include a perceptual hash (finds re-encoded copies; costs ffmpeg time per video). */
  videoPhash: boolean;
}

/** `GET auth/me`. */
export interface CurrentAccountView extends AccountView {
  authenticatedBy: 'jwt' | 'api-key' | 'stream-token';
  sessionId: string | null;
  scopes: string[];
}

/** `POST auth/login` and `POST auth/refresh`; `refreshToken` is absent when it travels in the httpOnly cookie. */
export interface SignInResponse {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
  user: AccountView;
}

/** The header (and value) by which a browser asks for its refresh token in an httpOnly cookie. */
export const REFRESH_TOKEN_TRANSPORT = { header: 'X-Refresh-Token-Transport', cookie: 'cookie' } as const;

/** `GET auth/registration` (public): whether the next account is the first (it becomes the administrator), and whether anyone may register. */
export interface RegistrationState {
  firstAccount: boolean;
  open: boolean;
}

export interface RegisterRequest {
  username: string;
  password: string;
  email?: string;
  displayName?: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export const API_KEY_SCOPE_NAMES = ['read', 'write', 'stream', 'admin'] as const;
export type ApiKeyScopeName = (typeof API_KEY_SCOPE_NAMES)[number];

export interface ApiKeyView {
  id: string;
  name: string;
  /** The key's first characters, to recognise it; the key itself is shown once, at creation. */
  prefix: string;
  scopes: ApiKeyScopeName[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface CreatedApiKeyView extends ApiKeyView {
  key: string;
}

export interface CreateUserRequest extends RegisterRequest {
  role?: UserRole;
}

export interface UpdateUserRequest {
  role?: UserRole;
  disabled?: boolean;
  password?: string;
  email?: string | null;
  displayName?: string | null;
}

/** A job ledger row as `GET jobs` lists it (no payload, result or stack; the error cut short). */
export interface JobRunView {
  id: string;
  queue: QueueName;
  name: string;
  state: JobState;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  maxAttempts: number;
  priority: number;
  cancelRequestedAt: string | null;
  workerId: string | null;
  durationMs: number | null;
  logCount: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface JobLogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** `GET jobs/:id`. */
export interface JobDetailView extends JobRunView {
  payload: Record<string, unknown>;
  result: Record<string, unknown> | null;
  stack: string | null;
  logs: JobLogLine[];
  timings: { queuedMs: number | null; runMs: number | null };
}

/** `GET queues`: one queue. */
export interface QueueSummaryView {
  name: QueueName;
  paused: boolean;
  concurrency: number;
  counts: Record<JobState, number>;
  bullmq: { waiting: number; delayed: number; prioritized: number; active: number };
  lastHour: { completed: number; failed: number; failureRate: number | null; throughputPerMinute: number };
  etaSeconds: number | null;
}

export const JOB_EVENT_TYPES = ['job', 'queue', 'scan'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/** `data` of a `job` event on `GET events`. */
export interface JobChangedEvent {
  id: string;
  queue: QueueName;
  name: string;
  state: JobState;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  error: string | null;
  at: string;
}

/** `data` of a `queue` event: a pause, a resume, a concurrency change, or jobs added. */
export interface QueueChangedEvent {
  name: QueueName;
  paused?: boolean;
  concurrency?: number;
  added?: number;
  at: string;
}

/** `GET /readyz` (Terminus). */
export interface ReadinessView {
  status: 'ok' | 'error' | 'shutting_down';
  info?: Record<string, { status: 'up' | 'down'; message?: string; [key: string]: unknown }>;
  error?: Record<string, { status: 'up' | 'down'; message?: string; [key: string]: unknown }>;
  details?: Record<string, { status: 'up' | 'down'; message?: string; [key: string]: unknown }>;
}
