"""The scheduled anchoring task chains the heads that moved, and nothing twice."""

import pytest

from workflows.models import ChainAnchor
from workflows.tasks import anchor_audit_chains

pytestmark = pytest.mark.django_db


def test_scheduled_anchor_covers_the_moved_chain_once(decided_dossier):
    first = anchor_audit_chains.apply().get()
    anchor = ChainAnchor.objects.get(pk=first)
    heads = {h.case_id: h.hash for h in anchor.heads.all()}
    assert heads[decided_dossier.case_id] == decided_dossier.case.audit_head

    assert anchor_audit_chains.apply().get() is None
    assert ChainAnchor.objects.count() == 1
