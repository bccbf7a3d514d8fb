/**
 * Cells measured on different machine kinds (issue 16): the hardware table gains a RAM and time group per worker
 * label, and compare warns when a compared cell was measured by a different kind or label. The records come from a
 * real sweep; only their `worker` fields and `sections.workers` are set as a distributed sweep's merge sets them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProfileYaml } from './run-results-fixture.js';
import { measurementSections } from '../harness/analysis/derived-sections.js';
import { renderHardwareCsv, renderHardwareMarkdown } from '../reports/hardware-table.js';
import { compareRuns } from '../harness/compare/run-comparison.js';
import type { MachineInfo, RunResults, StageRecord } from '../harness/types.js';

let swept: Promise<RunResults> | undefined;
const sweep = (): Promise<RunResults> =>
  (swept ??= runProfileYaml(`
name: kinds
isolation: thread
scales: [100, 200, 500, 1000]
repeats: 2
stages:
  - { stage: probe, method: linear, options: { workPerItem: 200 } }
`));

/** The run as if `labelOf` had picked the worker of each record, with `machines` per label. */
function onWorkers(
  r: RunResults,
  labelOf: (x: StageRecord) => string,
  machines: Record<string, Partial<MachineInfo>>,
): RunResults {
  const records = r.records.map((x) => ({
    ...x,
    worker: { label: labelOf(x), host: `${labelOf(x)}-1`, jobId: `j${x.scale}.${x.repeat}`, attempts: 1 },
  }));
  const kinds = Object.fromEntries(
    Object.entries(machines).map(([label, m]) => [label, { ...r.machine, ...m, hosts: [`${label}-1`] }]),
  );
  const cells = Object.fromEntries(
    Object.keys(machines).map((l) => [l, records.filter((x) => x.worker.label === l).length]),
  );
  return {
    ...r,
    records,
    sections: {
      ...r.sections,
      workers: { queue: 'redis://127.0.0.1:1', store: '/tmp/s', sweepId: 's', machines: kinds, cells },
    },
  };
}

const small = { cpuModel: 'Small CPU', cores: 2, totalMemBytes: 4 * 2 ** 30 };
const big = { cpuModel: 'Big CPU', cores: 64, totalMemBytes: 256 * 2 ** 30 };

test('the hardware table gets a RAM and time group per machine label when cells ran on two kinds', async () => {
  const r = onWorkers(await sweep(), (x) => (x.repeat === 0 ? 'small' : 'big'), { small, big });
  const h = measurementSections(r).hardware;
  assert.deepEqual(
    h.byMachine?.map((g) => [g.label, g.cells]),
    [
      ['big', 4],
      ['small', 4],
    ],
  );
  assert.match(h.byMachine[0].machine, /^Big CPU, 64 cores/);
  const at1k = (label: string) => h.byMachine!.find((g) => g.label === label)!.rows.find((x) => x.scale === 1000)!;
  // Each group's measured time is that label's own repeat, not the median of both.
  const own = (repeat: number) => r.records.find((x) => x.scale === 1000 && x.repeat === repeat)!.wallMs;
  assert.deepEqual([at1k('small').timeMs.basis, at1k('small').timeMs.value], ['measured', own(0)]);
  assert.deepEqual([at1k('big').timeMs.basis, at1k('big').timeMs.value], ['measured', own(1)]);
  const md = renderHardwareMarkdown(h).join('\n');
  assert.match(
    md,
    /\| conversations \| RAM \| disk \| time \| API cost \| RAM \(big\) \| time \(big\) \| RAM \(small\) \| time \(small\) \| notes \|/,
  );
  assert.match(md, /\*\*small\*\* = Small CPU, 2 cores/);
  assert.match(
    renderHardwareCsv(h).split('\n')[0],
    /ram_bytes@big,ram_basis@big,time_ms@big,time_basis@big,ram_bytes@small/,
  );
  // One kind under two labels: no groups (the main columns are that machine's).
  assert.equal(
    measurementSections(onWorkers(await sweep(), (x) => (x.repeat === 0 ? 'a' : 'b'), { a: small, b: small })).hardware
      .byMachine,
    undefined,
  );
});

test('compare warns when compared cells came from different machine kinds or worker labels', async () => {
  const r = await sweep();
  const onSmall = onWorkers(r, () => 'small', { small });
  const warnings = (a: RunResults, b: RunResults) => compareRuns(a, b).warnings;
  assert.deepEqual(
    warnings(onSmall, onSmall).filter((w) => /machine kind|worker label/.test(w)),
    [],
  );
  const kinds = warnings(
    onSmall,
    onWorkers(r, () => 'big', { big }),
  );
  assert.ok(
    kinds.some((w) =>
      /^cells measured on different machine kinds: probe\/linear@100, probe\/linear@200, probe\/linear@500 and 1 more \(probe\/linear@100: BASE on small \(Small CPU, 2 cores.*NEW on big \(Big CPU, 64 cores/.test(
        w,
      ),
    ),
    kinds.join('\n'),
  );
  const labels = warnings(
    onSmall,
    onWorkers(r, () => 'small-2', { 'small-2': small }),
  );
  assert.ok(
    labels.some((w) =>
      w.startsWith('cells measured by different worker labels of the same machine kind: probe/linear@100'),
    ),
    labels.join('\n'),
  );
  const mixed = warnings(
    onSmall,
    onWorkers(r, (x) => (x.repeat === 0 ? 'small' : 'big'), { small, big }),
  );
  assert.ok(
    mixed.some((w) => /^repeats of probe\/linear@100.* in NEW ran on more than one machine kind/.test(w)),
    mixed.join('\n'),
  );
  // A local run against a distributed one on another kind: the local side is the run's own machine.
  assert.ok(
    warnings(
      r,
      onWorkers(r, () => 'big', { big }),
    ).some((w) => /BASE on local \(/.test(w)),
  );
});
