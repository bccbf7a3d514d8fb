import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { pca } from '../../pipeline/stages/reduce/pca.js';
import { covarianceMatrix } from '../../pipeline/kernels/covariance-kernel.js';
import { runMlPca } from '../../pipeline/stages/reduce/ml-pca.js';
import { correlated } from '../matrix-fixtures.js';

test('blocked covariance equals the textbook sum', () => {
  const x = correlated(301, 7, 1);
  const cov = covarianceMatrix(x);
  const { rows: n, cols: d, data } = x;
  const mean = new Array(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (data[i * d + a] - mean[a]) * (data[i * d + b] - mean[b]);
      assert.ok(Math.abs(cov[a * d + b] - s / (n - 1)) < 1e-9 * Math.max(1, Math.abs(s)), `cov[${a}][${b}]`);
    }
});

test('PCA explained variance matches a direct eigen decomposition', () => {
  const x = correlated(500, 13, 2);
  const { rows: n, cols: d, data } = x;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(data.subarray(i * d, (i + 1) * d)));
  const m = new MlMatrix(rows);
  const centred = m.clone().subRowVector(m.mean('column'));
  const cov = centred
    .transpose()
    .mmul(centred)
    .div(n - 1);
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const values = [...evd.realEigenvalues].sort((a, b) => b - a);
  const total = values.reduce((a, b) => a + b, 0);
  const res = pca(x, 4);
  for (let c = 0; c < 4; c++) {
    assert.ok(
      Math.abs(res.explainedVariance[c] - values[c]) < 1e-6 * values[0],
      `eigenvalue ${c}: ${res.explainedVariance[c]} vs ${values[c]}`,
    );
    assert.ok(Math.abs(res.explainedVarianceRatio[c] - values[c] / total) < 1e-9, `ratio ${c}`);
  }
  // The projection's variance along each axis is that axis' eigenvalue, and the axes are uncorrelated.
  for (let c = 0; c < 4; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += res.projected.data[i * 4 + c] ** 2;
    assert.ok(Math.abs(s / (n - 1) - values[c]) < 1e-3 * values[0], `projected variance ${c}`);
  }
  let cross = 0;
  for (let i = 0; i < n; i++) cross += res.projected.data[i * 4] * res.projected.data[i * 4 + 1];
  assert.ok(Math.abs(cross / (n - 1)) < 1e-3 * values[0]);
});

test('PCA projection agrees with ml-pca up to sign', () => {
  const x = correlated(200, 9, 3);
  const ours = pca(x, 3);
  const lib = runMlPca(x, 3);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(ours.explainedVarianceRatio[c] - lib.explainedVarianceRatio[c]) < 1e-6, `ratio ${c}`);
    const sign = Math.sign(ours.projected.data[c]) === Math.sign(lib.projected.data[c]) ? 1 : -1;
    for (let i = 0; i < x.rows; i++) {
      assert.ok(
        Math.abs(ours.projected.data[i * 3 + c] - sign * lib.projected.data[i * 3 + c]) < 1e-3,
        `row ${i} component ${c}`,
      );
    }
  }
});
