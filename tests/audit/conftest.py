import pytest

from tests.workflows.scenario import d, through_appraisal
from workflows import services


@pytest.fixture
def decided_dossier(district, hamlet_head, commune_officer, commune_chair, family_title, households):
    """A 2021 hamlet dossier taken to a decision through the real services (3 households recognized)."""
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2021, households=households(3))
    services.decide(actor=commune_chair, dossier=dossier, number="45/QĐ-UBND", signed_on=d(2021, 11, 25),
                    signer="Trần Văn Chủ Tịch")
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def bypassing_guards():
    """Tamper as someone with raw database access would: below the model, and on
    PostgreSQL with triggers switched off (as a superuser could)."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def bypass():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            yield cursor
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    return bypass
