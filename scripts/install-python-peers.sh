#!/usr/bin/env bash
# Installs the Python peers of `make bench-peers` from Debian (never needed by `make test`): scikit-learn and numpy for
# /usr/bin/python3, and the hdbscan library where apt has a package for it (Debian bookworm has none: the bench then
# skips that peer and says so). Idempotent; run as root (or with sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends python3 python3-numpy python3-sklearn
if apt-cache show python3-hdbscan >/dev/null 2>&1; then
  $SUDO apt-get install -y -q --no-install-recommends python3-hdbscan
else
  echo "python3-hdbscan: no Debian package here; bench-peers will skip the hdbscan peer"
fi
/usr/bin/python3 -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)'
