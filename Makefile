# The project's vocabulary. Every target sets up what it needs on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test generate check build serve zensical test test-browser lint fmt bench golden realworld chromium node screenshots clean

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The citation clients the export tests run (citeproc-js, citation-js), at the versions
# in package-lock.json; again only when the lock file changed or they are missing.
JS := tests/js
$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json | node
	npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error
	@touch $@

install: $(BIN)/.installed
install-test: $(BIN)/.installed-test $(JS)/node_modules/.installed

## generate: validate bib/ and write the generated pages into docs/atlas/
generate: install
	$(BIN)/toi-atlas build

## check: only validate bib/ (every defect, file:line CODE message)
check: install
	$(BIN)/toi-atlas check

## fmt: rewrite bib/*.bib in canonical form (clean diffs); `toi-atlas fmt --check` only reports
fmt: install
	$(BIN)/toi-atlas fmt

## bench: synthetic corpora of 100, 1,000 and 10,000 works, beside Hugo Blox (`academic
## import` + `hugo`); writes docs/performance.md. BENCH_ARGS adds options, e.g. --runs 1
# Tools (tools/) run from the checkout, never from the installed package. Hugo is
# Debian's, installed only when missing; without it the comparison is reported missing.
bench: install-test chromium
	@command -v hugo >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq hugo >/dev/null; } || \
	  echo "bench: could not install hugo; the Hugo Blox comparison will say so"
	$(BIN)/python -m tools.bench --write-docs --hugo $(BENCH_ARGS)

## golden: rewrite tests/golden/ from the fixture corpus after an intended output change
## (then review `git diff tests/golden`; the suite compares them byte for byte)
golden: install-test
	$(BIN)/python -m pytest -q tests/test_golden.py --update-golden

## realworld: check and import large public bibliographies (Beebe's, from Debian's TeX Live)
REALWORLD := .cache/realworld/usr/share/texlive/texmf-dist/bibtex/bib/beebe
realworld: install
	@test -d $(REALWORLD) || { mkdir -p .cache/realworld && cd .cache/realworld && \
	  apt-get download texlive-bibtex-extra >/dev/null && dpkg -x texlive-bibtex-extra_*.deb .; }
	$(BIN)/python -m tools.realworld $(addprefix $(REALWORLD)/,tugboat.bib typeset.bib font.bib texbook3.bib)

## build: generate, build the static site into site/ (strict: broken links fail), then
## put the work pages (made by the generator, not by MkDocs) into it
build: generate
	$(BIN)/mkdocs build --strict
	$(BIN)/toi-atlas site

## serve: generate, serve the site on http://127.0.0.1:8000 and rebuild on every edit in bib/
serve: install
	$(BIN)/toi-atlas serve --dev-addr 127.0.0.1:8000

## zensical: build the same site with Zensical, MkDocs' successor
## (--clean empties .cache/; our own state is in .toi-atlas/, which it leaves alone)
zensical: generate install-test
	$(BIN)/zensical build --clean
	$(BIN)/toi-atlas site

## chromium: Debian's Chromium for the browser tests (apt, only when missing)
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## node: Node.js and npm for the citation-client tests (Debian's, only when missing)
node:
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }

## test: the whole suite: lint, types, unit tests, site builds, browser tests
test: install-test chromium
	$(BIN)/ruff check scripts tests tools
	$(BIN)/ruff format --check scripts tests tools
	$(BIN)/mypy
	$(BIN)/python -m pytest

## test-browser: only the Playwright + Chromium tests
test-browser: install-test chromium
	$(BIN)/python -m pytest -m browser

## lint: ruff and mypy
lint: install-test
	$(BIN)/ruff check scripts tests tools
	$(BIN)/ruff format --check scripts tests tools
	$(BIN)/mypy

## screenshots: refresh the README's pictures of the real site (docs/img/)
screenshots: build install-test chromium
	$(BIN)/python -m tools.screenshots site docs/img

clean:
	rm -rf site docs/atlas .pytest_cache
