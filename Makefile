# Duty Desk: `make run` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT   ?= 8501
SCALE  ?= 1

.PHONY: run test migrate demo bench venv clean backup restore serve loadtest races

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

migrate: venv
	$(BIN)/python -m db.migrate

run: migrate
	$(BIN)/python -m lib.launch run Home.py --server.port $(PORT) --server.address 127.0.0.1  # lib/launch.py: the router from the first request

# several Streamlit processes behind nginx on one port (docs/operator.md); PostgreSQL when WORKERS > 1
WORKERS ?= 2
serve: venv
	$(BIN)/python -m deploy.serve --workers $(WORKERS) --port $(if $(filter command line environment,$(origin PORT)),$(PORT),8080) $(if $(HOST),--host $(HOST))

demo: migrate
	$(BIN)/python -m lib.demo

# three pytest-xdist workers, a whole file at a time (tests/conftest.py keeps the browser tests on one; the other two share
# the rest, much of it waiting on PostgreSQL): 967 s for CI against 1,158 s with two on a 2-core machine. TEST_WORKERS=0: one process
TEST_WORKERS ?= 3
# pytest-xdist workers for the suite; the race layer spawns its own worker processes, so it runs after,
# outside xdist (under an xdist worker its spawned processes lost their connection at start-up)
test: venv
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not races"
	$(BIN)/python -m pytest -p no:xdist -m races tests/races

# issue 12's race figures: every contended action, 2 processes x 8 threads, RACE_SECONDS each on both backends
RACE_SECONDS ?= 60
races: venv
	RACE_SECONDS=$(RACE_SECONDS) $(BIN)/python -m pytest -m races tests/races

# backups/dutydesk-<timestamp>.db (SQLite, backup API) or .dump (PostgreSQL, pg_dump -Fc); safe while the app runs
backup: venv
	$(BIN)/python -m db.backup backup

# stop the app first: the restore refuses while it runs; asks for yes unless YES=1
restore: venv
	@test -n "$(FILE)" || { echo "用法 usage: make restore FILE=backups/dutydesk-<timestamp>.db"; exit 2; }
	$(BIN)/python -m db.backup restore "$(FILE)" $(if $(YES),--yes)

bench: venv
	$(BIN)/python -m bench.run --scale $(SCALE)

# N sessions over Streamlit's WebSocket protocol, the one-button floor page beside (bench/README.md)
N       ?= 40
SECONDS ?= 90
DB      ?= sqlite
loadtest: venv  # one app process unless WORKERS is given (serve's default of 2 is not ours)
	$(BIN)/python -m bench.loadtest --n $(N) --seconds $(SECONDS) --db $(DB) \
		--workers $(if $(filter command line environment,$(origin WORKERS)),$(WORKERS),1)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
