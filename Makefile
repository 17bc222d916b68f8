# Hotline: `make run` starts the product with demo data; `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
HOTLINE := $(VENV)/bin/hotline
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
export HOTLINE_PUBLIC_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install browser i18n bench clean

$(STAMP):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests (Playwright drives it; it never downloads one),
# and a CJK font so that screenshots of the Chinese console show characters, not boxes.
BROWSER_PACKAGES := chromium fonts-wqy-zenhei
browser:
	@{ test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi wqy; } || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null)); \
	  else echo "browser tests need: sudo apt-get install $(BROWSER_PACKAGES)"; fi; }

run: install
	$(HOTLINE) db upgrade
	$(HOTLINE) demo load
	@echo "Console: http://$(HOST):$(PORT)  (Ctrl-C stops web, clock and worker)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(HOTLINE) clock & \
	  $(HOTLINE) telephony worker & \
	  $(HOTLINE) run --host $(HOST) --port $(PORT) --no-reload & \
	  wait

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

i18n: install
	$(HOTLINE) i18n update

bench: install
	$(PY) benchmarks/call_storm.py
	$(PY) benchmarks/pages.py
	$(PY) benchmarks/sla_sweep.py
	$(PY) benchmarks/rollup.py
	$(PY) benchmarks/clock_memory.py
	$(PY) benchmarks/workorders_search.py
	$(PY) benchmarks/service_level_report.py

clean:
	rm -rf $(VENV) instance .pytest_cache
