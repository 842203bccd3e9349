# Two commands for users: `make build` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# System packages: CJK fonts, fast font subsetting for WeasyPrint, Pango, Chromium for the
# browser tests of the H5 pages, and libgs-common for the CMYK press profile print masters are
# converted to (/usr/share/color/icc/ghostscript/default_cmyk.icc, freely redistributable).
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fontconfig poppler-utils chromium libgs-common libreoffice-impress

.PHONY: build test test-slow test-all gates quick test-floors install system-deps bench clean goldens screenshots

build: $(STAMP)
	$(BIN)/outreach schema
	$(BIN)/outreach build

# Three tiers of tests (README, 测试); pyproject.toml registers the markers, tests/conftest.py marks
# starter and browser tests by their fixtures. `make test`: the gates and every test marked none of
# slow, browser, starter (about 2 minutes on 2 idle cores); `make test-slow`: exactly the others;
# `make test-all`: both. CI runs test, then test-slow: every test once.
FAST := not slow and not browser and not starter
SLOW := slow or browser or starter

gates: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

test: gates
	$(BIN)/python -m pytest -n 2 -q -m "$(FAST)"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "$(SLOW)"

test-all: gates
	$(BIN)/python -m pytest -n 2 -q

# The inner loop while editing (under half a minute): style, import contracts, and the test
# modules that need no layout engine run or browser. `make test` runs the whole fast tier.
QUICK_TESTS := tests/test_editor_forms.py tests/test_lint.py tests/test_sms.py tests/test_loader_errors.py \
	tests/test_yaml_slips.py tests/test_config_messages.py tests/test_readme.py tests/test_template_safety.py \
	tests/test_scripts_md.py tests/test_scripts_lint.py

quick: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 -q -p no:cacheprovider $(QUICK_TESTS)

install: $(STAMP)

# The lowest versions pyproject.toml allows, installed in their own venv: a part of the suite
# must pass there too, so a lower bound is one that really installs and works. The files are the
# ones that exercise a dependency's API (whatever their tier): WeasyPrint, pikepdf, Pillow and
# pypdfium2 (posters, quiz, the shared starter build), Jinja2 (templates), pydantic (loader, forms),
# typer (cli), entry points (plugins), openpyxl (quiz bank), python-pptx (decks).
FLOORS_VENV := .venv-floors
FLOOR_TESTS := tests/test_build_engine.py tests/test_posters.py tests/test_texts.py tests/test_quiz.py \
	tests/test_cli.py tests/test_template_contract.py tests/test_plugins.py tests/test_loader_errors.py tests/test_templates.py \
	tests/test_editor_forms.py tests/test_quiz_bank.py tests/test_decks.py

test-floors: system-deps
	@test -x $(FLOORS_VENV)/bin/python || $(PYTHON) -m venv $(FLOORS_VENV)
	$(PYTHON) .ci/floors.py > $(FLOORS_VENV)/floors.txt
	$(FLOORS_VENV)/bin/python -m pip install -q --disable-pip-version-check -c $(FLOORS_VENV)/floors.txt -e ".[test]"
	$(FLOORS_VENV)/bin/python -m pip list --disable-pip-version-check 2>/dev/null | grep -iE "^(weasyprint|pikepdf|pydantic|typer|jinja2|pillow) "
	$(FLOORS_VENV)/bin/python -m pytest -n 2 -q -p no:cacheprovider $(FLOOR_TESTS)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test,lint,dask]"
	@touch $(STAMP)

system-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包:$$missing"; \
	  if [ "$$(id -u)" != "0" ]; then echo "需要 root 权限安装系统软件包，请用 sudo make 运行，或手动安装:$$missing"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  fc-cache -f >/dev/null 2>&1 || true; \
	fi

# After an intended change to how pages look: regenerate tests/golden/*.png, look at them, commit.
goldens: $(STAMP)
	UPDATE_GOLDENS=1 $(BIN)/python -m pytest -q tests/test_golden.py

# README's editor pictures are taken by the editor's browser tests.
screenshots: $(STAMP)
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_editor.py

bench: $(STAMP)
	$(BIN)/python bench/build.py

clean:
	rm -rf build
