# Two commands do everything: `make book` and `make test`.
# Both create .venv when missing and install requirements.txt (one pip command).

VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  ?= python3
STAMP   := $(VENV)/.installed
JOBS    ?= 2

.PHONY: all venv system book test lint test-lib test-solutions bench clean

all: book

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

# Chromium (browser tests) and bubblewrap (the grading sandbox): installed when root with
# apt-get, otherwise `make test` stops here and says what to install.
system:
	tools/system-packages

book: venv
	$(BIN)/jupyter-book build . -W -n --keep-going

lint: venv
	$(BIN)/ruff check .

test-lib: venv
	$(BIN)/pytest -n $(JOBS) tests

# Strict nbval: every stored output of every solution must reproduce. --dist loadfile keeps
# each notebook on one worker (one kernel), as its cells depend on each other.
test-solutions: venv
	$(BIN)/pytest -n $(JOBS) --dist loadfile --nbval --nbval-current-env solutions/

# The book is built first: tests/test_book.py and tests/test_browser.py read _build/html.
test: system lint book test-lib test-solutions

bench: venv
	$(BIN)/python bench/train_step.py
	$(BIN)/python bench/digits.py
	$(BIN)/python bench/grading.py
	$(BIN)/python bench/semester.py

clean:
	rm -rf _build
