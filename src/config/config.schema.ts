// The shape of config/*.yaml: every section, key, kind and default. The loader checks files against it
// (unknown keys are errors) and converts each value to its typed form (durations to ms, sizes to bytes).
import type { Rate } from '../common/units.js';
import type { VarOverrideFile } from './vars.loader.js';

export type FieldKind = 'int' | 'bool' | 'string' | 'duration' | 'size' | 'rate' | 'url' | 'string_list' | 'map';

export interface FieldSpec {
  kind: FieldKind;
  default?: unknown;
  /** The least value: for `int` the number, for `duration` milliseconds. */
  min?: number;
  enum?: readonly string[];
  /** For `map`: free-form object (e.g. notification preferences, oauth2 providers). */
  doc?: string;
  /** For `map`: the type of each value, for AppConfig's type only (never set at run time; see mapField). */
  of?: unknown;
}

/** A `map` field whose values AppConfig types as T (the loader checks only that it is a mapping). */
function mapField<T>(doc: string): { kind: 'map'; default: Record<string, never>; doc: string; of?: T } {
  return { kind: 'map', default: {}, doc };
}

export type SchemaNode = { [key: string]: FieldSpec | SchemaNode };

export function isField(node: FieldSpec | SchemaNode): node is FieldSpec {
  return typeof (node as FieldSpec).kind === 'string';
}

export const CONFIG_SCHEMA = {
  server: {
    port: { kind: 'int', default: 3000, min: 0 },
    body_limit: { kind: 'size', default: '1mb' },
    trust_proxy: { kind: 'bool', default: false },
    /** Where people reach this server (review links); required once an agent uses human.review, never derived from requests. */
    public_url: { kind: 'url' },
  },
  executor: {
    concurrency: { kind: 'int', default: 50, min: 1 },
    max_parallel: { kind: 'int', default: 16, min: 1 },
    node_timeout: { kind: 'duration', default: '5m' },
    execution_timeout: { kind: 'duration', default: '1h' },
    max_node_executions: { kind: 'int', default: 10000, min: 1 },
    max_depth: { kind: 'int', default: 8, min: 1 },
    max_value_bytes: { kind: 'size', default: '1mb' },
    shutdown_grace: { kind: 'duration', default: '30s' },
    retention: { kind: 'duration', default: '14d' },
    lease: { kind: 'duration', default: '30s' },
    /** How often the sweep re-dispatches lost work (lapsed leases, lost dispatches, due resumes); also how long a QUEUED execution waits before it counts as lost. */
    sweep_interval: { kind: 'duration', default: '3s', min: 50 },
    max_resumes: { kind: 'int', default: 3, min: 0 },
  },
  limits: {
    max_json_depth: { kind: 'int', default: 64, min: 1 },
  },
  credits: {
    enabled: { kind: 'bool', default: true },
    initial_grant: { kind: 'int', default: 1000, min: 0 },
    low_balance_threshold: { kind: 'int', default: 100, min: 0 },
  },
  auth: {
    jwt: {
      secret: { kind: 'string' },
      jwks_url: { kind: 'url' },
      auto_provision: { kind: 'bool', default: false },
      trust_role_claim: { kind: 'bool', default: false },
      issuer: { kind: 'string' },
      audience: { kind: 'string' },
    },
    rate_limit: {
      per_key: { kind: 'rate', default: '6000/min' },
      per_ip: { kind: 'rate', default: '3000/min' },
    },
  },
  webhooks: {
    body_limit: { kind: 'size', default: '1mb' },
    github_body_limit: { kind: 'size', default: '25mb' },
    idempotency_window: { kind: 'duration', default: '24h' },
    signature_tolerance: { kind: 'duration', default: '5m' },
    rate_limit: { kind: 'rate', default: 'off' },
    html_responses: { kind: 'string_list', default: [] },
    /** How long a `respond: by_output` webhook holds the request for its answer (at most 60s). */
    max_wait: { kind: 'duration', default: '30s' },
  },
  reviews: {
    max_pending_per_agent: { kind: 'int', default: 100, min: 1 },
  },
  wait_event: {
    /** How long an event that came before its waiter is kept. */
    buffer: { kind: 'duration', default: '10m' },
    /** Buffered events per node; beyond, 429. */
    max_buffered: { kind: 'int', default: 1000, min: 1 },
  },
  schedules: {
    misfire_grace: { kind: 'duration', default: '60s' },
    /** Fires handled at once per worker process. */
    concurrency: { kind: 'int', default: 8, min: 1 },
    /** Ad-hoc schedules of non-admins may not fire more often (release 2). */
    min_interval: { kind: 'duration', default: '1m' },
  },
  gitops: {
    repository: { kind: 'string' },
    branch: { kind: 'string', default: 'main' },
    folder: { kind: 'string', default: 'agents' },
    sync_on_start: { kind: 'bool', default: true },
    sync_on_push: { kind: 'bool', default: true },
    pr_comments: { kind: 'bool', default: true },
    /** Pull-request feedback: a check run (needs a GitHub App), a comment, or both. */
    pr_feedback: { kind: 'string', default: 'both', enum: ['check', 'comment', 'both'] },
    /** GitHub App authentication (instead of GITHUB_TOKEN): the app's id, its private key (PEM or a path), its installation. */
    app_id: { kind: 'string' },
    app_private_key: { kind: 'string' },
    app_installation_id: { kind: 'string' },
    /** OpenAPI integrations (release 2 section 5): this folder beside the agents folder; INTEGRATIONS_DIR overrides. */
    integrations_folder: { kind: 'string', default: 'integrations' },
    /** How long a process takes an integration's blocks as current before it reads the newest recorded version again (a lost event's delay). */
    integrations_recheck: { kind: 'duration', default: '5s', min: 50 },
  },
  ai_agent: {
    /** Each tool result in ai.agent's trace and conversation is cut to this (release-2.md section 4). */
    max_result_bytes: { kind: 'size', default: '16kb' },
  },
  http: {
    allow_private_addresses: { kind: 'bool', default: false },
    max_response_bytes: { kind: 'size', default: '10mb' },
  },
  integrations: {
    github: { base_url: { kind: 'url' } },
    openai: { base_url: { kind: 'url' } },
    anthropic: { base_url: { kind: 'url' } },
    oauth2: mapField<OAuth2ProviderConfig>('provider -> {authorize_url, token_url, client_id, client_secret, scopes, hosts}'),
  },
  /** The durable queue of executions, schedules and deliveries (src/queue): BullMQ's lock, or durable_jobs' lease. */
  queue: {
    lease: { kind: 'duration', default: '30s' },
    max_attempts: { kind: 'int', default: 3, min: 1 },
    /** A job whose handler threw is delivered again after this long, doubled for each attempt before. */
    retry_backoff: { kind: 'duration', default: '1s' },
  },
  notifications: {
    smtp: { kind: 'string' },
    /** Deliveries attempted at once per worker process. */
    concurrency: { kind: 'int', default: 8, min: 1 },
    default_preferences: mapField<string[]>('kind -> list of channels'),
  },
  sandbox: {
    workers: { kind: 'int', default: 2, min: 1 },
    timeout: { kind: 'duration', default: '1s' },
    memory: { kind: 'size', default: '64mb' },
  },
  logging: {
    level: { kind: 'string', default: 'info', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  },
} as const satisfies SchemaNode;

export interface OAuth2ProviderConfig {
  authorize_url: string;
  token_url: string;
  client_id: string;
  client_secret?: string;
  scopes?: string[];
  /** Where its tokens may be sent (section 1's `hosts` entries); required for http.request with an oauth2 credential. */
  hosts?: string[];
}

/** A field's typed value, from its kind: durations in ms, sizes in bytes. */
type FieldValue<F> = F extends { kind: 'int' | 'duration' | 'size' }
  ? number
  : F extends { kind: 'bool' }
    ? boolean
    : F extends { kind: 'string'; enum: readonly (infer E)[] }
      ? E
      : F extends { kind: 'string' | 'url' }
        ? string
        : F extends { kind: 'rate' }
          ? Rate | 'off'
          : F extends { kind: 'string_list' }
            ? string[]
            : F extends { kind: 'map'; of?: infer T }
              ? Record<string, NonNullable<T>>
              : never;

/** The typed form of a schema node: a field with a default is always present, one without may be absent. */
type ConfigOf<S> = Simplify<
  {
    -readonly [K in keyof S as S[K] extends FieldSpec ? (S[K] extends { default: unknown } ? K : never) : K]: S[K] extends FieldSpec
      ? FieldValue<S[K]>
      : ConfigOf<S[K]>;
  } & {
    -readonly [K in keyof S as S[K] extends FieldSpec ? (S[K] extends { default: unknown } ? never : K) : never]?: FieldValue<S[K]>;
  }
>;
type Simplify<T> = { -readonly [K in keyof T]: T[K] } & {};

/** The config/*.yaml part of AppConfig, derived from CONFIG_SCHEMA (so the two cannot drift). */
export type SchemaConfig = ConfigOf<typeof CONFIG_SCHEMA>;

/** What the loader reads from named environment variables and from config/'s other files. */
export interface LoadedConfig {
  env: string;
  role: 'api' | 'worker' | 'all';
  configDir: string;
  agentsDir: string;
  /** The OpenAPI integrations folder: INTEGRATIONS_DIR, else gitops.integrations_folder beside the agents folder. */
  integrationsDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  queuePrefix: string;
  encryptionKey: string | null;
  encryptionKeysOld: string[];
  adminApiKey: string | null;
  githubWebhookSecret: string | null;
  dataDir: string;
  /** HOST: the address the HTTP server listens on. */
  host: string;
  /** TRELLIS_EMBEDDED_PG_PORT: the port the embedded Postgres tries first. */
  embeddedPostgresPort: number;
  /** config/costs.yaml: block id or `block:model` -> credits. */
  costs: CostsConfig;
  /** config/credentials.yaml: credential name -> definition drawn from the environment. */
  credentials: Record<string, ConfigCredential>;
  /** config/notifications.yaml: channel name -> channel. */
  notificationChannels: Record<string, NotificationChannelConfig>;
  /** config/vars.yaml then config/vars/<env>.yaml: overrides of file agents' `vars:`, in the order they apply. */
  vars: VarOverrideFile[];
}

/** The typed configuration every module reads. Durations are in ms, sizes in bytes. */
export type AppConfig = SchemaConfig & LoadedConfig;

export interface CostsConfig {
  blocks: Record<string, number>;
  models: Record<string, number>;
  default_model_cost: number;
  /** OpenAPI integration name -> credits per call of any of its operations (default 1; `blocks` overrides one). */
  integrations?: Record<string, number>;
}

export interface ConfigCredential {
  provider: string;
  type: string;
  /** secret field -> value, already read from the environment variable the file names. */
  fields: Record<string, string>;
  /** secret field -> environment variable name, kept for messages. */
  env: Record<string, string>;
  /** Who may use this operator credential (default: file agents and admins). */
  allow: CredentialAllow;
  /** Where it may be sent: the `hosts` entries, else what its provider implies; [] = nowhere over HTTP. */
  hosts: string[];
  /** A system default (`default:openai`...): used for unmapped fields of its provider. */
  system?: boolean;
}

export interface CredentialAllow {
  /** File agents may use it (the name comes from the reviewed file; see release-2.md section 1). */
  file_agents: boolean;
  roles: Array<'admin' | 'user'>;
  /** User handles. */
  users: string[];
}

export interface NotificationChannelConfig {
  type: 'email' | 'slack' | 'webhook';
  /** email: recipients; slack/webhook: credential name or URL. */
  to?: string[];
  url?: string;
  credential?: string;
}
