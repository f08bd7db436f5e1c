# The README's commands. Each one installs what it needs first (scripts/setup.sh,
# idempotent), so a fresh Debian machine needs nothing but this checkout.
#   make demo   run the slice in Node, headless Chromium and the local Worker
#   make test   every test layer, ending in one "N passed, N failed" line
#   make size   raw and gzipped sizes of what the package ships
#   make bench  benchmarks, as ratios measured in one run
#   make fuzz   the webhook, mapping spec and API response parsers under cargo-fuzz
#               (nightly), each for FUZZ_SECONDS (default 60)
#   make reliability  issue 10 in full: the fault matrix and the two-way storm
#               (tests/.out/reliability.md), the security, secrets and bad-input tests,
#               and every fuzz target for RELIABILITY_FUZZ_SECONDS each (default 30)

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Nothing calls out to the internet.
export WRANGLER_SEND_METRICS := false
export WRANGLER_SEND_ERROR_REPORTS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
export WRANGLER_HIDE_BANNER := true

CRATE_WASM := target/wasm32-unknown-unknown/release/outseta_ghl_sync.wasm
PKG_WASM := pkg/wasm/outseta_ghl_sync_bg.wasm
# The build Node loads, next to the size build that browsers and Workers load: this crate
# and serde_json at opt-level 3 instead of "s", and wasm-opt -O3 instead of -Oz. The CLI,
# bulk imports, reconcile, dedup and the Plan run large batches in Node, where nothing is
# uploaded or downloaded per request. Measured in one process (a 5,000-pair Plan batch
# through planSyncJson, after wasm-opt -Oz): "s" 207 ms, 2 164 ms; gzipped 791 KB,
# 888 KB. Then, in instructions per 5,000-pair call (callgrind, V8's tiers fixed): 2 and
# -Oz 1,016M; 2 and -O3 990M; 3 and -O3 980M; with serde_json at 3 too, 975M (-4.0%;
# 0.980 and 0.992 of the time in plan-ab.mjs both ways); every dependency at 3, 972M,
# but then the glue differs. Other dependencies stay at "s": their settings go into
# their symbol names, which the glue calls (closure shims named after wasm-bindgen and
# js-sys). With the same names and v0 mangling (.cargo/config.toml) both builds take the
# one glue, pkg/wasm/outseta_ghl_sync.js.
NODE_CARGO := --config 'profile.release.package."outseta-ghl-sync".opt-level=3' \
  --config 'profile.release.package.serde_json.opt-level=3'
NODE_WASM_OPT := -O3 --strip-debug --strip-producers --strip-target-features
NODE_CRATE_WASM := target/node/wasm32-unknown-unknown/release/outseta_ghl_sync.wasm
NODE_WASM := pkg/wasm/outseta_ghl_sync_node_bg.wasm
# The benchmark-only build (feature bench-serde-wasm-bindgen, with the Node build's
# settings), in its own target dir so it never invalidates the shipped builds.
BENCH_WASM := pkg/wasm-bench/outseta_ghl_sync_bg.wasm
RUST_SOURCES := Cargo.toml Cargo.lock $(shell find src -name '*.rs')

.PHONY: demo test bench size setup build clean fuzz reliability
# A half-built wasm (wasm-opt failed) must not count as up to date.
.DELETE_ON_ERROR:

demo: setup build
	node scripts/demo.mjs

test: setup
	bash scripts/test.sh

bench: setup build $(BENCH_WASM)
	node benches/run.mjs

size: setup build
	node scripts/size.mjs

RELIABILITY_FUZZ_SECONDS ?= 30
reliability: setup build
	node scripts/reliability.mjs
	node --test tests/js/node/bad-input.test.mjs tests/js/node/secrets.test.mjs \
	  tests/js/node/serve-security.test.mjs tests/js/node/preview-server.test.mjs \
	  tests/js/worker/security.test.mjs
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(RELIABILITY_FUZZ_SECONDS)

setup:
	bash scripts/setup.sh

# The seed corpus is HighLevel's documented webhook examples, read from GHL_SPEC_DIR
# (not copied into the repository).
FUZZ_SECONDS ?= 60
GHL_SPEC_DIR ?= $(if $(wildcard ../shared/specs/ghl),../shared/specs/ghl,../../shared/specs/ghl)
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	mkdir -p fuzz/corpus/ghl_webhook
	cp $(GHL_SPEC_DIR)/webhook-events/*.example.json fuzz/corpus/ghl_webhook/
	cd fuzz && cargo +nightly fuzz run ghl_webhook corpus/ghl_webhook -- -max_total_time=$(FUZZ_SECONDS)
	cd fuzz && cargo +nightly fuzz run outseta_webhook -- -max_total_time=$(FUZZ_SECONDS)
	mkdir -p fuzz/corpus/mapping_spec fuzz/corpus/api_response
	cp src/mapping/default.json tests/corpus/mappings/*.json fuzz/corpus/mapping_spec/
	cp tests/corpus/responses/* fuzz/corpus/api_response/
	cd fuzz && cargo +nightly fuzz run mapping_spec corpus/mapping_spec -- -max_total_time=$(FUZZ_SECONDS)
	cd fuzz && cargo +nightly fuzz run api_response corpus/api_response -- -max_total_time=$(FUZZ_SECONDS)

build: $(PKG_WASM) $(NODE_WASM)

$(PKG_WASM): $(RUST_SOURCES) Makefile
	cargo build --target wasm32-unknown-unknown --release
	# --experimental-reset-state-function: __wbg_reset_state() re-instantiates the module
	# after a trap (pkg/worker-app.js), and the glue refuses objects from the dead instance.
	wasm-bindgen --target web --experimental-reset-state-function --out-dir pkg/wasm --out-name outseta_ghl_sync $(CRATE_WASM)
	wasm-opt -Oz --strip-debug --strip-producers --strip-target-features $(PKG_WASM) -o $(PKG_WASM)

# wasm-bindgen writes the Node build's glue to target/ only to check it is the shipped
# one (comments aside: they name shim indices); a different glue would call exports
# the binary does not have.
$(NODE_WASM): $(RUST_SOURCES) Makefile $(PKG_WASM)
	cargo build --target wasm32-unknown-unknown --release $(NODE_CARGO) --target-dir target/node
	wasm-bindgen --target web --experimental-reset-state-function --out-dir target/node/bindgen --out-name outseta_ghl_sync $(NODE_CRATE_WASM)
	diff <(grep -v '^ *//' target/node/bindgen/outseta_ghl_sync.js) <(grep -v '^ *//' pkg/wasm/outseta_ghl_sync.js) >/dev/null \
	  || { echo "the Node build's glue differs from pkg/wasm/outseta_ghl_sync.js" >&2; exit 1; }
	wasm-opt $(NODE_WASM_OPT) target/node/bindgen/outseta_ghl_sync_bg.wasm -o $(NODE_WASM)

$(BENCH_WASM): $(RUST_SOURCES) Makefile
	cargo build --target wasm32-unknown-unknown --release $(NODE_CARGO) --features bench-serde-wasm-bindgen --target-dir target/bench
	wasm-bindgen --target web --out-dir pkg/wasm-bench --out-name outseta_ghl_sync target/bench/wasm32-unknown-unknown/release/outseta_ghl_sync.wasm
	wasm-opt $(NODE_WASM_OPT) $(BENCH_WASM) -o $(BENCH_WASM)

clean:
	cargo clean
	rm -rf pkg/wasm pkg/wasm-bench .wrangler tests/.out
