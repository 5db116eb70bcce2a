"""Due dates over Vietnamese holidays, reminders, escalation once per period, overdue counts."""

import pytest

from notifications.models import DeadlineAlert, Notification
from tests.workflows.scenario import d, meet, open_with_households
from titles.models import DayType, Holiday
from titles.calendar import add_days
from workflows.deadlines import overdue_counts_by_unit, with_overdue_flag
from workflows.models import Dossier
from workflows.services.deadlines import check_deadlines

pytestmark = pytest.mark.django_db


def test_holidays_2021_to_2027_are_loaded_with_tet_and_the_days_around_30_4_and_2_9():
    years = {day.year for day in Holiday.objects.values_list("date", flat=True)}
    assert years == set(range(2021, 2028))
    assert Holiday.objects.get(date=d(2025, 1, 29)).name == "Tết Nguyên đán"
    assert Holiday.objects.filter(date__in=[d(2025, 4, 30), d(2025, 5, 1), d(2025, 5, 2), d(2025, 9, 1),
                                            d(2025, 9, 2), d(2025, 4, 7)]).count() == 6
    assert Holiday.objects.get(date=d(2027, 4, 16)).name.endswith("(dự kiến)")


def test_working_days_skip_tet_and_the_30_4_bridge_but_calendar_days_do_not():
    # Friday before Tết Ất Tỵ: 27-31/01/2025 are holidays, then a weekend.
    assert add_days(d(2025, 1, 24), 3, DayType.WORKING) == d(2025, 2, 5)
    assert add_days(d(2025, 4, 29), 3, DayType.WORKING) == d(2025, 5, 7)
    assert add_days(d(2025, 1, 24), 3, DayType.CALENDAR) == d(2025, 1, 27)


@pytest.fixture
def late_dossier(district, hamlet_head, commune_officer, commune_chair, supervisor, family_title, households):
    """A 2021 dossier whose meeting on Tue 02/11 makes the submission due Fri 05/11 (3 working days)."""
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier, held_on=d(2021, 11, 2))
    dossier.refresh_from_db()
    assert dossier.submission_due == d(2021, 11, 5)
    return dossier


def test_the_hamlet_head_is_reminded_two_days_before_the_submission_is_due(late_dossier, hamlet_head,
                                                                          commune_officer):
    assert check_deadlines(today=d(2021, 11, 2)) == []
    [alert] = check_deadlines(today=d(2021, 11, 3))
    assert alert.kind == "reminder"
    [text] = Notification.objects.filter(kind="reminder").values_list("text", flat=True)
    assert "05/11/2021" in text
    assert Notification.objects.get(kind="reminder").recipient == hamlet_head
    assert check_deadlines(today=d(2021, 11, 4)) == []


def test_an_overdue_submission_is_escalated_to_the_commune_once_per_period(
    late_dossier, hamlet_head, commune_officer, commune_chair, supervisor
):
    [alert] = check_deadlines(today=d(2021, 11, 6))
    assert (alert.kind, alert.period, alert.unit_id) == ("escalation", 0, late_dossier.unit.parent_id)
    told = set(Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True))
    assert told == {"can_bo_xa", "chu_tich_xa", "giam_sat"}
    assert "Overdue 1 days" in Notification.objects.filter(kind="escalation").first().text
    assert check_deadlines(today=d(2021, 11, 6)) == []
    assert check_deadlines(today=d(2021, 11, 12)) == []  # still the first 7-day period
    [again] = check_deadlines(today=d(2021, 11, 13))
    assert again.period == 1
    assert DeadlineAlert.objects.filter(kind="escalation").count() == 2
    assert Notification.objects.filter(kind="escalation").count() == 6


def test_overdue_dossiers_are_flagged_and_counted_for_every_unit_above_them(late_dossier, district):
    assert overdue_counts_by_unit(d(2021, 11, 5)) == {}
    counts = overdue_counts_by_unit(d(2021, 11, 6))
    assert counts[district.hamlet.pk] == counts[district.commune.pk] == counts[district.district.pk] == 1
    assert district.other_commune.pk not in counts
    flagged = with_overdue_flag(Dossier.objects.all(), d(2021, 11, 6)).get(pk=late_dossier.pk)
    assert flagged.is_overdue


def test_a_2025_round_still_open_after_25_november_is_overdue_by_the_rule_sets_review_deadline(
    district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(1))
    assert overdue_counts_by_unit(d(2025, 11, 25)) == {}
    assert overdue_counts_by_unit(d(2025, 11, 26))[district.hamlet.pk] == 1
    [alert] = check_deadlines(today=d(2025, 11, 26))
    assert (alert.case_id, alert.kind, alert.due_on) == (dossier.case_id, "escalation", d(2025, 11, 25))


def test_the_check_deadlines_command_replays_a_day_and_refuses_a_malformed_date(late_dossier):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("check_deadlines", today="06/11/2021", stdout=out)
    assert "0 reminders and 1 escalations written." in out.getvalue()
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("check_deadlines", today="2021-11-06")
