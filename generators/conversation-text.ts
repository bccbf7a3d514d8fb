/** Flatten a conversation to the text the pipeline sees: one "role: content" line per message. */
import type { Conversation } from '../pipeline/contracts.js';

export function conversationToText(c: Conversation): string {
  return c.messages.map((m) => `${m.role}: ${m.content.replace(/\n+/g, ' ')}`).join('\n');
}
