# Zhengdun: `make demo` to try it, `make test` to check it. Both set up .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
export ZHENGDUN_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test ci lint test-sqlite test-postgres test-browser bench bench-campaigns bench-selfcheck bench-exams messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

## demo: install, set up SQLite under $(ZHENGDUN_DATA_DIR), load the demo, serve on 127.0.0.1:$(PORT)
demo: $(VENV)/.installed
	ZHENGDUN_DEMO=true $(BIN)/zhengdun migrate --noinput -v0
	ZHENGDUN_DEMO=true $(BIN)/zhengdun demo
	$(BIN)/zhengdun collectstatic --noinput -v0
	@echo "Zhengdun is serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	ZHENGDUN_DEMO=true $(BIN)/gunicorn zhengdun.wsgi --bind 127.0.0.1:$(PORT) \
		--workers $(WORKERS) --threads 4 --access-logfile - --error-logfile - \
		--logger-class zhengdun.integrity.portal.accesslog.PortalPrivacyLogger

## test: install the test extras and run every test (SQLite, including the browser tests)
test: $(VENV)/.installed-test
	$(BIN)/pytest

## ci: lint, the suite on SQLite and on a throwaway PostgreSQL, and the browser tests
ci: lint test-sqlite test-postgres test-browser

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test-sqlite: $(VENV)/.installed-test
	$(BIN)/pytest -m "not browser"

test-postgres: $(VENV)/.installed-test
	scripts/with-postgres.sh $(BIN)/pytest -m "not browser"

test-browser: $(VENV)/.installed-test
	$(BIN)/pytest -m browser

## bench: build 5,000 units and 100,000 people and time the hot queries, on SQLite and PostgreSQL
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/org_scale.py
	scripts/with-postgres.sh $(BIN)/python benchmarks/org_scale.py

## bench-campaigns / bench-selfcheck: 1,000,000 tasks / 100,000 reports (each about 25 minutes a database)
bench-campaigns: $(VENV)/.installed-test
	$(BIN)/python benchmarks/campaign_scale.py
	scripts/with-postgres.sh $(BIN)/python benchmarks/campaign_scale.py

bench-selfcheck: $(VENV)/.installed-test
	$(BIN)/python benchmarks/selfcheck_scale.py
	scripts/with-postgres.sh $(BIN)/python benchmarks/selfcheck_scale.py

## bench-exams: 2,000 officers sit one exam at once (start, autosave every answer, hand in)
bench-exams: $(VENV)/.installed-test
	$(BIN)/python benchmarks/exam_scale.py
	scripts/with-postgres.sh $(BIN)/python benchmarks/exam_scale.py

## messages: refresh the catalogues (translate new zh_Hans entries by hand), derive zh_Hant, compile
messages: $(VENV)/.installed-test
	cd src/zhengdun && ../../$(BIN)/zhengdun makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete
	$(BIN)/python scripts/hant_from_hans.py
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var
