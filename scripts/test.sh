#!/usr/bin/env bash
# `make test`: every layer, in order, each one really run. A layer that cannot run
# (missing tool, build error) counts as failed, never as skipped. Full output of each
# layer goes to tests/.out/<layer>.log; a failing layer's tail is printed here.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false \
  CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/support/webdriver.json"

# The official HighLevel spec files are not in the repository (README: where they come from).
export GHL_SPEC_DIR="${GHL_SPEC_DIR:-$(cd .. && pwd)/shared/specs/ghl}"
if [ ! -f "$GHL_SPEC_DIR/apps/contacts.json" ]; then
  echo "test: no HighLevel spec files at $GHL_SPEC_DIR (set GHL_SPEC_DIR); the layers that read them will fail" >&2
fi

out=tests/.out
mkdir -p "$out"
total_passed=0
total_failed=0

# count KIND LOG STATUS -> "passed failed" for one layer's log.
count() {
  local kind=$1 log=$2 status=$3 passed=0 failed=0
  case $kind in
    cargo) # libtest and wasm-bindgen-test-runner: "test result: ok. 7 passed; 0 failed; ..."
      read -r passed failed < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) {
          if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
        END { print p + 0, f + 0 }' "$log") ;;
    node) # node --test: "# pass 9", "# fail 0", "# cancelled 0"
      read -r passed failed < <(awk '/^# pass / { p += $3 } /^# (fail|cancelled) / { f += $3 }
        END { print p + 0, f + 0 }' "$log") ;;
    check) # one check: the command's exit status
      if [ "$status" = 0 ]; then passed=1; else failed=1; fi ;;
  esac
  # A non-zero exit with no failure counted (a build error, a crash) is still a failure.
  if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
  # A runner that ran nothing has not tested anything.
  if [ "$kind" != check ] && [ "$passed" = 0 ] && [ "$failed" = 0 ]; then failed=1; fi
  echo "$passed $failed"
}

# layer NAME KIND COMMAND...
layer() {
  local name=$1 kind=$2 start=$SECONDS status passed failed
  shift 2
  local log="$out/${name// /-}.log"
  "$@" >"$log" 2>&1
  status=$?
  read -r passed failed < <(count "$kind" "$log" "$status")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  printf '%-28s %4d passed, %d failed  (%ds)\n' "$name" "$passed" "$failed" $((SECONDS - start))
  if [ "$failed" != 0 ]; then
    echo "---- last lines of $log ----"
    tail -n 40 "$log"
    echo "----"
  fi
}

# The wasm tests fetch tests/fixtures from a local server (tests/support/serve.mjs, CORS
# on: the test runner's page is another origin) on a free port.
server_url_file="$out/serve.url"
rm -f "$server_url_file"
node tests/support/serve.mjs 0 tests/fixtures --cors >"$server_url_file" 2>"$out/serve.log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$server_url_file" ] && break; sleep 0.1; done
export OGS_TEST_SERVER
OGS_TEST_SERVER=$(head -n1 "$server_url_file")
[ -n "$OGS_TEST_SERVER" ] || echo "test: the local test server did not start; see $out/serve.log" >&2

layer "cargo fmt" check cargo fmt --check
layer "clippy native" check cargo clippy --all-targets -- -D warnings
layer "clippy wasm32" check cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
layer "cargo test native" cargo cargo test
layer "wasm tests in Node" cargo cargo test --target wasm32-unknown-unknown --test wasm
layer "wasm tests in Chromium" cargo env WASM_BINDGEN_USE_BROWSER=1 \
  cargo test --target wasm32-unknown-unknown --test wasm
layer "build pkg" check make --no-print-directory build
layer "node pkg + cli" node node --test tests/js/node/
layer "ghl Prism + SDK" node node --test tests/js/ghl-independent/
layer "worker (wrangler dev)" node node --test tests/js/worker/
layer "www (Playwright)" node node --test tests/js/browser/
layer "tsc --noEmit" check tsc --noEmit -p .
# n8n 2.x needs Node 24 (installed by setup.sh); NODE_PATH lets the nodes require n8n-workflow, as n8n
# arranges. Node 24 prints its spec reporter even to a file, so TAP is asked for: count() reads "# pass".
n8n_harness=integrations/n8n/test-harness
layer "n8n node" node env NODE_PATH="$PWD/$n8n_harness/node_modules" \
  "$n8n_harness/node24/node_modules/node/bin/node" --test --test-reporter=tap tests/js/n8n/n8n-node.test.mjs
layer "n8n node types" check tsc --noEmit -p integrations/n8n

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
