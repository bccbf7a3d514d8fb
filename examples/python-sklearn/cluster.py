#!/usr/bin/env python3
"""A clusterbench command stage: cluster the embeddings with scikit-learn.

clusterbench writes the stage's inputs and a manifest (its path is in $CLUSTERBENCH_MANIFEST), runs this script
once per cell, and reads labels.npy back. Needs numpy and scikit-learn only (Debian: python3-sklearn).

    cluster.py --algorithm kmeans --k 12
    cluster.py --algorithm agglomerative --k 12 --linkage ward
"""
import argparse
import json
import os
import sys

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithm", choices=["kmeans", "agglomerative"], default="kmeans")
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--n-init", type=int, default=3)
    parser.add_argument("--linkage", choices=["ward", "average", "complete", "single"], default="ward")
    args = parser.parse_args()

    with open(os.environ["CLUSTERBENCH_MANIFEST"], encoding="utf-8") as f:
        manifest = json.load(f)
    # Reduced vectors when a reduce stage ran, else the embeddings (both float32, n x d, C order).
    source = manifest["inputs"].get("reduced") or manifest["inputs"]["embeddings"]
    x = np.load(source["path"])
    if x.shape[0] != manifest["n"]:
        print(f"expected {manifest['n']} rows, got {x.shape}", file=sys.stderr)
        return 2

    if args.algorithm == "kmeans":
        model = KMeans(n_clusters=args.k, n_init=args.n_init, random_state=manifest["seed"] % 2**32)
    else:
        model = AgglomerativeClustering(n_clusters=args.k, linkage=args.linkage)
    labels = model.fit_predict(x).astype(np.int32)

    # np.save appends .npy to a path without it; the manifest's path already ends in .npy.
    np.save(manifest["outputs"]["labels"]["path"], labels)
    print(f"{args.algorithm}: {x.shape[0]} x {x.shape[1]} -> {len(set(labels.tolist()))} clusters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
