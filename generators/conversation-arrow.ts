/**
 * Conversations <-> Arrow record batches: clusterbench's own conversation file format.
 *
 * Columns: id Utf8; messages List<Struct<role Utf8, content Utf8>>; domain, intent, language Utf8 (null when there
 * is no ground truth); flags and secondary_intents List<Utf8>; metadata Utf8 (JSON, nullable). The schema carries
 * `clusterbench.format = conversations/v1` so an import can tell our files from other Arrow files. Columns are
 * built straight from packed UTF-8 buffers (pipeline/support/text-column.ts), not through Arrow's per-value builders.
 */
import { Field, List, makeData, RecordBatch, Schema, Struct, Utf8, type Data } from 'apache-arrow';
import type { Conversation, Message, Role } from '../pipeline/contracts.js';
import { packUtf8Batch, type Utf8Batch } from '../pipeline/support/text-column.js';
import { UserError } from '../pipeline/support/user-error.js';

/** Schema metadata key and value that mark a clusterbench conversation file. */
export const CONVERSATION_FORMAT_KEY = 'clusterbench.format';
export const CONVERSATION_FORMAT = 'conversations/v1';

const messageType = new Struct([new Field('role', new Utf8(), false), new Field('content', new Utf8(), false)]);

/** The Arrow schema of a conversation file. */
export const conversationSchema = new Schema(
  [
    new Field('id', new Utf8(), false),
    new Field('messages', new List(new Field('item', messageType, false)), false),
    new Field('domain', new Utf8(), true),
    new Field('intent', new Utf8(), true),
    new Field('language', new Utf8(), true),
    new Field('flags', new List(new Field('item', new Utf8(), false)), false),
    new Field('secondary_intents', new List(new Field('item', new Utf8(), false)), false),
    new Field('metadata', new Utf8(), true),
  ],
  new Map([[CONVERSATION_FORMAT_KEY, CONVERSATION_FORMAT]]),
);

/** A UTF-8 column that may hold nulls (Arrow validity bitmap, 1 = present). */
export interface NullableText {
  col: Utf8Batch;
  nullCount: number;
  nullBitmap?: Uint8Array;
}

/** A list-of-strings column: row i is values[offsets[i] .. offsets[i+1]). */
export interface TextListColumn {
  offsets: Int32Array;
  values: Utf8Batch;
}

/**
 * One batch of conversations as plain typed arrays: built in a generation worker, moved to the writer thread by
 * transfer, and turned into a RecordBatch there without copying.
 */
export interface ConversationColumns {
  n: number;
  ids: Utf8Batch;
  /** Messages of conversation i are rows msgOffsets[i] .. msgOffsets[i+1] of roles/contents. */
  msgOffsets: Int32Array;
  roles: Utf8Batch;
  contents: Utf8Batch;
  domain: NullableText;
  intent: NullableText;
  language: NullableText;
  flags: TextListColumn;
  secondary: TextListColumn;
  metadata: NullableText;
}

function nullableText(values: readonly (string | null)[]): NullableText {
  const col = packUtf8Batch(values.map((v) => v ?? ''));
  let nullCount = 0;
  let nullBitmap: Uint8Array | undefined;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== null) continue;
    if (!nullBitmap) nullBitmap = new Uint8Array((values.length + 7) >> 3).fill(0xff);
    nullBitmap[i >> 3] &= ~(1 << (i & 7));
    nullCount++;
  }
  return { col, nullCount, nullBitmap };
}

function textList(rows: readonly (readonly string[])[]): TextListColumn {
  const offsets = new Int32Array(rows.length + 1);
  const flat: string[] = [];
  rows.forEach((r, i) => {
    flat.push(...r);
    offsets[i + 1] = flat.length;
  });
  return { offsets, values: packUtf8Batch(flat) };
}

/** Encode conversations as columns (the expensive part: UTF-8 encoding of every string). */
export function conversationsToColumns(convs: readonly Conversation[]): ConversationColumns {
  const n = convs.length;
  const msgOffsets = new Int32Array(n + 1);
  const roles: string[] = [];
  const contents: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const m of convs[i].messages) {
      roles.push(m.role);
      contents.push(m.content);
    }
    msgOffsets[i + 1] = roles.length;
  }
  return {
    n,
    ids: packUtf8Batch(convs.map((c) => c.id)),
    msgOffsets,
    roles: packUtf8Batch(roles),
    contents: packUtf8Batch(contents),
    domain: nullableText(convs.map((c) => c.truth?.domain ?? null)),
    intent: nullableText(convs.map((c) => c.truth?.intent ?? null)),
    language: nullableText(convs.map((c) => c.truth?.language ?? null)),
    flags: textList(convs.map((c) => c.truth?.flags ?? [])),
    secondary: textList(convs.map((c) => c.truth?.secondaryIntents ?? [])),
    metadata: nullableText(convs.map((c) => (c.metadata === undefined ? null : JSON.stringify(c.metadata)))),
  };
}

/** Every buffer of a ConversationColumns, for a transfer list. */
export function columnBuffers(c: ConversationColumns): ArrayBuffer[] {
  const texts = [
    c.ids,
    c.roles,
    c.contents,
    c.domain.col,
    c.intent.col,
    c.language.col,
    c.flags.values,
    c.secondary.values,
    c.metadata.col,
  ];
  const arrays: ArrayBufferView[] = [
    c.msgOffsets,
    c.flags.offsets,
    c.secondary.offsets,
    ...texts.flatMap((t) => [t.bytes, t.offsets]),
  ];
  for (const t of [c.domain, c.intent, c.language, c.metadata]) if (t.nullBitmap) arrays.push(t.nullBitmap);
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

function utf8Data(col: Utf8Batch, nullCount = 0, nullBitmap?: Uint8Array): Data<Utf8> {
  const length = col.offsets.length - 1;
  return makeData({ type: new Utf8(), length, nullCount, nullBitmap, valueOffsets: col.offsets, data: col.bytes });
}

function listData(l: TextListColumn): Data<List<Utf8>> {
  return makeData({
    type: new List(new Field('item', new Utf8(), false)),
    length: l.offsets.length - 1,
    nullCount: 0,
    valueOffsets: l.offsets,
    child: utf8Data(l.values),
  });
}

/** Wrap columns as a RecordBatch (no copy). */
export function columnsToBatch(c: ConversationColumns): RecordBatch {
  const messages = makeData({
    type: new List(new Field('item', messageType, false)),
    length: c.n,
    nullCount: 0,
    valueOffsets: c.msgOffsets,
    child: makeData({
      type: messageType,
      length: c.roles.offsets.length - 1,
      nullCount: 0,
      children: [utf8Data(c.roles), utf8Data(c.contents)],
    }),
  });
  const nt = (t: NullableText): Data<Utf8> => utf8Data(t.col, t.nullCount, t.nullBitmap);
  const children = [
    utf8Data(c.ids),
    messages,
    nt(c.domain),
    nt(c.intent),
    nt(c.language),
    listData(c.flags),
    listData(c.secondary),
    nt(c.metadata),
  ];
  return new RecordBatch(
    conversationSchema,
    makeData({ type: new Struct(conversationSchema.fields), length: c.n, nullCount: 0, children }),
  );
}

/** Build one record batch from conversations. */
export function conversationsToBatch(convs: readonly Conversation[]): RecordBatch {
  return columnsToBatch(conversationsToColumns(convs));
}

/** A problem with one row of an Arrow file, named by column. */
export class ArrowRowError extends UserError {
  constructor(
    readonly row: number,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`row ${row + 1}: field "${field}": expected ${expected}`);
  }
}

/** Check that a schema has the columns a conversation file needs; returns what is wrong, or undefined. */
export function conversationSchemaProblem(schema: Schema): string | undefined {
  const idF = schema.fields.find((f) => f.name === 'id');
  const msgF = schema.fields.find((f) => f.name === 'messages');
  if (!msgF) return 'no "messages" column (expected List<Struct<role: Utf8, content: Utf8>>)';
  const child = (msgF.type as { children?: Field[] }).children?.[0]?.type as { children?: Field[] } | undefined;
  const names = child?.children?.map((f) => f.name) ?? [];
  if (!(msgF.type instanceof List) || !names.includes('role') || !names.includes('content'))
    return `column "messages" is ${msgF.type}, expected List<Struct<role: Utf8, content: Utf8>>`;
  if (idF && !(idF.type instanceof Utf8)) return `column "id" is ${idF.type}, expected Utf8`;
  return undefined;
}

const ROLES = new Set<Role>(['system', 'user', 'assistant', 'tool']);

/** Read row `i` of a batch back into a Conversation; throws ArrowRowError naming the column. `rowBase` numbers rows across batches. */
export function batchRowToConversation(batch: RecordBatch, i: number, rowBase = 0): Conversation {
  const get = (name: string): unknown => batch.getChild(name)?.get(i);
  const row = rowBase + i;
  const rawId = get('id');
  const id = rawId === undefined || rawId === null ? `row-${row + 1}` : rawId;
  if (typeof id !== 'string') throw new ArrowRowError(row, 'id', 'a string');
  const rawMsgs = get('messages') as {
    length: number;
    get(j: number): { role: unknown; content: unknown } | null;
  } | null;
  if (!rawMsgs) throw new ArrowRowError(row, 'messages', 'a non-null list of {role, content}');
  if (rawMsgs.length === 0) throw new ArrowRowError(row, 'messages', 'at least one message');
  const messages: Message[] = [];
  for (let j = 0; j < rawMsgs.length; j++) {
    const m = rawMsgs.get(j);
    if (!m || typeof m.role !== 'string' || !ROLES.has(m.role as Role))
      throw new ArrowRowError(row, `messages[${j}].role`, 'one of system, user, assistant, tool');
    if (typeof m.content !== 'string') throw new ArrowRowError(row, `messages[${j}].content`, 'a string');
    messages.push({ role: m.role as Role, content: m.content });
  }
  const conv: Conversation = { id, messages };
  const intent = get('intent');
  if (typeof intent === 'string') {
    const list = (name: string): string[] => {
      const v = get(name) as { toArray(): unknown[] } | null | undefined;
      return v ? (v.toArray() as string[]) : [];
    };
    const domain = get('domain');
    const language = get('language');
    conv.truth = {
      domain: typeof domain === 'string' ? domain : intent.split('/')[0],
      intent,
      language: typeof language === 'string' ? language : 'und',
      flags: list('flags'),
    };
    const sec = list('secondary_intents');
    if (sec.length > 0) conv.truth.secondaryIntents = sec;
  }
  const meta = get('metadata');
  if (typeof meta === 'string') {
    try {
      conv.metadata = JSON.parse(meta) as Record<string, unknown>;
    } catch {
      throw new ArrowRowError(row, 'metadata', 'a JSON object string');
    }
  }
  return conv;
}
