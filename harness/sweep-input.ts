/** Build one scale's input: n conversations packed for transfer, plus ground-truth intent ids. */
import type { Conversation, PipelineData } from './types.js';
import type { SweepProfile } from './profile-schema.js';
import { generateConversations } from '../generators/synthetic-conversations.js';
import { conversationToText } from '../generators/conversation-text.js';
import { packTexts } from '../pipeline/text-column.js';

/** One scale's data and what we know about it. */
export interface ScaleInput {
  data: PipelineData;
  /** Intent name per truth id. */
  intents: string[];
  stats: Record<string, number>;
}

/** Pack conversations into PipelineData, numbering intents in order of first appearance. */
export function packConversations(convs: Conversation[]): ScaleInput {
  const ids = new Map<string, number>();
  const truth = new Int32Array(convs.length);
  const texts = new Array<string>(convs.length);
  const unique = new Set<string>();
  let bytes = 0;
  for (let i = 0; i < convs.length; i++) {
    texts[i] = conversationToText(convs[i]);
    unique.add(texts[i]);
    bytes += Buffer.byteLength(texts[i]);
    const intent = convs[i].truth?.intent;
    if (intent === undefined) truth[i] = -1;
    else {
      let id = ids.get(intent);
      if (id === undefined) ids.set(intent, (id = ids.size));
      truth[i] = id;
    }
  }
  return {
    data: { n: convs.length, conversations: packTexts(texts), truth },
    intents: [...ids.keys()],
    stats: { conversations: convs.length, uniqueFraction: convs.length ? unique.size / convs.length : 1, meanBytes: convs.length ? bytes / convs.length : 0, intents: ids.size },
  };
}

/** Generate (or read) the conversations for one scale. */
export async function buildScaleInput(profile: SweepProfile, scale: number): Promise<ScaleInput> {
  if (profile.input.kind !== 'synthetic') throw new Error(`input.kind "${profile.input.kind}" is not supported yet`);
  const all: Conversation[] = [];
  for await (const batch of generateConversations({ ...(profile.input.options as object), n: scale, seed: profile.seed })) all.push(...batch);
  return packConversations(all);
}
