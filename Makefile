# The README's two commands are `make demo` and `make test`; everything else is their plumbing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.PHONY: setup demo test lint contracts postgres notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first and pinned: 2.13.0 is the CPU build on local disk; unpinned, pip pulls a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

demo: setup
	$(BIN)/talentcluster demo

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start" >&2; exit 1

test: setup postgres
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

contracts: setup
	../shared/tools/check-contracts

# The backtest notebook: run the backtest on a simulated market, then execute the notebook over its files.
notebooks: setup
	$(BIN)/talentcluster data simulate --seed 11 --cutoff 2026-11 --no-load --out var/sim/fc-11 --profiles 100
	$(BIN)/talentcluster forecast backtest --input var/sim/fc-11/observations.parquet \
	  --truth var/sim/fc-11/truth/observations.parquet --programmes var/sim/fc-11/programmes.csv \
	  --horizon 12 --cutoffs 3 --ets-model ANA --report var/fc/report-h12.json --forecasts var/fc/forecasts-h12.parquet
	$(BIN)/python -m training.forecasting.notebook
