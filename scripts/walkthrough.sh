#!/usr/bin/env bash
# walkthrough.sh runs the ecosystem walkthrough (examples/demo/walkthrough)
# in headless Chromium and assembles its screencast frames into a video:
#
#   artifacts/browser/walkthrough/NN-step.png      a screenshot per step
#   artifacts/browser/walkthrough/frames/          the screencast frames and frames.ffconcat
#   artifacts/browser/walkthrough/walkthrough.mp4  the whole session (H.264, 25 fps)
#
# It needs Debian's ffmpeg (apt-get install -y ffmpeg) and chromium; the test
# alone, as `make test` runs it, needs only chromium. With WEBOS_TEST_CHROMIUM
# set the test runs as it is; otherwise through scripts/with-services.sh,
# which only checks for the browser (it has no server to start).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=artifacts/browser/walkthrough
GO=${GO:-go}

command -v ffmpeg >/dev/null || {
	echo "walkthrough: ffmpeg is missing: apt-get update && apt-get install -y ffmpeg" >&2
	exit 1
}
export GOTOOLCHAIN=${GOTOOLCHAIN:-$(awk '/^toolchain/{print $2}' go.mod)}
run=("$GO" test -count=1 -run '^TestWalkthrough$' -v ./examples/demo/walkthrough/)
if [[ -n ${WEBOS_TEST_CHROMIUM:-} ]]; then
	"${run[@]}"
else
	WEBOS_SERVICES=chromium bash scripts/with-services.sh "${run[@]}"
fi
[[ -s $OUT/frames/frames.ffconcat ]] || {
	echo "walkthrough: no frames in $OUT/frames" >&2
	exit 1
}
# Frames come when the page changes; the concat list holds each one until
# the next. Sizes are made even for H.264's 4:2:0.
ffmpeg -hide_banner -loglevel error -y -f concat -safe 0 -i "$OUT/frames/frames.ffconcat" \
	-vf "scale=trunc(iw/2)*2:trunc(ih/2)*2,fps=25,format=yuv420p" \
	-c:v libx264 -preset veryfast -crf 26 -movflags +faststart "$OUT/walkthrough.mp4"
echo "walkthrough: $OUT/walkthrough.mp4 ($(du -h "$OUT/walkthrough.mp4" | cut -f1), $(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$OUT/walkthrough.mp4") s)"
