/**
 * OpenAI chat JSONL: one `{"messages":[{"role","content"}, ...]}` per line (the fine-tuning / chat export shape).
 * Our own JSONL (generators/conversation-writers.ts) is the same shape plus `id`, `truth` and `metadata`, so this
 * reader also takes ground truth when a line carries it.
 */
import type { Conversation, GroundTruth, Message, Role } from '../../pipeline/contracts.js';
import { asObject, FieldProblem, jsonType, requireArray, requireString } from './import-errors.js';

const ROLE_MAP: Record<string, Role> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
  function: 'tool',
};

/** Content may be a string, a list of parts (`[{type:"text", text}]`), or null on an assistant tool call. */
function contentText(m: Record<string, unknown>, path: string): string {
  const c = m.content;
  if (typeof c === 'string') return c;
  if (c === null && (m.tool_calls !== undefined || m.function_call !== undefined)) return '';
  if (Array.isArray(c)) {
    return c
      .map((p, k) => {
        const part = asObject(p, `${path}.content[${k}]`, 'a content part object like {"type":"text","text":"..."}');
        if (part.type !== 'text') return ''; // images and audio carry no text to cluster
        return requireString(part, 'text', `${path}.content[${k}].text`);
      })
      .join('\n');
  }
  if (c === undefined) throw new FieldProblem(`${path}.content`, 'missing; expected a string');
  throw new FieldProblem(`${path}.content`, `got ${jsonType(c)}; expected a string (or a list of text parts)`);
}

/** Parse an OpenAI-style message list at `path`. */
export function parseOpenAIMessages(list: unknown[], path: string): Message[] {
  return list.map((raw, j) => {
    const p = `${path}[${j}]`;
    const m = asObject(raw, p, 'a message object {"role", "content"}');
    const role = requireString(m, 'role', `${p}.role`, 'one of system, user, assistant, tool');
    const mapped = ROLE_MAP[role];
    if (!mapped) throw new FieldProblem(`${p}.role`, `got "${role}"; expected one of system, user, assistant, tool`);
    return { role: mapped, content: contentText(m, p) };
  });
}

function parseTruth(v: unknown): GroundTruth {
  const t = asObject(v, 'truth', 'an object {domain, intent, language, flags}');
  const flags = t.flags ?? [];
  if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string'))
    throw new FieldProblem('truth.flags', `got ${jsonType(flags)}; expected a list of strings`);
  const truth: GroundTruth = {
    domain: requireString(t, 'domain', 'truth.domain'),
    intent: requireString(t, 'intent', 'truth.intent'),
    language: requireString(t, 'language', 'truth.language', 'an ISO 639-1 code string'),
    flags: flags as string[],
  };
  if (t.secondaryIntents !== undefined) {
    if (!Array.isArray(t.secondaryIntents) || t.secondaryIntents.some((f) => typeof f !== 'string'))
      throw new FieldProblem('truth.secondaryIntents', 'expected a list of strings');
    truth.secondaryIntents = t.secondaryIntents as string[];
  }
  return truth;
}

/** Parse one OpenAI chat record (or our own JSONL record). */
export function parseOpenAIChat(value: unknown, fallbackId: string): Conversation {
  const o = asObject(value, undefined, 'a JSON object with a "messages" list (OpenAI chat format)');
  const messages = parseOpenAIMessages(
    requireArray(o, 'messages', 'messages', 'a list of {"role", "content"} messages'),
    'messages',
  );
  const id =
    o.id === undefined ? fallbackId : typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : undefined;
  if (id === undefined) throw new FieldProblem('id', `got ${jsonType(o.id)}; expected a string or number`);
  const conv: Conversation = { id, messages };
  if (o.truth !== undefined) conv.truth = parseTruth(o.truth);
  if (o.metadata !== undefined) conv.metadata = asObject(o.metadata, 'metadata', 'an object');
  return conv;
}
