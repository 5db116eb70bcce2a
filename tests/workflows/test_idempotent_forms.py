"""Issue 18, item 10: a form sent twice (a double tap on a slow connection) is
recorded once. Every creating form carries a one-time token drawn when the page is
rendered; the second POST is answered "already recorded" and writes nothing."""

import re

import pytest
from django.urls import reverse

from workflows import services
from workflows.models import AuditEvent, Decision, Dossier, Meeting, Nomination, Posting, PostingComment
from workflows.audit.models import Concern

from .scenario import d, meet, open_with_households, send

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Thidua-2026"
ALREADY = "This form was already sent and recorded; it was not recorded a second time."


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def hidden(page, name):
    """The value of the first hidden input `name` on the page, as the browser would send it."""
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def send_twice(client, page_url, post_url, data):
    """Open the page, then send its form twice with the same token and revision."""
    page = client.get(page_url).content.decode()
    data = {**data, "form_token": hidden(page, "form_token")}
    if "expected_revision" in page:
        data["expected_revision"] = hidden(page, "expected_revision")
    first = client.post(post_url, data)
    second = client.post(post_url, data, follow=True)
    return first, second


def posted_dossier(head, hamlet, title, homes):
    dossier = open_with_households(head=head, hamlet=hamlet, title=title, year=2025, households=homes)
    meet(head=head, dossier=dossier, held_on=d(2025, 11, 2))
    dossier.refresh_from_db()
    services.post_list(actor=head, dossier=dossier, starts_on=d(2025, 11, 3), place="Nhà văn hóa ấp")
    dossier.refresh_from_db()
    return dossier


def test_resident_comment_sent_twice_is_recorded_once(client, district, hamlet_head, family_title, households):
    dossier = posted_dossier(hamlet_head, district.hamlet, family_title, households(2))
    url = reverse("workflows:comment", args=[dossier.pk])
    first, second = send_twice(login(client, hamlet_head), url, url, {
        "received_on": "04/11/2025", "author": "Bà Lê Thị Hoa", "text": "Đồng ý với danh sách.", "dates_confirmed": "on"})
    assert first.status_code == 302
    assert PostingComment.objects.filter(posting__dossier=dossier).count() == 1
    assert AuditEvent.objects.filter(case_id=dossier.case_id, action="posting_comment").count() == 1
    assert second.status_code == 200 and ALREADY in second.content.decode()


def test_resident_comment_sent_twice_without_a_token_is_refused_by_the_revision(
    client, district, hamlet_head, family_title, households
):
    dossier = posted_dossier(hamlet_head, district.hamlet, family_title, households(2))
    url = reverse("workflows:comment", args=[dossier.pk])
    login(client, hamlet_head)
    data = {"expected_revision": dossier.revision, "received_on": "04/11/2025", "author": "Ông Tư",
            "text": "Góp ý.", "dates_confirmed": "on"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400 and "Someone else changed this dossier" in again.content.decode()
    assert PostingComment.objects.filter(posting__dossier=dossier).count() == 1


def test_a_refused_form_keeps_its_token_for_the_corrected_resend(
    client, district, hamlet_head, family_title, households
):
    dossier = posted_dossier(hamlet_head, district.hamlet, family_title, households(1))
    url = reverse("workflows:comment", args=[dossier.pk])
    page = login(client, hamlet_head).get(url).content.decode()
    data = {"form_token": hidden(page, "form_token"), "expected_revision": dossier.revision,
            "received_on": "04/11/2025", "author": "Ông Tư", "text": " ", "dates_confirmed": "on"}
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "text": "Góp ý."}).status_code == 302
    assert PostingComment.objects.filter(posting__dossier=dossier).count() == 1


# ---------------------------------------------------------------- every other creating form
# (The dates sent are months old: each form confirms them, as a person would.)

def _register(ctx):
    dossier = services.open_round(actor=ctx.head, unit=ctx.district.hamlet, title_type=ctx.title, year=2025)
    url = reverse("workflows:register", args=[dossier.pk])
    return ctx.head, url, url, {"registered_on": "01/03/2025", "households": [ctx.homes[0].pk],
                                "dates_confirmed": "on"}, \
        lambda: Nomination.objects.count()


def _withdraw(ctx):
    dossier = open_with_households(head=ctx.head, hamlet=ctx.district.hamlet, title=ctx.title, year=2025,
                                   households=ctx.homes)
    url = reverse("workflows:withdraw", args=[dossier.pk, dossier.nominations.first().pk])
    return ctx.head, url, url, {"reason": "Nhầm"}, \
        lambda: AuditEvent.objects.filter(action="withdraw_registration").count()


def _assessments(ctx):
    dossier = open_with_households(head=ctx.head, hamlet=ctx.district.hamlet, title=ctx.title, year=2025,
                                   households=ctx.homes)
    url = reverse("workflows:assessments", args=[dossier.pk])
    return ctx.head, url, url, {"assessed_on": "05/03/2025", "dates_confirmed": "on",
                                f"text_{dossier.nominations.first().pk}": "Tốt"}, \
        lambda: AuditEvent.objects.filter(action="self_assessment").count()


def _meeting(ctx):
    dossier = open_with_households(head=ctx.head, hamlet=ctx.district.hamlet, title=ctx.title, year=2025,
                                   households=ctx.homes)
    data = {"held_on": "02/11/2025", "invited": 40, "present": 30, "method": "show_of_hands", "dates_confirmed": "on"}
    for nomination in dossier.nominations.all():
        data[f"for_{nomination.pk}"], data[f"against_{nomination.pk}"] = 30, 0
    url = reverse("workflows:meeting", args=[dossier.pk])
    return ctx.head, url, url, data, lambda: Meeting.objects.count()


def _posting(ctx):
    dossier = open_with_households(head=ctx.head, hamlet=ctx.district.hamlet, title=ctx.title, year=2025,
                                   households=ctx.homes)
    meet(head=ctx.head, dossier=dossier, held_on=d(2025, 11, 2))
    url = reverse("workflows:posting", args=[dossier.pk])
    return ctx.head, url, url, {"starts_on": "03/11/2025", "place": "Nhà văn hóa", "dates_confirmed": "on"}, lambda: Posting.objects.count()


def _submit(ctx):
    dossier = posted_dossier(ctx.head, ctx.district.hamlet, ctx.title, ctx.homes)
    ends = dossier.postings.get().sendable_from
    url = reverse("workflows:submit", args=[dossier.pk])
    return ctx.head, url, url, {"submitted_on": ends.strftime("%d/%m/%Y"), "dates_confirmed": "on"}, \
        lambda: AuditEvent.objects.filter(action="submit").count()


def _submitted(ctx):
    dossier = open_with_households(head=ctx.head, hamlet=ctx.district.hamlet, title=ctx.title, year=2025,
                                   households=ctx.homes)
    meet(head=ctx.head, dossier=dossier, held_on=d(2025, 11, 2))
    send(head=ctx.head, dossier=dossier)
    return Dossier.objects.get(pk=dossier.pk)


def _appraise(ctx):
    dossier = _submitted(ctx)
    url = reverse("workflows:appraise", args=[dossier.pk])
    return ctx.officer, url, url, {"confirmed": "1"}, lambda: AuditEvent.objects.filter(action="accept").count()


def _return(ctx):
    dossier = _submitted(ctx)
    url = reverse("workflows:return", args=[dossier.pk])
    return ctx.officer, url, url, {"reason": "Thiếu biên bản", "confirmed": "1"}, \
        lambda: AuditEvent.objects.filter(action="return").count()


def _decide(ctx):
    dossier = _submitted(ctx)
    services.appraise_dossier(actor=ctx.officer, dossier=dossier)
    url = reverse("workflows:decide", args=[dossier.pk])
    return ctx.chair, url, url, {"number": "9/QĐ-UBND", "signed_on": "10/12/2025", "signer": "Trần Văn A",
                                    "dates_confirmed": "on"}, \
        lambda: Decision.objects.count()


def _open_round(ctx):
    return ctx.head, reverse("workflows:home"), reverse("workflows:open_round"), \
        {"round": f"{ctx.title.pk}:{ctx.district.hamlet.pk}", "year": 2025}, lambda: Dossier.objects.count()


def _concern(ctx):
    dossier = open_with_households(head=ctx.head, hamlet=ctx.district.hamlet, title=ctx.title, year=2025,
                                   households=ctx.homes)
    url = reverse("workflows:concerns", args=[dossier.pk])
    return ctx.supervisor, url, url, {"action": "raise", "text": "Hộ này có khiếu nại."}, \
        lambda: Concern.objects.count()


def _household_add(ctx):
    from directory.models import Household

    url = reverse("directory:household_add")
    return ctx.head, url, url, {"hamlet": ctx.district.hamlet.pk, "code": "HH-NEW-1", "head_name": "Lê Văn Mới",
                                "address": "Tổ 3", "members": 4, "phone": "", "reason": ""}, \
        lambda: Household.objects.count()


@pytest.mark.parametrize("form", [_household_add, _register, _withdraw, _assessments, _meeting, _posting, _submit, _appraise,
                                  _return, _decide, _open_round, _concern],
                         ids=lambda f: f.__name__.strip("_"))
def test_every_creating_form_sent_twice_is_recorded_once(
    form, client, district, hamlet_head, commune_officer, commune_chair, supervisor, family_title, households
):
    from types import SimpleNamespace

    ctx = SimpleNamespace(district=district, head=hamlet_head, officer=commune_officer, chair=commune_chair,
                          supervisor=supervisor, title=family_title, homes=households(2))
    user, page_url, post_url, data, count = form(ctx)
    before = count()
    first, second = send_twice(login(client, user), page_url, post_url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert count() == before + 1
    assert ALREADY in second.content.decode()
