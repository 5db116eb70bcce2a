"""Appraisal, return and resend as the commune officer and the hamlet do them (issue 18,
items 9 and 11): no typed strike reason is lost, every irreversible step shows what it
will do first, and a returned dossier is resent only with an answer that stays visible."""

import re

import pytest
from django.urls import reverse

from notifications.models import Notification
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState
from workflows.services import RuleViolation

from .scenario import d, meet, open_with_households, send, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name, dossier):
    return reverse(f"workflows:{name}", args=[dossier.pk])


def text(response):
    return response.content.decode()


@pytest.fixture
def submitted(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(3))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    return dossier


def rows(dossier):
    return list(dossier.nominations.select_related("household").order_by("household__code"))


def hidden_fields(html):
    """The confirmation form's hidden fields, as the browser would post them again."""
    form = html.split('data-testid="confirm-summary"')[1]
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)


# ---------------------------------------------------------------- item 9: appraisal

def test_a_strike_reason_typed_without_ticking_the_box_strikes_the_household(
    client, submitted, commune_officer
):
    first, second, third = rows(submitted)
    client.force_login(commune_officer)
    response = client.post(url("appraise", submitted), {
        "expected_revision": submitted.revision, f"reason_{second.pk}": "Chưa đạt tiêu chí môi trường"})
    assert response.status_code == 200
    summary = text(response).split('data-testid="confirm-summary"')[1]
    struck_list = summary.split("<h2>Struck")[1].split("<h2>Accepted")[0]
    assert second.household.head_name in struck_list and "Chưa đạt tiêu chí môi trường" in struck_list
    assert first.household.head_name not in struck_list

    # The confirmation posts the same fields again: the typed reason travels with it.
    carried = dict(hidden_fields(text(response)))
    assert carried[f"reason_{second.pk}"] == "Chưa đạt tiêu chí môi trường"
    response = client.post(url("appraise", submitted), {**carried, "confirmed": "1"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.state, second.reason) == (NominationState.STRUCK, "Chưa đạt tiêu chí môi trường")
    assert set(submitted.nominations.exclude(pk=second.pk).values_list("state", flat=True)) == {
        NominationState.ACCEPTED}


def test_accepting_shows_how_many_are_accepted_and_struck_with_names_and_records_nothing_until_confirmed(
    client, submitted, commune_officer
):
    first, second, third = rows(submitted)
    client.force_login(commune_officer)
    before = snapshot(submitted)
    response = client.post(url("appraise", submitted), {
        "expected_revision": submitted.revision, f"strike_{first.pk}": "1", f"reason_{first.pk}": "Vi phạm hương ước"})
    assert response.status_code == 200
    html = text(response)
    assert "Confirm the appraisal" in html
    assert "Accepted: 2 households, sent to Gia Kiệm for the decision. Struck: 1." in html
    for nomination in (first, second, third):
        assert nomination.household.head_name in html
    assert ("expected_revision", str(submitted.revision)) in hidden_fields(html)
    assert 'name="confirmed" value="1"' in html and 'name="edit" value="1"' in html
    assert snapshot(submitted) == before


def test_going_back_from_the_summary_gives_the_form_back_as_it_was_filled(client, submitted, commune_officer):
    first, second, _third = rows(submitted)
    client.force_login(commune_officer)
    response = client.post(url("appraise", submitted), {
        "expected_revision": submitted.revision, f"reason_{second.pk}": "Thiếu xác nhận"})
    carried = dict(hidden_fields(text(response)))
    back = client.post(url("appraise", submitted), {**carried, "edit": "1"})
    assert back.status_code == 200
    html = text(back)
    assert 'value="Thiếu xác nhận"' in html
    assert re.search(rf'name="strike_{second.pk}" value="1" checked', html)
    assert not re.search(rf'name="strike_{first.pk}" value="1" checked', html)
    submitted.refresh_from_db()
    assert submitted.state == DossierState.SUBMITTED


def test_a_ticked_strike_without_a_reason_is_refused_before_the_summary_naming_the_household(
    client, submitted, commune_officer
):
    first, *_ = rows(submitted)
    client.force_login(commune_officer)
    before = snapshot(submitted)
    response = client.post(url("appraise", submitted), {"expected_revision": submitted.revision,
                                                        f"strike_{first.pk}": "1"})
    assert response.status_code == 400
    assert "missing for: " + first.household.head_name in text(response)
    assert "Confirm the appraisal" not in text(response)
    assert snapshot(submitted) == before


def test_a_confirmation_posted_after_someone_else_acted_is_refused_and_changes_nothing(
    client, submitted, commune_officer
):
    client.force_login(commune_officer)
    response = client.post(url("appraise", submitted), {"expected_revision": submitted.revision})
    carried = dict(hidden_fields(text(response)))
    # Meanwhile another officer returns the dossier.
    services.return_dossier(actor=commune_officer, dossier=submitted, reason="Thiếu biên bản")
    submitted.refresh_from_db()
    before = snapshot(submitted)
    response = client.post(url("appraise", submitted), {**carried, "confirmed": "1"})
    assert response.status_code == 400 and "Someone else changed this dossier" in text(response)
    assert snapshot(submitted) == before


def test_returning_shows_the_reason_and_the_households_sent_back_before_the_dossier_goes_back(
    client, submitted, commune_officer
):
    client.force_login(commune_officer)
    before = snapshot(submitted)
    response = client.post(url("return", submitted), {"expected_revision": submitted.revision,
                                                       "reason": "Biên bản họp thiếu chữ ký"})
    assert response.status_code == 200
    html = text(response)
    assert "Confirm the return" in html
    assert "goes back to Ấp Đông Kinh for correction, because: Biên bản họp thiếu chữ ký" in html
    assert all(n.household.head_name in html for n in rows(submitted))
    assert snapshot(submitted) == before

    response = client.post(url("return", submitted), {**dict(hidden_fields(html)), "confirmed": "1"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.state, submitted.return_reason) == (DossierState.RETURNED, "Biên bản họp thiếu chữ ký")


# ---------------------------------------------------------------- item 11: return, correct, resend

@pytest.fixture
def returned(submitted, commune_officer):
    services.return_dossier(actor=commune_officer, dossier=submitted, reason="Thiếu biên bản họp có chữ ký")
    submitted.refresh_from_db()
    return submitted


def test_an_unchanged_resend_of_a_returned_dossier_is_refused_naming_the_reason_and_changes_nothing(
    returned, hamlet_head
):
    before = snapshot(returned)
    with pytest.raises(RuleViolation) as refused:
        services.submit_dossier(actor=hamlet_head, dossier=returned, submitted_on=d(2021, 11, 8), answer="  ")
    assert "returned because: “Thiếu biên bản họp có chữ ký”. Answer it before sending again" in str(refused.value)
    assert snapshot(returned) == before


def test_a_correction_recorded_since_the_return_answers_it_without_a_note(returned, hamlet_front_head, hamlet_head):
    nomination = returned.nominations.first()
    services.record_self_assessments(actor=hamlet_front_head, dossier=returned, assessed_on=d(2021, 11, 6),
                                     assessments={nomination.pk: "Đã bổ sung xác nhận của chi hội"})
    services.submit_dossier(actor=hamlet_head, dossier=returned, submitted_on=d(2021, 11, 8))
    returned.refresh_from_db()
    assert returned.state == DossierState.SUBMITTED


def test_a_concern_raised_since_the_return_is_not_a_correction(returned, hamlet_head, supervisor):
    from workflows.supervision import raise_concern

    raise_concern(actor=supervisor, dossier=returned, text="Đề nghị kiểm tra lại")
    with pytest.raises(RuleViolation, match="Answer it before sending again"):
        services.submit_dossier(actor=hamlet_head, dossier=returned, submitted_on=d(2021, 11, 8))


def test_a_returned_dossier_under_decree_86_is_resent_with_an_answer_without_a_new_meeting_or_posting(
    district, hamlet_head, commune_officer, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2024,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    services.return_dossier(actor=commune_officer, dossier=dossier, reason="Cần bản chụp biên bản rõ hơn")
    dossier.refresh_from_db()
    meetings, postings = dossier.meetings.count(), dossier.postings.count()
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2024, 11, 20),
                            answer="Đã gửi lại bản chụp rõ nét")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert (dossier.meetings.count(), dossier.postings.count()) == (meetings, postings)


def test_the_returned_task_opens_on_the_reason_and_the_resend_needs_an_answer_that_stays_on_the_dossier_page(
    client, returned, hamlet_head, commune_officer
):
    client.force_login(hamlet_head)
    inbox = text(client.get(reverse("workflows:home")))
    assert f'class="btn primary" href="{url("submit", returned)}"' in inbox
    page = client.get(url("submit", returned))
    assert page.status_code == 200
    html = text(page)
    assert "Returned by Gia Kiệm because: Thiếu biên bản họp có chữ ký" in html
    assert 'name="answer"' in html

    response = client.post(url("submit", returned), {"expected_revision": returned.revision,
                                                      "submitted_on": "08/11/2021", "answer": "",
                                                      "dates_confirmed": "on"})
    assert response.status_code == 400 and "Answer it before sending again" in text(response)
    response = client.post(url("submit", returned), {"expected_revision": returned.revision,
                                                      "submitted_on": "08/11/2021", "dates_confirmed": "on",
                                                      "answer": "Đã bổ sung biên bản có chữ ký"})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == DossierState.SUBMITTED

    # Returned a second time: both returns and the first answer stay visible.
    services.return_dossier(actor=commune_officer, dossier=returned, reason="Sai ngày họp")
    history = text(client.get(url("dossier", returned))).split('data-testid="return-history"')[1]
    assert history.index("Thiếu biên bản họp có chữ ký") < history.index("Đã bổ sung biên bản có chữ ký") \
        < history.index("Sai ngày họp")
    assert "Not yet answered." in history
    [answered] = AuditEvent.objects.filter(case_id=returned.case_id, action="submit", from_state=DossierState.RETURNED)
    assert answered.payload["answer"] == "Đã bổ sung biên bản có chữ ký"


def test_a_return_answered_by_a_new_meeting_shows_as_answered_in_the_return_history(
    client, returned, hamlet_head
):
    meet(head=hamlet_head, dossier=returned, held_on=d(2021, 11, 6))
    services.submit_dossier(actor=hamlet_head, dossier=returned, submitted_on=d(2021, 11, 8))
    client.force_login(hamlet_head)
    history = text(client.get(url("dossier", returned))).split('data-testid="return-history"')[1]
    assert "Thiếu biên bản họp có chữ ký" in history
    assert "Not yet answered." not in history and "corrected without a note" in history


def test_the_front_heads_task_on_a_returned_dossier_opens_on_the_return_reason(client, returned, hamlet_front_head):
    client.force_login(hamlet_front_head)
    inbox = text(client.get(reverse("workflows:home")))
    assert f'class="btn primary" href="{url("assessments", returned)}"' in inbox
    page = text(client.get(url("assessments", returned)))
    assert "Returned by Gia Kiệm because: Thiếu biên bản họp có chữ ký" in page.split('data-testid="return-reason"')[1]


def test_a_send_form_of_a_dossier_never_returned_asks_no_answer(client, district, hamlet_head, family_title,
                                                                 households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    client.force_login(hamlet_head)
    html = text(client.get(url("submit", dossier)))
    assert 'name="submitted_on"' in html and 'name="answer"' not in html
    assert 'data-testid="return-history"' not in text(client.get(url("dossier", dossier)))


# ---------------------------------------------------------------- the hamlet learns the appraisal's outcome

def test_the_hamlet_is_notified_of_the_appraisal_with_the_households_struck(
    submitted, commune_officer, hamlet_head, hamlet_front_head, commune_chair
):
    first, *_ = rows(submitted)
    services.appraise_dossier(actor=commune_officer, dossier=submitted, strikes={first.pk: "Vi phạm hương ước"})
    for officer in (hamlet_head, hamlet_front_head):
        [note] = Notification.objects.filter(recipient=officer, kind="appraisal_result")
        # Messages are written in the site language (Vietnamese): they travel by SMS and email.
        assert "chấp nhận 2 hộ gia đình, loại 1" in note.text
        assert f"{first.household.head_name} (Vi phạm hương ước)" in note.text
        assert note.url == f"/dossiers/{submitted.pk}/"
    assert not Notification.objects.filter(recipient=commune_chair, kind="appraisal_result").exists()


def test_a_long_accepted_list_starts_folded_under_its_title_and_the_struck_stay_open(
    client, district, hamlet_head, commune_officer, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(22))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    first, *others = rows(dossier)
    client.force_login(commune_officer)
    html = text(client.post(url("appraise", dossier), {"expected_revision": dossier.revision,
                                                        f"reason_{first.pk}": "Vi phạm hương ước"}))
    struck, accepted = html.split("<h2>Struck")[1].split("<h2>Accepted")
    assert "<details>" not in struck and first.household.head_name in struck
    assert "<details><summary>Show the list</summary>" in accepted
    assert all(n.household.head_name in accepted for n in others)
