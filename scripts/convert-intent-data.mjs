#!/usr/bin/env node
/**
 * Convert local copies of two public intent datasets into clusterbench JSONL (one user turn per conversation, the
 * intent as ground truth) for bench/real-text-quality.bench.ts. Nothing is downloaded: pass the files.
 *
 *   node scripts/convert-intent-data.mjs --clinc oos-eval/data/data_full.json --clinc-domains oos-eval/data/domains.json \
 *     --banking task-specific-datasets/banking_data/test.csv --out bench/data
 *
 * CLINC150 (github.com/clinc/oos-eval, CC BY 3.0): in-scope `val` (3,000) and `test` (4,500) splits, 150 intents.
 * BANKING77 (github.com/PolyAI-LDN/task-specific-datasets, CC BY 4.0): `test.csv` (3,080), 77 intents.
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
if (!args.clinc || !args.banking || !args.out) {
  console.error(
    'usage: convert-intent-data.mjs --clinc data_full.json [--clinc-domains domains.json] --banking test.csv --out DIR',
  );
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

function writeJsonl(path, rows) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  renameSync(tmp, path);
  console.log(`${path}: ${rows.length} conversations, ${new Set(rows.map((r) => r.truth.intent)).size} intents`);
}

const row = (id, text, domain, intent) => ({
  id,
  messages: [{ role: 'user', content: text }],
  truth: { domain, intent, language: 'en', flags: [] },
});

const clinc = JSON.parse(readFileSync(args.clinc, 'utf8'));
const domainOf = new Map();
if (args['clinc-domains'])
  for (const [d, intents] of Object.entries(JSON.parse(readFileSync(args['clinc-domains'], 'utf8'))))
    for (const i of intents) domainOf.set(i, d);
for (const split of ['val', 'test']) {
  writeJsonl(
    join(args.out, `clinc150-${split}.jsonl`),
    clinc[split].map(([text, intent], i) => row(`clinc-${split}-${i}`, text, domainOf.get(intent) ?? 'clinc', intent)),
  );
}

// RFC 4180 CSV: quoted fields may hold commas and doubled quotes.
function parseCsv(text) {
  const out = [];
  let field = '',
    rec = [],
    q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') q = false;
      else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      rec.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      rec.push(field);
      out.push(rec);
      rec = [];
      field = '';
    } else field += ch;
  }
  if (field || rec.length) {
    rec.push(field);
    out.push(rec);
  }
  return out;
}
const [header, ...records] = parseCsv(readFileSync(args.banking, 'utf8')).filter((r) => r.length > 1);
if (header.join(',') !== 'text,category')
  throw new Error(`${args.banking}: expected header "text,category", got "${header.join(',')}"`);
writeJsonl(
  join(args.out, 'banking77-test.jsonl'),
  records.map(([text, intent], i) => row(`banking77-test-${i}`, text, 'banking', intent)),
);
