# `make run` and `make test` work on a fresh machine: they create .venv and install first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install run build test test-fast lint bench bench-quick eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU torch wheel first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# Builds the index when missing or stale (serve checks the manifest), then serves the chat.
run: install
	$(BIN)/massage-assistant serve --host 127.0.0.1 --port 7860

build: install
	$(BIN)/massage-assistant build

test: install
	$(BIN)/python -m pytest -q --doctest-modules assistant tests

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow" --doctest-modules assistant tests

lint: install
	$(BIN)/ruff check assistant tests benchmarks
	$(BIN)/mypy assistant

eval: install
	$(BIN)/massage-assistant eval

# The full set takes about 90 minutes on 2 cores (the 10k-passage build encodes 82k texts
# three times, the 1M-vector HNSW build takes minutes, the Gradio path 4 servers x 4 loads
# of 20-30 s, the soak 20k sessions on two servers about 25); bench-quick about 10.
bench: install build
	cd benchmarks && ../$(BIN)/python bench_ask.py
	cd benchmarks && ../$(BIN)/python bench_answer_cost.py
	cd benchmarks && ../$(BIN)/python bench_triage.py
	cd benchmarks && ../$(BIN)/python bench_triage.py --eval
	cd benchmarks && ../$(BIN)/python bench_build.py
	cd benchmarks && ../$(BIN)/python bench_quant.py
	cd benchmarks && ../$(BIN)/python bench_startup.py
	cd benchmarks && ../$(BIN)/python bench_swap.py
	cd benchmarks && ../$(BIN)/python bench_http.py
	cd benchmarks && ../$(BIN)/python bench_scale.py
	cd benchmarks && ../$(BIN)/python bench_gradio.py
	cd benchmarks && ../$(BIN)/python bench_soak.py
	cd benchmarks && ../$(BIN)/python bench_memory.py

bench-quick: install build
	cd benchmarks && ../$(BIN)/python bench_ask.py
	cd benchmarks && ../$(BIN)/python bench_answer_cost.py
	cd benchmarks && ../$(BIN)/python bench_triage.py
	cd benchmarks && ../$(BIN)/python bench_build.py --chunks 0
	cd benchmarks && ../$(BIN)/python bench_startup.py
	cd benchmarks && ../$(BIN)/python bench_http.py --no-sweep --seconds 20
	cd benchmarks && ../$(BIN)/python bench_scale.py --sizes 10000,100000
	cd benchmarks && ../$(BIN)/python bench_gradio.py --levels 50,150 --seconds 10 --saturation-seconds 10
	cd benchmarks && ../$(BIN)/python bench_soak.py --sessions 2000

clean:
	rm -rf index/CURRENT index/builds .pytest_cache .mypy_cache .ruff_cache
