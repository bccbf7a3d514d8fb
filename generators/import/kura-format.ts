/**
 * Kura's conversation format (kura.types.Conversation): `{chat_id, created_at, messages: [{role, content,
 * created_at}], metadata}`, one per line as Kura writes its checkpoints.
 */
import type { Conversation, Role } from '../../pipeline/contracts.js';
import { asObject, FieldProblem, requireArray, requireString } from './import-errors.js';

const ROLES = new Set<Role>(['user', 'assistant', 'system', 'tool']);
const ISO = 'an ISO 8601 date-time string, e.g. "2024-05-01T12:00:00Z"';

function requireDate(o: Record<string, unknown>, key: string, path: string): string {
  const s = requireString(o, key, path, ISO);
  if (Number.isNaN(Date.parse(s))) throw new FieldProblem(path, `got "${s.slice(0, 40)}"; expected ${ISO}`);
  return s;
}

/** Parse one Kura conversation record. */
export function parseKuraConversation(value: unknown): Conversation {
  const o = asObject(value, undefined, 'a JSON object {chat_id, created_at, messages, metadata} (Kura format)');
  const chatId = requireString(o, 'chat_id', 'chat_id');
  const createdAt = requireDate(o, 'created_at', 'created_at');
  const messages = requireArray(o, 'messages', 'messages', 'a list of {"role", "content", "created_at"} messages').map(
    (raw, j) => {
      const p = `messages[${j}]`;
      const m = asObject(raw, p, 'a message object {"role", "content", "created_at"}');
      const role = requireString(m, 'role', `${p}.role`, 'one of user, assistant');
      if (!ROLES.has(role as Role))
        throw new FieldProblem(`${p}.role`, `got "${role}"; expected one of user, assistant`);
      const content = requireString(m, 'content', `${p}.content`);
      requireDate(m, 'created_at', `${p}.created_at`);
      return { role: role as Role, content };
    },
  );
  const metadata = o.metadata === undefined || o.metadata === null ? {} : asObject(o.metadata, 'metadata', 'an object');
  return { id: chatId, messages, metadata: { ...metadata, created_at: createdAt } };
}
