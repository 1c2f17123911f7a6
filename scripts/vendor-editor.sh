#!/usr/bin/env bash
# Build the query page's editor (CodeMirror 6 + SPARQL mode, editor/src/editor.js) into
# publisher/static/vendor/codemirror/, with the licences of everything bundled next to it.
# Versions are pinned exactly in editor/package.json and editor/package-lock.json; the output
# is committed, so serving (and CI) needs no npm. Run after changing editor/ and commit the
# result: scripts/vendor-editor.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/publisher/static/vendor/codemirror"
cd "$root/editor"
npm ci --no-audit --no-fund
mkdir -p "$out"
npx --no-install esbuild src/editor.js --bundle --minify --format=iife --global-name=SparqlEditor \
  --target=es2019 --legal-comments=none --outfile="$out/editor.js"
# One LICENSES file: every production package the bundle draws from, name@version and its text.
{
  echo "publisher/static/vendor/codemirror/editor.js bundles these npm packages (built by"
  echo "scripts/vendor-editor.sh from editor/package-lock.json). Their licences follow."
  npm ls --omit=dev --all --parseable | tail -n +2 | sort -u | while read -r dir; do
    name_version="$(node -p "const p=require('$dir/package.json'); p.name+'@'+p.version+' ('+p.license+')'")"
    printf '\n==== %s ====\n\n' "$name_version"
    licence="$(ls "$dir" | grep -iE '^(licen[cs]e|copying)' | head -n 1 || true)"
    if [ -n "$licence" ]; then cat "$dir/$licence"; else echo "(no licence file in the package)"; fi
  done
} > "$out/LICENSES.txt"
echo "wrote $out/editor.js ($(wc -c < "$out/editor.js") bytes) and LICENSES.txt"
