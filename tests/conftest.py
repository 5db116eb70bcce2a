"""Personas and a small district: one commune with two hamlets, another commune."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection

from directory.models import Level, Role, UnitKind
from directory.services import grant_membership
from titles.models import TitleType
from workflows.procedures import TITLE_CODES

from .factories import HouseholdFactory, UnitFactory, UserFactory

CURRENT_YEAR = datetime.date.today().year


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def district(db):
    province = UnitFactory(level=Level.PROVINCE, kind=UnitKind.TINH, name="Đồng Nai", parent=None,
                           valid_from=datetime.date(1976, 1, 1))
    district = UnitFactory(level=Level.DISTRICT, kind=UnitKind.HUYEN, name="Thống Nhất", parent=province,
                           valid_from=datetime.date(2004, 1, 1))
    commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Gia Kiệm", parent=district)
    other_commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Gia Tân 1", parent=district)
    hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Đông Kinh", parent=commune)
    other_hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Võ Dõng", parent=commune)
    far_hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Phú Lập", parent=other_commune)
    return SimpleNamespace(province=province, district=district, commune=commune, other_commune=other_commune,
                           hamlet=hamlet, other_hamlet=other_hamlet, far_hamlet=far_hamlet)


def _persona(username, unit, role):
    user = UserFactory(username=username)
    grant_membership(user=user, unit=unit, role=role, since=datetime.date(2018, 1, 1))
    return user


@pytest.fixture
def hamlet_head(district):
    return _persona("truong_ap", district.hamlet, Role.HAMLET_HEAD)


@pytest.fixture
def hamlet_front_head(district):
    return _persona("truong_ban_mt", district.hamlet, Role.HAMLET_FRONT_HEAD)


@pytest.fixture
def other_hamlet_head(district):
    return _persona("truong_ap_khac", district.other_hamlet, Role.HAMLET_HEAD)


@pytest.fixture
def commune_officer(district):
    return _persona("can_bo_xa", district.commune, Role.COMMUNE_OFFICER)


@pytest.fixture
def other_commune_officer(district):
    return _persona("can_bo_xa_khac", district.other_commune, Role.COMMUNE_OFFICER)


@pytest.fixture
def commune_chair(district):
    return _persona("chu_tich_xa", district.commune, Role.COMMUNE_CHAIR)


@pytest.fixture
def other_commune_chair(district):
    return _persona("chu_tich_xa_khac", district.other_commune, Role.COMMUNE_CHAIR)


@pytest.fixture
def district_chair(district):
    return _persona("chu_tich_huyen", district.district, Role.DISTRICT_CHAIR)


@pytest.fixture
def supervisor(district):
    return _persona("giam_sat", district.commune, Role.SUPERVISOR)


@pytest.fixture
def outsider(db):
    return UserFactory(username="nguoi_ngoai")


@pytest.fixture
def family_title(db):
    return TitleType.objects.get(code="gia-dinh-van-hoa")


@pytest.fixture
def households(district):
    def make(n, hamlet=None):
        return HouseholdFactory.create_batch(n, hamlet=hamlet or district.hamlet)

    return make


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def fast_password_hashing(settings):
    """Hash persona passwords with a cheap hasher: PBKDF2 costs ~0.5 s per user on this
    machine and a test with nine personas spent most of its time there. Request it
    first (pytest.mark.usefixtures) so it applies before the personas are created."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _skip_redis_without_a_redis_broker(items):
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("redis://"):
        return
    skip = pytest.mark.skip(reason="needs a Redis broker (set CELERY_BROKER_URL=redis://...)")
    for item in items:
        if "redis" in item.keywords:
            item.add_marker(skip)


_collection_hook_before_redis = pytest_collection_modifyitems


def pytest_collection_modifyitems(config, items):  # noqa: F811 - extends the hook above
    _collection_hook_before_redis(config, items)
    _skip_redis_without_a_redis_broker(items)


@pytest.fixture(autouse=True)
def english_messages(request):
    """Service-level tests read the English msgids; the Vietnamese default is tested
    on its own (tests/workflows/test_vietnamese_messages.py) and through the web pages."""
    from django.utils import translation

    if "vietnamese" in request.keywords:
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def title_codes_per_test():
    """The procedures remember each title type's code by id (workflows.procedures.TITLE_CODES): right
    for a database that never gives an id twice, but SQLite may give a rolled-back test's title type
    id to the next test's other title."""
    TITLE_CODES.clear()
    yield
    TITLE_CODES.clear()


@pytest.fixture(autouse=True)
def anchor_copies_per_test(settings, tmp_path_factory):
    """Each test keeps its anchor copies apart: verify_audit compares them with the
    test's own database, which another test's anchors would contradict."""
    settings.STORAGES = {**settings.STORAGES, "audit_anchors": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("audit-anchors")), "base_url": None},
    }}


def _flush_past_the_truncate_trigger():
    """Transactional tests end with a flush (TRUNCATE of every table), which the audit
    tables' TRUNCATE trigger refuses; the tests connect as a superuser, who may switch
    triggers off for that one transaction (session_replication_role)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush


def pytest_configure(config):
    _flush_past_the_truncate_trigger()
