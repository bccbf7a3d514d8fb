// PCA's covariance kernel split across worker threads; the single-thread PCA tests are in test/unit/pca.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnMeans, covarianceMatrix, covarianceMatrixParallel } from '../pipeline/kernels/covariance-kernel.js';
import { correlated } from './matrix-fixtures.js';

test('covariance split across worker threads equals the one-thread result', async () => {
  const x = correlated(20_011, 201, 4);
  const mean = columnMeans(x);
  const one = covarianceMatrix(x, mean);
  const two = await covarianceMatrixParallel(x, mean, 2);
  const three = await covarianceMatrixParallel(x, mean, 3);
  for (let i = 0; i < one.length; i++) {
    assert.ok(Math.abs(one[i] - two[i]) < 1e-9 * Math.max(1, Math.abs(one[i])), `entry ${i}: ${one[i]} vs ${two[i]}`);
    assert.ok(
      Math.abs(one[i] - three[i]) < 1e-9 * Math.max(1, Math.abs(one[i])),
      `entry ${i}: ${one[i]} vs ${three[i]}`,
    );
  }
});
