/**
 * The generator's data: the intent taxonomy (generators/data/taxonomy-*.json) and the per-language sentence frames
 * (generators/data/languages.json), loaded once, validated (errors name the file and key path) and compiled into
 * slot templates so that generation does no regex work per conversation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../pipeline/support/package-root.js';
import { displayPath } from '../pipeline/support/display-path.js';
import { UserError } from '../pipeline/support/user-error.js';

/** Slots a frame may use. Anything else in braces (code like `{4}` or `${x}`) stays literal. */
export const FRAME_SLOTS = [
  'topic',
  'term',
  'term2',
  'num',
  'id',
  'amount',
  'time',
  'name',
  'place',
  'day',
  'currency',
] as const;
/** One slot name. */
export type FrameSlot = (typeof FRAME_SLOTS)[number];

/**
 * A compiled frame: literal text and slot codes alternate, starting and ending with text.
 * `parts[0] + slot(codes[0]) + parts[1] + ...`.
 */
export interface Template {
  parts: string[];
  slots: number[];
}

/** One intent's words in one language. */
export interface IntentLexicon {
  topic: string;
  terms: string[];
}

/** One intent of the taxonomy. */
export interface TaxonomyIntent {
  /** "domain/intent", the ground-truth label. */
  id: string;
  domain: string;
  /** Position in the full taxonomy (file order). */
  index: number;
  /** Position of the intent within its domain (0-based). */
  rankInDomain: number;
  lexicon: Record<string, IntentLexicon>;
  /** Code blocks for technical intents (empty for others). */
  code: Template[];
}

/** Sentence frames of one language, compiled. */
export interface LanguageFrames {
  code: string;
  name: string;
  greet: { formal: Template[]; casual: Template[] };
  close: { formal: Template[]; casual: Template[] };
  ask: Template[];
  detail: Template[];
  followup: Template[];
  thanks: Template[];
  aIntro: Template[];
  aStep: Template[];
  aExplain: Template[];
  aListIntro: Template[];
  aCodeIntro: Template[];
  aClose: Template[];
  offtopicUser: Template[];
  offtopicAssistant: Template[];
  switch: Template[];
  names: string[];
  places: string[];
  days: string[];
  currency: string;
}

/** The whole compiled taxonomy. */
export interface Taxonomy {
  domains: string[];
  intents: TaxonomyIntent[];
  languages: Record<string, LanguageFrames>;
  /** Language codes in file order. */
  languageCodes: string[];
}

const SLOT_INDEX = new Map<string, number>(FRAME_SLOTS.map((s, i) => [s, i]));

/** Compile "I need {topic}." into a Template. Unknown brace groups stay literal text. */
export function compileTemplate(text: string): Template {
  const parts: string[] = [];
  const slots: number[] = [];
  let last = 0;
  for (const m of text.matchAll(/\{([a-z0-9]+)\}/g)) {
    const code = SLOT_INDEX.get(m[1]);
    if (code === undefined) continue;
    parts.push(text.slice(last, m.index));
    slots.push(code);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return { parts, slots };
}

class TaxonomyError extends UserError {
  constructor(file: string, path: string, msg: string) {
    super(`${file}: ${path}: ${msg}`);
  }
}

function readJson(path: string): unknown {
  const rel = displayPath(path);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${rel}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function stringList(v: unknown, file: string, path: string, min = 1): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.length === 0))
    throw new TaxonomyError(file, path, 'must be a list of non-empty strings');
  if (v.length < min) throw new TaxonomyError(file, path, `must list at least ${min} entries`);
  return v as string[];
}

const FRAME_KEYS = [
  'ask',
  'detail',
  'followup',
  'thanks',
  'aIntro',
  'aStep',
  'aExplain',
  'aListIntro',
  'aCodeIntro',
  'aClose',
  'offtopicUser',
  'offtopicAssistant',
  'switch',
] as const;

function loadLanguages(path: string): Record<string, LanguageFrames> {
  const file = displayPath(path);
  const raw = readJson(path) as Record<string, Record<string, unknown>>;
  const out: Record<string, LanguageFrames> = {};
  for (const [code, l] of Object.entries(raw)) {
    if (code.startsWith('$')) continue;
    const compileList = (key: string, v: unknown): Template[] =>
      stringList(v, file, `${code}.${key}`).map(compileTemplate);
    const pair = (key: 'greet' | 'close'): { formal: Template[]; casual: Template[] } => {
      const g = l[key] as Record<string, unknown> | undefined;
      if (!g || typeof g !== 'object')
        throw new TaxonomyError(file, `${code}.${key}`, 'must be an object with formal and casual lists');
      return { formal: compileList(`${key}.formal`, g.formal), casual: compileList(`${key}.casual`, g.casual) };
    };
    const frames = Object.fromEntries(FRAME_KEYS.map((k) => [k, compileList(k, l[k])])) as Record<
      (typeof FRAME_KEYS)[number],
      Template[]
    >;
    if (typeof l.currency !== 'string') throw new TaxonomyError(file, `${code}.currency`, 'must be a string');
    out[code] = {
      code,
      name: typeof l.name === 'string' ? l.name : code,
      greet: pair('greet'),
      close: pair('close'),
      ...frames,
      names: stringList(l.names, file, `${code}.names`),
      places: stringList(l.places, file, `${code}.places`),
      days: stringList(l.days, file, `${code}.days`, 7),
      currency: l.currency,
    };
  }
  if (Object.keys(out).length === 0) throw new TaxonomyError(file, '(root)', 'defines no language');
  return out;
}

let cached: Taxonomy | undefined;

/** Load (once) and validate the taxonomy and language frames from generators/data/. */
export function loadTaxonomy(dataDir = join(packageRoot(), 'generators', 'data')): Taxonomy {
  if (cached) return cached;
  const languages = loadLanguages(join(dataDir, 'languages.json'));
  const languageCodes = Object.keys(languages);
  const domains: string[] = [];
  const intents: TaxonomyIntent[] = [];
  const seen = new Set<string>();
  const files = readdirSync(dataDir)
    .filter((f) => /^taxonomy-.*\.json$/.test(f))
    .sort();
  if (files.length === 0) throw new Error(`${dataDir}: no taxonomy-*.json files`);
  for (const f of files) {
    const path = join(dataDir, f);
    const file = displayPath(path);
    const raw = readJson(path) as { domains?: unknown };
    if (!Array.isArray(raw.domains)) throw new TaxonomyError(file, 'domains', 'must be a list');
    raw.domains.forEach((d: Record<string, unknown>, di: number) => {
      const dp = `domains[${di}]`;
      if (typeof d.id !== 'string' || !/^[a-z0-9-]+$/.test(d.id))
        throw new TaxonomyError(file, `${dp}.id`, 'must be a lowercase slug');
      if (domains.includes(d.id)) throw new TaxonomyError(file, `${dp}.id`, `duplicate domain "${d.id}"`);
      domains.push(d.id);
      const domainId = d.id;
      if (!Array.isArray(d.intents) || d.intents.length === 0)
        throw new TaxonomyError(file, `${dp}.intents`, 'must be a non-empty list');
      d.intents.forEach((it: Record<string, unknown>, ii: number) => {
        const ip = `${dp}.intents[${ii}]`;
        if (typeof it.id !== 'string' || !/^[a-z0-9-]+$/.test(it.id))
          throw new TaxonomyError(file, `${ip}.id`, 'must be a lowercase slug');
        const id = `${domainId}/${it.id}`;
        if (seen.has(id)) throw new TaxonomyError(file, `${ip}.id`, `duplicate intent "${id}"`);
        seen.add(id);
        const lexicon: Record<string, IntentLexicon> = {};
        for (const lang of languageCodes) {
          const s = it[lang];
          if (typeof s !== 'string')
            throw new TaxonomyError(
              file,
              `${ip}.${lang}`,
              `must be a string "topic|term, term, ..." (every intent needs every language in languages.json)`,
            );
          const [topic, termText] = s.split('|');
          const terms = (termText ?? '')
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean);
          if (!topic?.trim() || terms.length < 4)
            throw new TaxonomyError(
              file,
              `${ip}.${lang}`,
              'must be "topic phrase|term, term, term, term" with at least 4 terms',
            );
          lexicon[lang] = { topic: topic.trim(), terms };
        }
        const code = it.code === undefined ? [] : stringList(it.code, file, `${ip}.code`).map(compileTemplate);
        intents.push({ id, domain: d.id as string, index: intents.length, rankInDomain: ii, lexicon, code });
      });
    });
  }
  cached = { domains, intents, languages, languageCodes };
  return cached;
}
