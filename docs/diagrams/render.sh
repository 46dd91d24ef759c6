#!/usr/bin/env bash
# Renders the diagrams of ARCHITECTURE.md (Graphviz: apt-get install graphviz).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for f in "$here"/*.dot; do
  dot -Tsvg "$f" -o "${f%.dot}.svg"
  dot -Tpng -Gdpi=110 "$f" -o "${f%.dot}.png"
done
