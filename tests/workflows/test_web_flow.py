"""The Cultural Family flow over HTTP, as the people who do it see it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import pdf_bytes
from titles.models import Award
from workflows.models import AuditEvent, Dossier, DossierState, Meeting, NominationState

from .scenario import meet, open_with_households, send

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Thidua-2026"


@pytest.fixture
def client(client, settings):
    # Messages are asserted by their English msgid; the Vietnamese catalogue is
    # filled separately and must not break these tests.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    return client


def url(name, dossier):
    return reverse(f"workflows:{name}", args=[dossier.pk])


def text(response):
    return response.content.decode()


def tally_post(dossier, *, held_on, invited, present, votes, revision=None, **extra):
    data = {
        "expected_revision": dossier.revision if revision is None else revision,
        "held_on": held_on, "invited": invited, "present": present, "method": "show_of_hands",
        # These dates are more than 60 days old: the person confirms them.
        "chaired_by": "Nguyễn Văn Trưởng", "dates_confirmed": "on", **extra,
    }
    for pk, (votes_for, votes_against) in votes.items():
        data[f"for_{pk}"], data[f"against_{pk}"] = votes_for, votes_against
    return data


def test_whole_flow_over_http_from_opening_to_the_award_on_the_household_page(
    client, district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(4)
    households(1, hamlet=district.other_hamlet)
    login(client, hamlet_head)

    page = client.get(reverse("workflows:home"))
    assert page.status_code == 200 and "Ấp Đông Kinh" in text(page)
    response = client.post(reverse("workflows:open_round"), {"round": f"{family_title.pk}:{district.hamlet.pk}", "year": 2025})
    dossier = Dossier.objects.get(unit=district.hamlet, year=2025)
    assert response.status_code == 302 and response["Location"] == url("dossier", dossier)

    # The household list shows the hamlet's own households, none registered yet.
    page = client.get(url("register", dossier))
    assert page.status_code == 200
    assert all(h.head_name in text(page) for h in homes)
    response = client.post(url("register", dossier), {
        "expected_revision": dossier.revision, "registered_on": "01/03/2025", "register_all": "4",
        "dates_confirmed": "on",
    })
    assert response.status_code == 302
    assert dossier.nominations.count() == 4
    nominations = {n.household_id: n for n in dossier.nominations.all()}

    dossier.refresh_from_db()
    first, *middle, last = [nominations[h.pk] for h in homes]
    votes = {n.pk: (25, 3) for n in nominations.values()}
    votes[last.pk] = (10, 18)
    minutes = SimpleUploadedFile("bien-ban.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(url("meeting", dossier), tally_post(
        dossier, held_on="02/11/2025", invited=40, present=30, votes=votes, minutes=minutes))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED
    assert Meeting.objects.get(dossier=dossier).minutes.name.endswith(".pdf")

    # 2025's rules want the list posted for 10 days before it can be sent.
    response = client.post(url("posting", dossier), {
        "expected_revision": dossier.revision, "starts_on": "03/11/2025", "place": "Nhà văn hóa ấp",
        "dates_confirmed": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    response = client.post(url("comment", dossier), {
        "expected_revision": dossier.revision, "received_on": "05/11/2025", "author": "Bà Tư", "nomination": first.pk, "text": "Đồng ý",
        "dates_confirmed": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    response = client.post(url("submit", dossier), {"expected_revision": dossier.revision,
                                                    "submitted_on": "14/11/2025", "dates_confirmed": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED

    client.logout()
    login(client, commune_officer)
    inbox = client.get(reverse("workflows:home"))
    assert url("appraise", dossier) in text(inbox)
    page = client.get(url("appraise", dossier))
    assert page.status_code == 200
    response = client.post(url("appraise", dossier), {
        "expected_revision": dossier.revision, f"strike_{first.pk}": "1",
        f"reason_{first.pk}": "Chưa đạt tiêu chí môi trường"})
    # Accepting is irreversible: a summary comes first, nothing is recorded yet.
    assert response.status_code == 200 and "Xác nhận kết quả thẩm định" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    response = client.post(url("appraise", dossier), {
        "expected_revision": dossier.revision, f"strike_{first.pk}": "1",
        f"reason_{first.pk}": "Chưa đạt tiêu chí môi trường", "confirmed": "1"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED

    client.logout()
    login(client, commune_chair)
    page = client.get(url("dossier", dossier))
    assert url("decide", dossier) in text(page)
    response = client.post(url("decide", dossier), {
        "expected_revision": dossier.revision, "number": "45/QĐ-UBND", "signed_on": "20/11/2025",
        "signer": "Trần Văn Chủ Tịch", "dates_confirmed": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DECIDED
    assert Award.objects.filter(decision__number="45/QĐ-UBND").count() == 2

    household_page = client.get(reverse("workflows:household", args=[middle[0].household_id]))
    assert household_page.status_code == 200
    assert "45/QĐ-UBND" in text(household_page) and "20/11/2025" in text(household_page)
    struck_page = client.get(reverse("workflows:household", args=[first.household_id]))
    assert "45/QĐ-UBND" not in text(struck_page)
    assert "Chưa đạt tiêu chí môi trường" in text(struck_page)

    page = text(client.get(url("dossier", dossier)))
    # The dossier page has one line per step (a per-household batch is one line); the
    # full history, one line per event.
    events = list(AuditEvent.objects.filter(case_id=dossier.case_id).order_by("seq").values_list(
        "action", "target_type", "at"))
    steps = [action for i, (action, target, at) in enumerate(events)
             if target != "nomination" or i == 0 or events[i - 1] != (action, target, at)]
    actions = re.findall(r'data-action="([a-z_]+)"', page.split('id="hist-h"')[1])
    assert actions == steps and len(steps) < len(events)
    assert actions[0] == "open_round" and actions[-1] == "decide"
    full = text(client.get(reverse("workflows:history", args=[dossier.pk])))
    assert re.findall(r'data-action="([a-z_]+)"', full) == [action for action, _, _ in events]
    assert "truong_ap" in page and "can_bo_xa" in page and "chu_tich_xa" in page
    assert "45/QĐ-UBND" in page


@pytest.fixture
def hamlet_dossier(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(3))
    dossier.refresh_from_db()
    return dossier


def test_hamlet_head_of_another_hamlet_gets_404_on_the_dossier_and_its_actions(
    client, hamlet_dossier, other_hamlet_head
):
    login(client, other_hamlet_head)
    assert client.get(url("dossier", hamlet_dossier)).status_code == 404
    for name in ("register", "meeting", "submit", "appraise", "decide"):
        assert client.get(url(name, hamlet_dossier)).status_code in (403, 404)
        assert client.post(url(name, hamlet_dossier), {"expected_revision": 0}).status_code in (403, 404)
    assert hamlet_dossier.nominations.filter(state=NominationState.REGISTERED).count() == 3


def test_outsider_gets_404_and_the_dossier_is_not_listed(client, hamlet_dossier, outsider):
    login(client, outsider)
    assert client.get(url("dossier", hamlet_dossier)).status_code == 404
    household = hamlet_dossier.nominations.first().household
    assert client.get(reverse("workflows:household", args=[household.pk])).status_code == 404
    assert client.post(url("meeting", hamlet_dossier), {}).status_code == 404
    assert "Ấp Đông Kinh" not in text(client.get(reverse("workflows:home")))


def test_anonymous_visitor_is_sent_to_the_login_page(client, hamlet_dossier):
    response = client.get(url("dossier", hamlet_dossier))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_commune_chair_cannot_appraise(client, hamlet_dossier, hamlet_head, commune_chair):
    meet(head=hamlet_head, dossier=hamlet_dossier)
    send(head=hamlet_head, dossier=hamlet_dossier)
    hamlet_dossier.refresh_from_db()
    login(client, commune_chair)
    page = client.get(url("dossier", hamlet_dossier))
    assert page.status_code == 200 and url("appraise", hamlet_dossier) not in text(page)
    assert client.get(url("appraise", hamlet_dossier)).status_code == 403
    response = client.post(url("appraise", hamlet_dossier), {"expected_revision": hamlet_dossier.revision})
    assert response.status_code == 403
    hamlet_dossier.refresh_from_db()
    assert hamlet_dossier.state == DossierState.SUBMITTED


def test_stale_form_is_refused_with_the_message_and_changes_nothing(
    client, hamlet_dossier, hamlet_head, family_title
):
    login(client, hamlet_head)
    stale = hamlet_dossier.revision
    votes = {n.pk: (30, 0) for n in hamlet_dossier.nominations.all()}
    # Someone else acts first: a self-assessment bumps the revision.
    client.post(url("assessments", hamlet_dossier), {
        "expected_revision": stale, "assessed_on": "05/03/2021", "dates_confirmed": "on",
        f"text_{next(iter(votes))}": "Gia đình hòa thuận"})
    events = AuditEvent.objects.filter(case_id=hamlet_dossier.case_id).count()

    response = client.post(url("meeting", hamlet_dossier), tally_post(
        hamlet_dossier, held_on="02/11/2021", invited=40, present=30, votes=votes, revision=stale))
    assert response.status_code == 400
    assert "Someone else changed this dossier" in text(response)
    hamlet_dossier.refresh_from_db()
    assert hamlet_dossier.state == DossierState.OPEN
    assert not Meeting.objects.filter(dossier=hamlet_dossier).exists()
    assert AuditEvent.objects.filter(case_id=hamlet_dossier.case_id).count() == events


def test_meeting_below_quorum_posted_via_the_form_shows_the_numbers_and_records_nothing(
    client, hamlet_dossier, hamlet_head
):
    login(client, hamlet_head)
    votes = {n.pk: (20, 1) for n in hamlet_dossier.nominations.all()}
    events = AuditEvent.objects.filter(case_id=hamlet_dossier.case_id).count()
    response = client.post(url("meeting", hamlet_dossier), tally_post(
        hamlet_dossier, held_on="02/11/2021", invited=40, present=23, votes=votes))
    assert response.status_code == 400
    body = text(response)
    assert "23 of 40 invited attended (57.5%)" in body and "60%" in body
    # The sheet comes back with what was typed, so nothing has to be re-entered.
    assert 'value="20"' in body
    hamlet_dossier.refresh_from_db()
    assert hamlet_dossier.state == DossierState.OPEN
    assert not Meeting.objects.filter(dossier=hamlet_dossier).exists()
    assert set(hamlet_dossier.nominations.values_list("votes_for", flat=True)) == {None}
    assert AuditEvent.objects.filter(case_id=hamlet_dossier.case_id).count() == events


def test_actions_not_allowed_in_the_state_are_not_offered(client, hamlet_dossier, hamlet_head):
    login(client, hamlet_head)
    page = text(client.get(url("dossier", hamlet_dossier)))
    assert url("meeting", hamlet_dossier) in page and url("register", hamlet_dossier) in page
    assert url("submit", hamlet_dossier) not in page and url("decide", hamlet_dossier) not in page
    response = client.post(url("submit", hamlet_dossier), {"expected_revision": hamlet_dossier.revision,
                                                          "submitted_on": "04/11/2021"})
    assert response.status_code == 400 and "not possible while the dossier" in text(response)


def test_dossier_list_is_filtered_and_flags_overdue_dossiers(
    client, district, hamlet_dossier, hamlet_head, other_hamlet_head, commune_officer, family_title, households
):
    meet(head=hamlet_head, dossier=hamlet_dossier)  # 2021 meeting: due 3 working days later, long past
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2025, households=households(2, hamlet=district.other_hamlet))
    login(client, commune_officer)
    home = text(client.get(reverse("workflows:home")))
    assert url("dossier", hamlet_dossier) in home and url("dossier", other) in home
    # Both are late: the 2021 dossier past its 3-working-day submission, the 2025 one
    # still open long after the 2025 rule set's review deadline (25 November 2025).
    assert home.count("overdue-flag") == 2

    only_2025 = text(client.get(reverse("workflows:home"), {"year": 2025}))
    assert url("dossier", other) in only_2025 and url("dossier", hamlet_dossier) not in only_2025
    reviewed = text(client.get(reverse("workflows:home"), {"state": "reviewed"}))
    assert url("dossier", hamlet_dossier) in reviewed and url("dossier", other) not in reviewed
    by_unit = text(client.get(reverse("workflows:home"), {"unit": district.other_hamlet.pk}))
    assert url("dossier", other) in by_unit and url("dossier", hamlet_dossier) not in by_unit


def test_home_and_dossier_pages_take_the_same_number_of_queries_for_more_items(
    client, district, hamlet_head, family_title, households
):
    login(client, hamlet_head)
    small = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                 households=households(3))

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    home_small, page_small = count(reverse("workflows:home")), count(url("dossier", small))
    sheet_small = count(url("meeting", small))
    # Two more open dossiers: two more tasks in the inbox, two more rows, 80 more households.
    for year in (2022, 2023):
        open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=year,
                             households=households(40))
    big = Dossier.objects.get(year=2023)
    assert count(reverse("workflows:home")) == home_small
    assert count(url("dossier", big)) == page_small
    assert count(url("meeting", big)) == sheet_small


def test_register_page_marks_who_is_registered_and_refuses_a_second_registration(
    client, district, hamlet_head, family_title, households
):
    homes = households(3)
    login(client, hamlet_head)
    client.post(reverse("workflows:open_round"), {"round": f"{family_title.pk}:{district.hamlet.pk}", "year": 2021})
    dossier = Dossier.objects.get(unit=district.hamlet, year=2021)
    client.post(url("register", dossier), {"expected_revision": dossier.revision, "registered_on": "01/03/2021",
                                           "dates_confirmed": "on", "households": [homes[0].pk]})
    dossier.refresh_from_db()
    page = text(client.get(url("register", dossier)))
    assert "1 registered, 2 not yet registered" in page
    assert f'name="households" value="{homes[0].pk}"' not in page
    assert f'name="households" value="{homes[1].pk}"' in page
    response = client.post(url("register", dossier), {
        "expected_revision": dossier.revision, "registered_on": "02/03/2021", "dates_confirmed": "on",
        "households": [homes[0].pk]})
    assert response.status_code == 400 and "Already registered" in text(response)
    assert dossier.nominations.count() == 1


def test_exclusion_chosen_on_the_tally_sheet_declines_the_household_with_the_ground(
    client, district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    dossier.refresh_from_db()
    excluded, kept = dossier.nominations.order_by("household__code")
    login(client, hamlet_head)
    sheet = text(client.get(url("meeting", dossier)))
    assert f'name="excl_{excluded.pk}"' in sheet and 'value="gambling"' in sheet
    response = client.post(url("meeting", dossier), tally_post(
        dossier, held_on="02/11/2025", invited=30, present=25, votes={excluded.pk: (20, 5), kept.pk: (20, 5)},
        **{f"excl_{excluded.pk}": "gambling"}))
    assert response.status_code == 302
    excluded.refresh_from_db()
    kept.refresh_from_db()
    assert excluded.state == NominationState.NOT_PROPOSED and excluded.exclusion == "gambling"
    assert kept.state == NominationState.PROPOSED
    page = text(client.get(url("dossier", dossier)))
    assert excluded.reason in page


def test_pages_are_vietnamese_first_and_the_header_switches_to_english(district, hamlet_head):
    from django.test import Client

    browser = Client()
    login(browser, hamlet_head)
    assert '<html lang="vi">' in text(browser.get(reverse("workflows:home")))
    response = browser.post(reverse("set_language"), {"language": "en", "next": reverse("workflows:home")})
    assert response.status_code == 302
    assert '<html lang="en">' in text(browser.get(reverse("workflows:home")))


def test_opening_a_dossier_or_a_household_page_is_recorded_for_supervision(
    client, district, hamlet_head, commune_officer, family_title, households
):
    from workflows.audit.models import ViewLog

    homes = households(2)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=homes)
    client.force_login(commune_officer)
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 200
    assert client.get(f"/households/{homes[0].pk}/").status_code == 200
    logged = list(ViewLog.objects.filter(user=commune_officer).values_list("what", "role", "case_id",
                                                                          "household_id"))
    assert ("dossier_page", "commune_officer", dossier.case_id, None) in logged
    assert ("household_page", "commune_officer", None, homes[0].pk) in logged


# ---------------------------------------------------------------- issue 18: dates and re-recorded meetings

def test_a_typo_in_the_posting_date_is_shown_with_a_confirm_box_and_nothing_is_posted_until_ticked(
    client, district, hamlet_head, family_title, households
):
    from workflows.models import Posting

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier, held_on=__import__("datetime").date(2025, 11, 2))
    dossier.refresh_from_db()
    login(client, hamlet_head)
    form = text(client.get(url("posting", dossier)))
    assert 'name="dates_confirmed"' not in form  # the box appears only with a warning
    typed = {"expected_revision": dossier.revision, "starts_on": "03/11/2025", "place": "Nhà văn hóa ấp"}
    response = client.post(url("posting", dossier), typed)
    assert response.status_code == 400
    body = text(response)
    assert "Posting date 03/11/2025 is" in body and "days ago (more than 60)" in body
    assert 'name="dates_confirmed"' in body and "The dates are correct" in body
    assert not Posting.objects.filter(dossier=dossier).exists()

    response = client.post(url("posting", dossier), {**typed, "dates_confirmed": "on"})
    assert response.status_code == 302
    assert Posting.objects.get(dossier=dossier).starts_on.isoformat() == "2025-11-03"


def test_a_long_past_registration_date_is_shown_with_a_confirm_box_and_nothing_is_registered_until_ticked(
    client, district, hamlet_head, family_title, households
):
    homes = households(2)
    login(client, hamlet_head)
    client.post(reverse("workflows:open_round"), {"round": f"{family_title.pk}:{district.hamlet.pk}", "year": 2025})
    dossier = Dossier.objects.get(unit=district.hamlet, year=2025)
    assert 'name="dates_confirmed"' not in text(client.get(url("register", dossier)))
    typed = {"expected_revision": dossier.revision, "registered_on": "01/03/2025", "households": [homes[0].pk]}
    response = client.post(url("register", dossier), typed)
    assert response.status_code == 400
    body = text(response)
    assert "Registration date 01/03/2025 is" in body and "days ago (more than 60)" in body
    assert 'name="dates_confirmed"' in body and "The dates are correct" in body
    assert f'value="{homes[0].pk}" checked' in body  # the ticked household stays ticked
    assert not dossier.nominations.exists()

    response = client.post(url("register", dossier), {**typed, "dates_confirmed": "on"})
    assert response.status_code == 302
    assert [n.registered_on.isoformat() for n in dossier.nominations.all()] == ["2025-03-01"]


def test_a_long_past_self_assessment_date_is_shown_with_a_confirm_box_and_nothing_is_recorded_until_ticked(
    client, district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    dossier.refresh_from_db()
    nomination = dossier.nominations.order_by("household__code").first()
    login(client, hamlet_head)
    assert 'name="dates_confirmed"' not in text(client.get(url("assessments", dossier)))
    typed = {"expected_revision": dossier.revision, "assessed_on": "05/03/2025",
             f"text_{nomination.pk}": "Gia đình hòa thuận"}
    response = client.post(url("assessments", dossier), typed)
    assert response.status_code == 400
    body = text(response)
    assert "Self-assessment date 05/03/2025 is" in body and "days ago (more than 60)" in body
    assert 'name="dates_confirmed"' in body and "Gia đình hòa thuận" in body
    nomination.refresh_from_db()
    assert (nomination.self_assessment, nomination.self_assessed_on) == ("", None)

    response = client.post(url("assessments", dossier), {**typed, "dates_confirmed": "on"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.self_assessed_on.isoformat() == "2025-03-05"


def test_re_recording_starts_from_the_meeting_in_force_and_asks_a_reason_for_each_changed_result(
    client, hamlet_dossier, hamlet_head
):
    first, second, third = hamlet_dossier.nominations.order_by("household__code")
    login(client, hamlet_head)
    votes = {n.pk: (30, 0) for n in (first, second, third)}
    assert client.post(url("meeting", hamlet_dossier), tally_post(
        hamlet_dossier, held_on="02/11/2021", invited=40, present=30, votes=votes)).status_code == 302
    hamlet_dossier.refresh_from_db()

    sheet = text(client.get(url("meeting", hamlet_dossier)))
    assert 'name="held_on" value="02/11/2021"' in sheet
    assert 'name="invited" value="40"' in sheet and 'name="present" value="30"' in sheet
    assert re.search(r'name="chaired_by" value="Nguyễn Văn Trưởng"', sheet)
    assert re.search(r'value="show_of_hands"[^>]*checked', sheet)
    assert f'name="change_{second.pk}"' in sheet and "replaces the one of 02/11/2021" in sheet

    changed = {**votes, second.pk: (10, 20)}
    response = client.post(url("meeting", hamlet_dossier), tally_post(
        hamlet_dossier, held_on="04/11/2021", invited=40, present=30, votes=changed))
    assert response.status_code == 400
    assert second.household.head_name in text(response) and "Give the reason" in text(response)
    # On the row where the reason is typed.
    assert f'<div class="tally-row wrong" id="r{second.pk}"' in text(response)
    assert Meeting.objects.filter(dossier=hamlet_dossier).count() == 1

    response = client.post(url("meeting", hamlet_dossier), tally_post(
        hamlet_dossier, held_on="04/11/2021", invited=40, present=30, votes=changed,
        **{f"change_{second.pk}": "Đếm lại phiếu: có sai sót"}))
    assert response.status_code == 302
    event = AuditEvent.objects.get(case_id=hamlet_dossier.case_id, action="meeting_vote", target_id=second.pk,
                                   payload__change_reason__isnull=False)
    assert event.payload["change_reason"] == "Đếm lại phiếu: có sai sót"

    page = text(client.get(url("dossier", hamlet_dossier)))
    in_force = page.split('data-testid="meeting-in-force"')[1].split("</li>")[0]
    assert "04/11/2021" in in_force and "Votes in force" in in_force
    assert "Replaced by a later meeting" in page
