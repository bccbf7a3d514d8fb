#!/usr/bin/env bash
# The nightly loop, for cron or CI: sweep profiles/nightly.yaml, append the run to the history database, rebuild
# history.html, compare with the baseline (the last run that passed), and make this run the baseline if it passes.
# Exit code: 0 pass, 1 significant regression beyond a threshold (from `clusterbench compare`), 2 error,
# 3 void (the sweep measured nothing, or compare found no comparable cells; README, "Exit codes").
# Environment: NIGHTLY_PROFILE (nightly), NIGHTLY_OUT (runs/nightly), NIGHTLY_BASELINE (NIGHTLY_OUT/baseline),
#              NIGHTLY_SCALES (override the profile's scales, e.g. 1k,5k for a smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${NIGHTLY_PROFILE:-nightly}
OUT=${NIGHTLY_OUT:-runs/nightly}
BASELINE=${NIGHTLY_BASELINE:-$OUT/baseline}
CLI="node dist/harness/cli.js"
mkdir -p "$OUT"

before=$(ls -d "$OUT"/2*/ 2>/dev/null | sort | tail -1 || true)
$CLI sweep --profile "$PROFILE" --out "$OUT" --quiet ${NIGHTLY_SCALES:+--scales "$NIGHTLY_SCALES"}
RUN=$(ls -d "$OUT"/2*/ | sort | tail -1)
RUN=${RUN%/}
if [ -z "$RUN" ] || [ "$RUN/" = "$before" ]; then echo "nightly: the sweep wrote no new run under $OUT" >&2; exit 2; fi
echo "nightly: run $RUN"

$CLI history "$RUN" --db "$OUT/history/history.duckdb" --profile "$PROFILE" > "$RUN/history.md"

status=0
if [ -f "$BASELINE/results.json" ]; then
  $CLI compare "$BASELINE" "$RUN" --out "$RUN/compare.md" --json "$RUN/compare.json" || status=$?
  cat "$RUN/compare.md"
else
  echo "nightly: no baseline at $BASELINE/results.json yet; this run becomes the first baseline"
fi

if [ "$status" -eq 0 ]; then
  mkdir -p "$BASELINE"
  cp "$RUN/results.json" "$BASELINE/results.json"   # compare needs results.json only
  echo "nightly: $RUN is the new baseline"
fi
exit "$status"
