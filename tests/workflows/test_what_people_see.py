"""What the pages show (issue 18, "What people see"): deadlines as dates, only the
buttons that can succeed, supervision concerns where they must be answered, and the
hamlet Front head's own tasks."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from workflows import services
from workflows.models import Posting
from workflows.supervision import answer_concern, close_concern, raise_concern

from .scenario import d, meet, open_with_households, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

HOME = reverse("workflows:home")


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name, dossier):
    return reverse(f"workflows:{name}", args=[dossier.pk])


def html_of(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def actions(html):
    return re.findall(r'data-action="([a-z_]+)"', html.split('id="hist-h"')[0])


@pytest.fixture
def dossier_of(district, hamlet_head, family_title, households):
    def make(year, *, until="open", n=2):
        dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=year,
                                       households=households(n))
        if until != "open":
            meet(head=hamlet_head, dossier=dossier)
        if until == "submitted":
            send(head=hamlet_head, dossier=dossier)
        dossier.refresh_from_db()
        return dossier

    return make


def test_overdue_badges_name_the_date_they_were_due(client, dossier_of, hamlet_head):
    dossier = dossier_of(2021, until="reviewed")  # 2021: sent within 3 working days of the meeting, long past
    due = dossier.submission_due.strftime("%d/%m/%Y")
    client.force_login(hamlet_head)
    assert f"Overdue: due {due}" in html_of(client, url("dossier", dossier))
    home = html_of(client, HOME)
    # The task row and the dossier row each name it.
    assert home.count(f'<span class="flag overdue-flag">Overdue: due {due}</span>') == 2


def test_the_rule_set_panel_shows_the_review_deadline_as_a_date_of_the_dossiers_year(
    client, dossier_of, hamlet_head
):
    dossier = dossier_of(2024)
    client.force_login(hamlet_head)
    panel = html_of(client, url("dossier", dossier)).split('class="card rules"')[1].split("</details>")[0]
    assert "<dd>25/11/2024</dd>" in panel
    assert "11-25" not in panel


def test_the_open_round_form_is_hidden_once_the_years_round_is_open(client, district, hamlet_head, family_title):
    client.force_login(hamlet_head)
    assert 'id="open-h"' in html_of(client, HOME)
    services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title,
                        year=timezone.localdate().year)
    assert 'id="open-h"' not in html_of(client, HOME)


def test_sending_is_not_offered_while_the_list_is_posted_and_is_once_sending_opens(
    client, dossier_of, hamlet_head
):
    dossier = dossier_of(2024, until="reviewed")
    posting = services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2024, 11, 3), place="Nhà văn hóa")
    # The posting still runs: its last day is ahead.
    Posting.objects.filter(pk=posting.pk).update(ends_on=timezone.localdate() + datetime.timedelta(days=3))
    client.force_login(hamlet_head)
    page = html_of(client, url("dossier", dossier))
    assert "submit" not in actions(page) and "comment" in actions(page)
    response = client.get(url("submit", dossier))
    assert response.status_code == 302 and response["Location"] == url("dossier", dossier)
    # Comments are received through the last day: sending opens the day after.
    opens = (timezone.localdate() + datetime.timedelta(days=4)).strftime("%d/%m/%Y")
    assert f"can be sent from {opens}" in html_of(client, url("dossier", dossier))
    assert f'href="{url("submit", dossier)}"' not in html_of(client, HOME)

    Posting.objects.filter(pk=posting.pk).update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "submit" in actions(html_of(client, url("dossier", dossier)))
    assert client.get(url("submit", dossier)).status_code == 200


def test_an_open_concern_is_on_the_dossier_page_and_in_the_inbox_of_the_level_that_must_answer(
    client, dossier_of, supervisor, commune_officer, hamlet_head
):
    dossier = dossier_of(2021, until="submitted")
    raise_concern(actor=supervisor, dossier=dossier, text="Biên bản họp thiếu chữ ký của thư ký")
    client.force_login(commune_officer)
    page = html_of(client, url("dossier", dossier)).split('data-testid="concerns"')[1]
    assert "Biên bản họp thiếu chữ ký của thư ký" in page and "Awaiting the answer of Gia Kiệm" in page
    inbox = html_of(client, HOME).split('data-testid="concerns-to-answer"')[1]
    assert "Biên bản họp thiếu chữ ký của thư ký" in inbox
    assert f'href="{reverse("workflows:concerns", args=[dossier.pk])}"' in inbox
    # The hamlet does not answer while the commune has the dossier.
    client.force_login(hamlet_head)
    assert 'data-testid="concerns-to-answer"' not in html_of(client, HOME)
    assert "Biên bản họp thiếu chữ ký của thư ký" in html_of(client, url("dossier", dossier))


def test_the_chair_sees_the_open_concern_before_signing_and_is_offered_no_sign_button_until_it_is_closed(
    client, dossier_of, supervisor, commune_officer, commune_chair
):
    dossier = dossier_of(2021, until="submitted")
    services.appraise_dossier(actor=commune_officer, dossier=dossier)
    concern = raise_concern(actor=supervisor, dossier=dossier, text="Hộ ông Ba chưa đủ điều kiện")
    client.force_login(commune_chair)
    assert "Hộ ông Ba chưa đủ điều kiện" in html_of(client, HOME).split('data-testid="concerns-to-answer"')[1]
    page = html_of(client, url("decide", dossier))
    assert "Hộ ông Ba chưa đủ điều kiện" in page.split('data-testid="notice"')[1]
    assert ">Sign</button>" not in page

    answer_concern(actor=commune_officer, concern=concern, answer="Đã xác minh, đủ điều kiện")
    close_concern(actor=supervisor, concern=concern, note="Chấp nhận")
    page = html_of(client, url("decide", dossier))
    assert 'data-testid="notice"' not in page and ">Sign</button>" in page


def test_the_hamlet_front_heads_inbox_lists_the_review_task_and_opens_the_self_assessments(
    client, dossier_of, hamlet_front_head
):
    dossier = dossier_of(2025)
    client.force_login(hamlet_front_head)
    home = html_of(client, HOME)
    assert re.search(r'id="tasks-h">[^<]*<span class="count">1</span>', home)
    assert f'class="btn primary" href="{url("assessments", dossier)}"' in home
    assert client.get(url("assessments", dossier)).status_code == 200

    meet(head=hamlet_front_head, dossier=dossier)
    home = html_of(client, HOME)
    # Reviewed under the 2025 rules: the Front head posts the list next.
    assert f'class="btn primary" href="{url("posting", dossier)}"' in home


# ---------------------------------------------------------------- units that ceased (item 5)

def _cease(unit, *, successor_name=None):
    """`unit` ceased on 30/06/2025, taken over by a new unit of that name if one is given."""
    from tests.factories import UnitFactory

    unit.valid_to = d(2025, 6, 30)
    if successor_name:
        unit.successor = UnitFactory(level=unit.level, kind=unit.kind, name=successor_name, parent=unit.parent,
                                     valid_from=d(2025, 7, 1))
    unit.save()


def ceased_line(html):
    found = re.search(r'data-testid="unit-ceased">([^<]*)<', html)
    return found and found.group(1)


def test_a_hamlet_that_ceased_is_offered_no_act_and_its_page_names_the_successor_instead(
    client, district, dossier_of, hamlet_head
):
    from workflows.selectors import actions_and_ceased_unit, available_actions

    dossier = dossier_of(2024)
    assert {"register", "assess", "meeting"} <= {a.code for a in available_actions(hamlet_head, dossier)}
    _cease(district.hamlet, successor_name="Ấp Đông Kinh mới")
    dossier.refresh_from_db()
    assert actions_and_ceased_unit(hamlet_head, dossier) == ([], district.hamlet)
    client.force_login(hamlet_head)
    page = html_of(client, url("dossier", dossier))  # reading stays possible
    assert actions(page) == []
    assert ceased_line(page) == ("Ấp Đông Kinh ceased to exist on 30/06/2025; its successor is Ấp Đông Kinh mới. "
                                 "No act can be recorded here for it any more; the dossier stays readable.")
    assert "Ấp Đông Kinh mới" in page


def test_a_commune_that_ceased_is_offered_neither_appraisal_nor_return_and_its_page_says_so(
    client, district, dossier_of, commune_officer, hamlet_head
):
    from workflows.selectors import available_actions

    dossier = dossier_of(2024, until="submitted")
    assert [a.code for a in available_actions(commune_officer, dossier)] == ["appraise", "return"]
    _cease(district.commune, successor_name="Xã Gia Kiệm mới")
    dossier.refresh_from_db()
    assert available_actions(commune_officer, dossier) == []
    client.force_login(commune_officer)
    page = html_of(client, url("dossier", dossier))
    assert actions(page) == []
    assert ceased_line(page).startswith("Gia Kiệm ceased to exist on 30/06/2025; its successor is Xã Gia Kiệm mới.")
    # The hamlet still exists: it is not told that its commune's acts are withheld.
    client.force_login(hamlet_head)
    assert ceased_line(html_of(client, url("dossier", dossier))) is None


def test_a_deciding_unit_that_ceased_without_successor_is_offered_no_signing_and_the_line_names_no_successor(
    client, district, dossier_of, commune_officer, commune_chair
):
    from workflows.selectors import available_actions

    dossier = dossier_of(2024, until="submitted")
    services.appraise_dossier(actor=commune_officer, dossier=dossier)
    dossier.refresh_from_db()
    assert [a.code for a in available_actions(commune_chair, dossier)] == ["decide"]
    _cease(dossier.deciding_unit)
    dossier.refresh_from_db()
    assert available_actions(commune_chair, dossier) == []
    client.force_login(commune_chair)
    page = html_of(client, url("dossier", dossier))
    assert actions(page) == []
    assert ceased_line(page) == (f"{dossier.deciding_unit} ceased to exist on 30/06/2025. No act can be recorded "
                                 "here for it any more; the dossier stays readable.")
