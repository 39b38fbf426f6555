# Symbiosis Registry. `make run` to try it, `make test` to check it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests run with debug off, as in production; this key is for the test run only.
TEST_ENV := DJANGO_SECRET_KEY=insecure-test-only-key DJANGO_DEBUG=false

.PHONY: run test lint format migrations-check demo messages bench backup restore e2e-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py load_demo --with-users
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

demo: $(STAMP)
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py load_demo --with-users

test: $(STAMP)
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Extract every translatable string into locale/vi/LC_MESSAGES/django.po (needs gettext),
# then compile the committed .mo in Python (no gettext needed for that step).
messages: $(STAMP)
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages --locale vi --no-obsolete --add-location file --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'bench/*'
	DJANGO_DEBUG=true $(BIN)/python manage.py compile_catalogues

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# One archive of the database and the documents into DJANGO_BACKUP_DIR (backups/ by default);
# BACKUP_ARGS="--keep 14" then deletes all but the 14 newest. README, "Backups".
backup: $(STAMP)
	$(BIN)/python manage.py backup $(BACKUP_ARGS)

# make restore BACKUP=backups/symbiosis-YYYYmmdd-HHMMSS.tar.gz, into an empty database and
# documents' storage: it refuses anything else.
restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "Say which archive: make restore BACKUP=backups/symbiosis-….tar.gz" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
