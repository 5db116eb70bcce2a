"""The dossier page shows one line per step; a step's households and the full history
are read on their own page, guarded like the dossier."""

import re

import pytest
from django.urls import reverse

from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def _vote_range(dossier):
    votes = AuditEvent.objects.filter(case_id=dossier.case_id, action="meeting_vote").order_by("seq")
    return votes.first().seq, votes.last().seq


def test_a_step_unfolds_into_its_households_by_name_with_their_votes(decided_dossier, client, commune_chair):
    client.force_login(commune_chair)
    page = client.get(reverse("workflows:dossier", args=[decided_dossier.pk])).content.decode()
    first, last = _vote_range(decided_dossier)
    link = f"/dossiers/{decided_dossier.pk}/history/?from={first}&amp;to={last}"
    assert link in page and f'data-load="{link}&amp;fragment=1"' in page  # works with and without JS
    assert "3 hộ" in page

    fragment = client.get(reverse("workflows:history", args=[decided_dossier.pk]),
                          {"from": first, "to": last, "fragment": 1}).content.decode()
    assert "<html" not in fragment
    names = {n.household.head_name for n in decided_dossier.nominations.select_related("household")}
    assert all(name in fragment for name in names)
    assert fragment.count('<li class="event') == 3 and "số phiếu đồng ý" in fragment.lower()


def test_the_full_history_lists_every_event_in_order(decided_dossier, client, commune_chair):
    client.force_login(commune_chair)
    page = client.get(reverse("workflows:history", args=[decided_dossier.pk])).content.decode()
    seqs = re.findall(r'<span class="seq">#(\d+)</span>', page)
    assert [int(s) for s in seqs] == list(
        AuditEvent.objects.filter(case_id=decided_dossier.case_id).order_by("seq").values_list("seq", flat=True))


def test_another_communes_chair_cannot_read_the_history_nor_tell_it_exists(
    decided_dossier, client, other_commune_chair
):
    client.force_login(other_commune_chair)
    url = reverse("workflows:history", args=[decided_dossier.pk])
    seen = client.get(url, {"from": 1, "to": 5, "fragment": 1})
    missing = client.get(reverse("workflows:history", args=[decided_dossier.pk + 999]))
    assert seen.status_code == missing.status_code == 404
    assert "Trần" not in seen.content.decode()
