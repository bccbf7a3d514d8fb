/**
 * report.md sections for the measurement extras: storage accounting, leak check, pipelines at once, worker
 * scaling, and whether the run is complete (checkpoints). Each renders only when its section is present.
 */
import type {
  ConcurrentPipelinesSection,
  LeakCheckSection,
  RunResults,
  StorageSection,
  WorkerScalingSection,
} from '../harness/types.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const perConv = (b: number): string => (b >= 10_240 ? formatBytes(b) : `${b.toFixed(0)} B`);

function storageLines(s: StorageSection): string[] {
  const out = ['## Storage', ''];
  out.push(
    `Codecs: ${Object.entries(s.codecs)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}.${s.embeddingDims ? ` Embeddings: ${s.embeddingDims} dims, float32.` : ''}`,
    '',
  );
  const formats = [...new Set(s.scales.flatMap((x) => x.totals.map((t) => t.format)))];
  for (const sc of s.scales) {
    out.push(`### Storage at n = ${int(sc.scale)} (bytes per conversation; total in the last row)`, '');
    out.push(`| component | ${formats.join(' | ')} |`, `|---|${formats.map(() => '---:').join('|')}|`);
    for (const comp of [...new Set(sc.components.map((c) => c.component))]) {
      const cells = formats.map((f) => {
        const m = sc.components.find((c) => c.component === comp && c.format === f);
        return m ? `${perConv(m.bytesPerConversation)}${m.verified ? '' : ' (unverified)'}` : '—';
      });
      out.push(`| ${comp} | ${cells.join(' | ')} |`);
    }
    out.push(
      `| **total** | ${formats
        .map((f) => {
          const t = sc.totals.find((x) => x.format === f);
          return t ? `**${formatBytes(t.bytes)}** (${perConv(t.bytesPerConversation)}/conv.)` : '—';
        })
        .join(' | ')} |`,
      '',
    );
  }
  const targets = [...new Set(s.projections.map((p) => p.scale))].sort((a, b) => a - b);
  if (targets.length) {
    out.push('### Storage projection (bytes = a + b·n fitted on the measured scales)', '');
    out.push(
      `| format | ${targets.map((t) => `n = ${int(t)}`).join(' | ')} |`,
      `|---|${targets.map(() => '---:').join('|')}|`,
    );
    for (const f of formats) {
      out.push(
        `| ${f} | ${targets
          .map((t) => {
            const p = s.projections.find((x) => x.format === f && x.scale === t);
            return p ? `${formatBytes(p.bytes)}${p.extrapolated ? ' (extrapolated)' : ''}` : '—';
          })
          .join(' | ')} |`,
      );
    }
    out.push('');
  }
  return out;
}

function leakLines(s: LeakCheckSection): string[] {
  const out = [
    '## Leak check',
    '',
    `Forced GC: ${s.method}.`,
    '',
    '| stage | n | runs | heap after GC, first → last | growth | slope / run | limit | verdict |',
    '|---|---:|---:|---|---:|---:|---:|---|',
  ];
  for (const r of s.results) {
    const h = r.heapAfterGcBytes;
    const v = r.verdict === 'pass' ? 'pass' : `**${r.verdict}**${r.reason ? ` (${r.reason})` : ''}`;
    out.push(
      `| ${r.stage}/${r.method} | ${int(r.scale)} | ${r.runs} | ${h.length ? `${formatBytes(h[0])} → ${formatBytes(h[h.length - 1])}` : '—'} | ${formatBytes(r.growthBytes)} | ${formatBytes(r.slopeBytesPerRun)} | ${formatBytes(r.thresholdBytes)} | ${v} |`,
    );
  }
  out.push('');
  return out;
}

function concurrentLines(s: ConcurrentPipelinesSection): string[] {
  const out = [
    '## Pipelines at once',
    '',
    `${s.cores} cores. Throughput = P × n conversations / wall time until the last pipeline ends; RSS is the whole process.`,
    '',
  ];
  out.push(
    '| P | n each | wall | conversations/s | vs P=1 | peak RSS | Σ peak worker heap | failed cells |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const p of s.points) {
    out.push(
      `| ${p.pipelines} | ${int(p.scale)} | ${formatMs(p.wallMs)} | ${int(p.throughputPerSec)} | ${p.relativeThroughput.toFixed(2)}x | ${formatBytes(p.peakRssBytes)} | ${formatBytes(p.sumPeakHeapBytes)} | ${p.failures} |`,
    );
  }
  out.push('');
  return out;
}

function workerScalingLines(s: WorkerScalingSection): string[] {
  const out = [
    '## Worker scaling',
    '',
    `${s.cores} cores available. Splittable stages split their rows across the workers; the others run as one task (extra workers idle).`,
    '',
  ];
  out.push(
    '| stage | n | splittable | workers | wall | speed-up | efficiency | same output as 1 worker |',
    '|---|---:|---|---:|---:|---:|---:|---|',
  );
  for (const st of s.stages) {
    for (const p of st.points) {
      out.push(
        `| ${st.stage}/${st.method} | ${int(st.scale)} | ${st.splittable ? 'yes' : 'no'} | ${p.workers} | ${formatMs(p.wallMs)} | ${p.speedup.toFixed(2)}x | ${(p.efficiency * 100).toFixed(0)}% | ${p.matchesSingleWorker ? 'yes' : '**no**'} |`,
      );
    }
  }
  out.push('');
  return out;
}

/** The measurement sections of report.md, in order; empty when none is present. */
export function renderMeasurementSections(r: RunResults): string[] {
  const out: string[] = [];
  const cp = r.sections.checkpoints;
  if (cp && !cp.complete)
    out.push(
      `> **Partial run:** ${cp.cells.length} cells done; continue with \`clusterbench sweep --resume runs/${r.id}\`.`,
      '',
    );
  const storage = r.sections.storage;
  if (storage?.scales?.length) out.push(...storageLines(storage));
  const leak = r.sections.leakCheck;
  if (leak?.results) out.push(...leakLines(leak));
  const conc = r.sections.concurrentPipelines;
  if (conc?.points) out.push(...concurrentLines(conc));
  const ws = r.sections.workerScaling;
  if (ws?.stages) out.push(...workerScalingLines(ws));
  return out;
}
