"""Issue 15: tally drafts are cleaned up by beat: those of dossiers past the meeting, and those
not saved for the retention period (TALLY_DRAFT_RETENTION_DAYS)."""

import datetime

import pytest
from django.utils import timezone

from workflows import services, tasks
from workflows.models import DossierState, TallyDraft

from .scenario import d, meet, open_with_households, send

pytestmark = pytest.mark.django_db


def draft(head, dossier, token):
    dossier.refresh_from_db()
    return services.save_tally_draft(actor=head, dossier=dossier, token=token * 16, revision=dossier.revision,
                                     data={"fields": {"present": "30"}, "rows": {}})


def aged(draft, days):
    # saved_at is auto_now: set it behind the model's back, as time passing would.
    TallyDraft.objects.filter(pk=draft.pk).update(saved_at=timezone.now() - datetime.timedelta(days=days))


def test_drafts_past_the_meeting_or_older_than_the_retention_are_deleted_and_the_rest_kept(
    district, hamlet_head, family_title, households, settings
):
    settings.TALLY_DRAFT_RETENTION_DAYS = 10
    homes = households(4)
    open_now = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                    households=homes[:2])
    fresh, stale, nearly = draft(hamlet_head, open_now, "a"), draft(hamlet_head, open_now, "b"), draft(
        hamlet_head, open_now, "c")
    aged(stale, 11)
    aged(nearly, 9)
    # 2024 (Decree 86): met and posted, so no meeting can be recorded any more.
    posted = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2024,
                                  households=homes[2:])
    of_posted = draft(hamlet_head, posted, "d")
    meet(head=hamlet_head, dossier=posted)
    posted.refresh_from_db()
    services.post_list(actor=hamlet_head, dossier=posted, starts_on=d(2024, 11, 3), place="Nhà văn hóa")
    # 2021 (Decree 122): reviewed, a meeting may still be recorded again; then sent.
    reviewed = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                    households=homes[:1])
    meet(head=hamlet_head, dossier=reviewed)
    of_reviewed = draft(hamlet_head, reviewed, "e")
    sent = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2022,
                                households=homes[1:2])
    of_sent = draft(hamlet_head, sent, "f")
    meet(head=hamlet_head, dossier=sent)
    send(head=hamlet_head, dossier=sent)
    posted.refresh_from_db()
    sent.refresh_from_db()
    assert (posted.state, sent.state) == (DossierState.POSTING, DossierState.SUBMITTED)

    # What beat runs every night.
    assert tasks.purge_tally_drafts() == (2, 1)

    assert set(TallyDraft.objects.values_list("pk", flat=True)) == {fresh.pk, nearly.pk, of_reviewed.pk}
    assert not TallyDraft.objects.filter(pk__in=[stale.pk, of_posted.pk, of_sent.pk]).exists()
    assert tasks.purge_tally_drafts() == (0, 0)  # idempotent


def test_the_purge_is_scheduled_every_night_with_a_retention_from_the_settings(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "workflows.tasks.purge_tally_drafts")
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}
    assert settings.TALLY_DRAFT_RETENTION_DAYS == 30
