#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Render Documentation/ to HTML with Sphinx and the kernel's kerneldoc
# extension (from the linux-source tree scripts/setup.sh unpacks), which
# pulls the kernel-doc of include/ and of every exported function.
#
#   scripts/htmldocs.sh [OUTDIR]     (default $ZHEAP_CACHE/htmldocs)
#
# Any Sphinx or kernel-doc warning fails it (-W, after the whole build has
# run, so that all of them are printed).  Documentation/conf.py says
# which sources feed which page.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

out=${1:-$ZHEAP_CACHE/htmldocs}

command -v sphinx-build >/dev/null ||
	{ echo "htmldocs: no sphinx-build (scripts/setup.sh installs python3-sphinx)" >&2; exit 1; }
[ -f "$ZHEAP_SRC/Documentation/sphinx/kerneldoc.py" ] ||
	{ echo "htmldocs: no kernel source at $ZHEAP_SRC (run scripts/setup.sh)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
sphinx-build -q -W --keep-going -b html -d "$out/.doctrees" \
	"$here/Documentation" "$out" || exit 1
echo "htmldocs: $out/index.html"
