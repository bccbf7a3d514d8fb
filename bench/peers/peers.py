#!/usr/bin/python3
"""Python side of `make bench-peers` (bench/peers.bench.ts): runs one peer cell on the bench's .npy files and prints one
JSON line. Peers: scikit-learn (Debian python3-sklearn) and the hdbscan library (python3-hdbscan where apt has it).
Installed by scripts/install-python-peers.sh; run with Debian's /usr/bin/python3, not a pyenv python3.

usage: peers.py TASK X.npy OUT_LABELS.npy PARAMS_JSON
  TASK: kmeans | silhouette | pca-randomized | pca-full | hdbscan
A missing library prints {"status": "missing", "note": ...}; errors print {"status": "error", ...}.
"""
import json
import resource
import sys
import time


def main() -> None:
    task, x_path, out_path, params = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    try:
        import numpy as np
        if task == 'hdbscan':
            import hdbscan  # noqa: F401
        else:
            import sklearn  # noqa: F401
    except ImportError as e:
        print(json.dumps({'status': 'missing', 'note': f'{e.name or e} not installed (scripts/install-python-peers.sh)'}))
        return
    x = np.load(x_path)
    extra = {}
    t0, c0 = time.perf_counter(), time.process_time()
    if task == 'kmeans':
        from sklearn.cluster import KMeans
        m = KMeans(n_clusters=params['k'], n_init=params['nInit'], init='k-means++', max_iter=params['maxIterations'],
                   tol=params['tolerance'], random_state=params['seed'], algorithm='lloyd').fit(x)
        labels = m.labels_
        extra = {'inertia': float(m.inertia_), 'iterations': int(m.n_iter_)}
    elif task == 'silhouette':
        from sklearn.metrics import silhouette_score
        labels = np.load(params['labels'])
        extra = {'silhouette': float(silhouette_score(x, labels))}
    elif task.startswith('pca-'):
        from sklearn.decomposition import PCA
        p = PCA(n_components=params['components'], svd_solver=task[4:], random_state=params['seed'])
        p.fit_transform(x)
        labels = None
        extra = {'explained': float(p.explained_variance_ratio_.sum())}
    elif task == 'hdbscan':
        import hdbscan
        # The library's min_samples = m counts m neighbours besides the point; ours counts the point (k = m + 1).
        c = hdbscan.HDBSCAN(min_cluster_size=params['minClusterSize'], min_samples=params['minSamples'] - 1,
                            core_dist_n_jobs=params.get('threads', 1))
        labels = c.fit_predict(x)
        extra = {'clusters': int(labels.max() + 1), 'noise': int((labels < 0).sum()),
                 'mstWeight': float(c.minimum_spanning_tree_._mst[:, 2].sum()) if hasattr(c, '_min_spanning_tree') else None}
    else:
        raise SystemExit(f'unknown task {task}')
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    if labels is not None:
        np.save(out_path, np.asarray(labels, dtype=np.int32))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({'status': 'ok', 'cpuSec': cpu, 'wallSec': wall, 'maxRssBytes': rss, **extra}))


if __name__ == '__main__':
    try:
        main()
    except Exception as e:  # a failed peer is a result, not a crash of the bench
        print(json.dumps({'status': 'error', 'note': f'{type(e).__name__}: {e}'}))
