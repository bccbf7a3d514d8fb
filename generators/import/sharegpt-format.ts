/** ShareGPT: `{"id", "conversations": [{"from": "human"|"gpt"|..., "value": "..."}]}`, as JSONL or one JSON array. */
import type { Conversation, Role } from '../../pipeline/contracts.js';
import { asObject, FieldProblem, requireArray, requireString, jsonType } from './import-errors.js';

const FROM: Record<string, Role> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  model: 'assistant',
  claude: 'assistant',
  system: 'system',
  tool: 'tool',
  function: 'tool',
  function_call: 'tool',
  observation: 'tool',
};

/** Parse one ShareGPT record. */
export function parseShareGptConversation(value: unknown, fallbackId: string): Conversation {
  const o = asObject(value, undefined, 'a JSON object with a "conversations" list (ShareGPT format)');
  const messages = requireArray(o, 'conversations', 'conversations', 'a list of {"from", "value"} turns').map(
    (raw, j) => {
      const p = `conversations[${j}]`;
      const m = asObject(raw, p, 'a turn object {"from", "value"}');
      const from = requireString(m, 'from', `${p}.from`, 'one of human, gpt, system, tool');
      const role = FROM[from.toLowerCase()];
      if (!role) throw new FieldProblem(`${p}.from`, `got "${from}"; expected one of human, gpt, system, tool`);
      return { role, content: requireString(m, 'value', `${p}.value`) };
    },
  );
  const id =
    o.id === undefined ? fallbackId : typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : undefined;
  if (id === undefined) throw new FieldProblem('id', `got ${jsonType(o.id)}; expected a string or number`);
  return { id, messages };
}
