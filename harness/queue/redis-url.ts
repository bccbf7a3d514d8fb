/**
 * The `--queue` URL: redis://[user:password@]host:port[/db] or rediss:// for TLS. Parsed into the connection options
 * BullMQ hands to ioredis, and redacted wherever it is shown: a password never reaches results, logs or reports.
 */
import { UserError } from '../../pipeline/support/user-error.js';
/** Connection options for BullMQ (the ioredis subset we set). */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  /** BullMQ workers need blocking commands to wait forever. */
  maxRetriesPerRequest: null;
}

/** Parse a redis:// or rediss:// URL; refuses anything else with a message that shows the expected shape. */
export function parseRedisUrl(raw: string): RedisConnectionOptions {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(
      `--queue: "${redactRedisUrl(raw)}" is not a URL; expected redis://HOST:PORT or rediss://user:password@HOST:PORT/DB`,
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UserError(`--queue: scheme "${u.protocol}" is not supported; use redis:// or rediss:// (TLS)`);
  }
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new UserError(`--queue: database "${dbText}" must be a non-negative integer (redis://HOST:PORT/0)`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The URL with any password replaced by "***", safe to print or store. */
export function redactRedisUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return raw.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
  }
}
