# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run   - create .venv if missing, install, start the app on localhost
#   make test  - the same venv plus dev requirements, then the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run serve test lint format bench clean-venv screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files re-run pip only when the requirements change. The Webcam's in-browser runtime
# (onnxruntime-web, pinned with its hash in dashboard/ort_web.py) is fetched once from the npm
# registry and served by the app itself; no Node toolchain is needed.
$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

ORT_WEB := dashboard/static/ort/VERSION
$(ORT_WEB): dashboard/ort_web.py | $(VENV)/.installed
	$(BIN)/python dashboard/ort_web.py

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt requirements-cluster.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed $(ORT_WEB)
	$(BIN)/streamlit run dashboard/Home.py

# A class server: https and sign-in (README, "FER Lab for a class"; fer class cert / config first).
serve: $(VENV)/.installed $(ORT_WEB)
	$(BIN)/fer class serve

test: $(VENV)/.installed-dev $(ORT_WEB)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The quick ones; bench/bench_train_fer2013.py takes ~10 minutes (see docs/history/BENCHMARKS.md).
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_train_pipeline.py

clean-venv:
	rm -rf $(VENV)

# README gallery: drives Chromium over the demo faces and the default model (a few minutes).
screenshots: $(VENV)/.installed-dev
	$(BIN)/python scripts/screenshots.py
