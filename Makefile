# Two commands: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: install install-dev run test worker beat demo bench messages clean

# Production set (requirements.lock) for `make run`, the worker and beat; the development set
# (requirements-dev.lock: the same pins plus test, load and browser tools) for `make test`.
$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(PY) -m pip install --quiet -r requirements-dev.lock
	@touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Both cores (pytest-xdist workers, each with its own test database; config/test_settings.py keeps
# their Redis cache and queue apart). PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

test: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The worker and the scheduler need a broker; without CELERY_BROKER_URL they use the
# local Redis. Set the same CELERY_BROKER_URL for `make run`, or the web process
# keeps delivering eagerly by itself. Beat stores its schedule in the database
# (django-celery-beat), hence the migrate.
BROKER ?= $(or $(CELERY_BROKER_URL),redis://127.0.0.1:6379/0)

worker: install
	CELERY_BROKER_URL=$(BROKER) $(VENV)/bin/celery -A config worker -l info

beat: install
	$(PY) manage.py migrate --noinput
	CELERY_BROKER_URL=$(BROKER) $(VENV)/bin/celery -A config beat -l info

bench: install-dev
	$(PY) manage.py bench --scale $${SCALE:-small}

messages: install
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l vi --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3
