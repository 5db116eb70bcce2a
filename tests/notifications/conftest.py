"""Broker switching, a recording SMS backend and a dossier at each step."""

from contextlib import contextmanager

import kombu.pools
import pytest

from config.celery import app as celery_app

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def _drop_connections():
    # Celery caches its connection and producer pools (kombu keeps a global
    # registry too); all must go so the next publish dials the new URL.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()


@contextmanager
def broker(url, *, eager=False):
    """Point the Celery app at `url` (not eager) for the duration of the block."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    _drop_connections()
    conf.broker_url, conf.task_always_eager = url, eager
    try:
        yield
    finally:
        _drop_connections()
        conf.broker_url, conf.task_always_eager = saved


@pytest.fixture
def eager():
    """Run tasks in-process, whatever CELERY_BROKER_URL says (CI sets a real broker)."""
    with broker(celery_app.conf.broker_url or "memory://", eager=True):
        yield


class RecordingSmsBackend:
    sent = []

    def send(self, *, phone, text):
        RecordingSmsBackend.sent.append((phone, text))


class BrokenSmsBackend:
    def send(self, *, phone, text):
        raise OSError("gateway down")


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "tests.notifications.conftest.RecordingSmsBackend"
    RecordingSmsBackend.sent = []
    return RecordingSmsBackend.sent


@pytest.fixture
def mail_users(hamlet_head, commune_officer, commune_chair, supervisor):
    for user in (hamlet_head, commune_officer, commune_chair, supervisor):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])


@pytest.fixture(autouse=True)
def english_messages(settings):
    # Messages are rendered in the site language; the tests read English msgids so
    # that they keep passing once the Vietnamese catalogue is filled in.
    settings.LANGUAGE_CODE = "en"
