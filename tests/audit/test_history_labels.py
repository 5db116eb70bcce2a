"""The dossier history and an award's provenance read as Vietnamese: no payload
key, state code, ground code, boolean or ISO date of the audit trail reaches the page."""

import ast
import html.parser
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from directory.models import Membership, Role
from titles.models import Award
from workflows.services import revoke_award
from workflows.audit.labels import ACTION_LABELS, PAYLOAD_LABELS
from workflows.audit.models import ConcernState
from workflows.models import AuditEvent, Dossier, DossierState, NominationState, VotingMethod

ROOT = Path(__file__).resolve().parents[2]
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (rolled back at the end), with one award of
    its decided dossier revoked so that the revocation's payload is on the pages too."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            dossier = Dossier.objects.filter(state=DossierState.DECIDED).order_by("-year", "pk").first()
            chair = Membership.objects.filter(unit=dossier.deciding_unit, role=Role.COMMUNE_CHAIR).first().user
            award = Award.objects.filter(nomination__dossier=dossier).order_by("pk").first()
            revoke_award(actor=chair, award=award, ground="d", decision_number="12/QĐ-UBND",
                         reason="Hộ có thành viên vi phạm pháp luật sau khi được công nhận.")
            yield {"dossier": dossier, "award": award, "viewer": chair}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


class _Text(html.parser.HTMLParser):
    """The text a person reads: tag attributes (datetime="2025-…", data-action) are not shown."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response):
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def raw_codes(dossier):
    """Every code the dossier's audit trail holds that a person should never read."""
    codes = set()
    for action, from_state, to_state, payload in AuditEvent.objects.filter(case_id=dossier.case_id).values_list(
            "action", "from_state", "to_state", "payload"):
        codes |= {action, from_state, to_state, *payload}
        for key in ("method", "exclusion", "ground", "rule_set"):
            if payload.get(key):
                codes.add(str(payload[key]))
    codes |= set(NominationState.values) | set(VotingMethod.values)
    codes |= {g["code"] for g in dossier.rule_set.exclusion_grounds}
    # Single letters (revocation ground "d") and English words that are also ordinary
    # Vietnamese-page content cannot be searched as words; they are covered by the labels.
    return {c for c in codes if c and len(c) > 2} | {"True", "False", "None"}


def assert_reads_as_vietnamese(text, dossier):
    assert not ISO_DATE.search(text), ISO_DATE.search(text).group()
    leaked = sorted(c for c in raw_codes(dossier) if re.search(rf"(?<![\w/-]){re.escape(c)}(?![\w/-])", text))
    assert not leaked, f"raw codes on the page: {leaked}"


@pytest.mark.django_db
def test_every_payload_key_and_action_in_the_demo_has_a_translated_label(demo):
    keys, actions = set(), set()
    for action, payload in AuditEvent.objects.values_list("action", "payload"):
        actions.add(action)
        keys |= set(payload)
    assert "households_on_roll" in keys and "ground_label" in keys  # the demo reaches decision and revocation
    assert keys - set(PAYLOAD_LABELS) == set()
    assert actions - set(ACTION_LABELS) == set()


def test_every_key_a_service_writes_into_a_payload_has_a_label():
    """Read from the code, so a key added by a new step is caught even before the demo uses it."""
    written = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "benchmarks" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add":
                names = {k.arg for k in node.keywords if k.arg}  # not a **mapping
                if {"action", "target"} <= names:
                    written |= names - {"action", "target", "from_state", "to_state"}
    assert "registered_on" in written and "households_on_roll" in written
    assert written - set(PAYLOAD_LABELS) == set()


@pytest.mark.django_db
def test_the_decided_demo_dossier_page_and_full_history_show_labels_dates_and_household_names(demo, client):
    dossier = demo["dossier"]
    client.force_login(demo["viewer"])
    pages = [client.get(reverse("workflows:dossier", args=[dossier.pk]))]
    history = reverse("workflows:history", args=[dossier.pk])
    events = AuditEvent.objects.filter(case_id=dossier.case_id).count()
    pages += [client.get(history, {"page": n}) for n in range(1, events // 50 + 2)]
    assert {page.status_code for page in pages} == {200}
    text = " ".join(visible_text(page) for page in pages)
    assert_reads_as_vietnamese(text, dossier)
    head = dossier.nominations.select_related("household").order_by("pk").first().household
    assert f"{head.head_name} ({head.code})" in text  # per-household events name the household
    assert "Biểu quyết" in text or "Bỏ phiếu" in text  # the voting method by its label
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", text)


@pytest.mark.django_db
def test_the_provenance_of_a_revoked_demo_award_shows_labels_and_no_codes(demo, client):
    award, dossier = demo["award"], demo["dossier"]
    client.force_login(demo["viewer"])
    response = client.get(reverse("workflows:provenance", args=[award.pk]))
    assert response.status_code == 200
    text = visible_text(response)
    assert_reads_as_vietnamese(text, dossier)
    assert str(dict(NominationState.choices)[NominationState.RECOGNIZED]) in text
    assert "Không đạt tiêu chuẩn" in text  # the revocation ground by its label
    assert dossier.rule_set.name in text


def test_concern_states_are_labelled_apart_from_dossier_states():
    from workflows.audit.labels import state_label

    assert state_label("concern", ConcernState.OPEN) != state_label("dossier", DossierState.OPEN)
    assert state_label("award", "revoked") != "revoked"
