"""The inbox page (workflows:home) with many pending dossiers: what it shows, that
its cost does not grow with them, and that it lists exactly what guardian and
viewflow allow."""

import datetime
import re

import pytest

from workflows.filters import DossierFilterSet
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.models import UserObjectPermission
from viewflow.workflow.models import Process, Task

from directory.models import Level, Unit, UnitKind
from directory.selectors import visible_unit_paths
from guardian.shortcuts import get_objects_for_user
from titles.models import RuleSet
from workflows import selectors_inbox
from workflows.flows import DossierFlow
from workflows.models import CaseKind, Dossier, DossierState
from workflows.services.audit import open_case
from workflows.selectors import visible_dossiers
from workflows.views import common

from ..factories import UnitFactory, UserFactory
from .scenario import open_with_households

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

YEAR = 2025
HOME = reverse("workflows:home")


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def pending(family_title):
    """`n` hamlets under `commune`, each with a dossier submitted to it and its open
    appraisal task: the bench's inbox fixture (benchmarks/seeding.py), in bulk."""
    made = {"n": 0}

    def make(commune, n):
        rule_set = RuleSet.objects.in_force_for(family_title, YEAR)
        unit_type = ContentType.objects.get_for_model(Unit)
        dossiers = []
        for _ in range(n):
            made["n"] += 1
            hamlet = UnitFactory(parent=commune, level=Level.HAMLET, kind=UnitKind.AP, name=f"Ấp chờ {made['n']:03d}")
            process = Process.objects.create(flow_class=DossierFlow, status="NEW")
            dossiers.append(Dossier.objects.create(
                case=open_case(CaseKind.DOSSIER), title_type=family_title, rule_set=rule_set, unit=hamlet, appraising_unit=commune,
                deciding_unit=commune, year=YEAR, state=DossierState.SUBMITTED, process=process,
                submitted_on=datetime.date(YEAR, 11, 14), decision_due=datetime.date(YEAR, 11, 24)))
            Task.objects.create(process=process, flow_task=DossierFlow.appraisal, flow_task_type="HUMAN",
                                status="NEW", owner_permission="directory.appraise_dossier",
                                owner_permission_content_type=unit_type, owner_permission_obj_pk=str(commune.pk))
        return dossiers

    return make


def page(client, **params):
    response = client.get(HOME, params)
    assert response.status_code == 200
    return response.content.decode()


def heading_count(html, section):
    return re.search(rf'id="{section}-h">[^<]*<span class="count">([^<]*)</span>', html).group(1)


def dossier_links(html):
    return re.findall(r'<a class="item-title" href="/dossiers/(\d+)/"', html.split('id="dossiers-h"')[1])


def test_the_inbox_takes_the_same_queries_for_3_and_40_pending_dossiers(client, district, commune_officer, pending):
    client.force_login(commune_officer)
    pending(district.commune, 3)
    page(client)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            html = page(client)
        return len(ctx.captured_queries), html

    few, html = queries()
    assert heading_count(html, "tasks") == "3" and heading_count(html, "dossiers") == "3"
    pending(district.commune, 37)
    many, html = queries()
    assert many == few
    # 40 of each: ten tasks and 25 dossiers a page, with the page totals.
    assert heading_count(html, "tasks") == "40" and heading_count(html, "dossiers") == "40"
    assert html.count('class="btn primary" href="/dossiers/') == 10 and len(dossier_links(html)) == 25
    assert "Page 1 of 4" in html and "Page 1 of 2" in html
    # Each row with its unit, year, state and deadline, in both lists, and the task's next step.
    assert html.count("Ấp chờ 001 · 2025") == 1 and html.count("Decide by 24/11/2025") == 35
    assert html.count('<span class="state state-submitted">Submitted for appraisal</span>') == 35
    assert len(re.findall(r'>Ấp chờ \d+ <span class="muted">\(Gia Kiệm\)</span> · 2025</a>', html)) == 25
    assert re.search(r'class="btn primary" href="/dossiers/\d+/appraise/"', html)


def test_past_the_count_bound_the_lists_say_more_than_and_page_on_without_a_total(
    client, district, commune_officer, pending, monkeypatch
):
    monkeypatch.setattr(common, "COUNT_BOUND", 30)
    dossiers = pending(district.commune, 40)
    client.force_login(commune_officer)

    first = page(client)
    assert heading_count(first, "tasks") == "more than 30" and heading_count(first, "dossiers") == "more than 30"
    assert "Page 1 of" not in first and "Page 1</span>" in first
    assert 'href="?page=2"' in first and 'href="?tasks_page=2"' in first

    # Newest year first, then in unit order: the hamlets were created in that order.
    in_order = [str(d.pk) for d in sorted(dossiers, key=lambda d: d.unit.path)]
    second = page(client, page=2)
    assert dossier_links(first) + dossier_links(second) == in_order
    # Counted to the end of page 2 (50 rows), the total is known again.
    assert heading_count(second, "dossiers") == "40" and "Page 2 of 2" in second


def test_a_page_number_past_the_end_shows_the_last_page_and_a_word_the_first(
    client, district, commune_officer, pending
):
    pending(district.commune, 30)
    client.force_login(commune_officer)
    assert "Page 2 of 2" in page(client, page=99)
    assert "Page 1 of 2" in page(client, page="deux")
    assert "Page 1 of 2" in page(client, page=-3)


def test_above_200_units_the_unit_filter_offers_the_units_above_hamlet_level(
    client, district, commune_officer, monkeypatch
):
    client.force_login(commune_officer)

    def offered():
        select = re.search(r'<select name="unit"[^>]*>(.*?)</select>', page(client), re.S).group(1)
        return re.findall(r"<option value=\"(\d+)\"", select)

    assert offered() == [str(u.pk) for u in (district.commune, district.hamlet, district.other_hamlet)]
    monkeypatch.setattr(selectors_inbox, "FILTER_UNITS_MAX", 2)
    assert offered() == [str(district.commune.pk)]
    # A hamlet no longer offered is no longer accepted as a filter either.
    assert len(dossier_links(page(client, unit=district.hamlet.pk))) == len(dossier_links(page(client)))


def visible_units(user):
    """The units whose dossiers `user` may see, by guardian (selectors.visible_dossiers' rule)."""
    paths = get_objects_for_user(user, "directory.view_unit_dossiers", klass=Unit,
                                 accept_global_perms=False).values_list("path", flat=True)
    assert sorted(paths) == sorted(visible_unit_paths(user))  # the one statement of grants_of agrees
    return [unit for unit in Unit.objects.order_by("path") if unit.path.startswith(tuple(paths))]


def offered_units(user):
    return [unit.pk for unit in selectors_inbox.filter_units(selectors_inbox.grants_of(user))]


def test_the_unit_filter_offers_every_visible_unit_of_several_subtrees_in_path_order(
    district, commune_officer, outsider
):
    UserObjectPermission.objects.assign_perm("view_unit_dossiers", commune_officer, district.other_commune)
    # A commune the officer holds nothing on is left out.
    UnitFactory(parent=district.district, level=Level.COMMUNE, kind=UnitKind.XA, name="Xã khác")
    units = visible_units(commune_officer)
    assert {district.commune, district.other_commune, district.far_hamlet} <= set(units) and len(units) == 5
    assert offered_units(commune_officer) == [unit.pk for unit in units]
    assert offered_units(outsider) == []


def test_a_superuser_may_filter_by_every_unit_and_sees_every_dossier(client, district, pending):
    superuser = UserFactory(username="quan_tri", is_superuser=True)
    assert offered_units(superuser) == list(Unit.objects.order_by("path").values_list("pk", flat=True))
    dossiers = pending(district.commune, 2) + pending(district.other_commune, 1)
    client.force_login(superuser)
    html = page(client)
    assert sorted(dossier_links(html)) == sorted(str(d.pk) for d in dossiers)
    assert heading_count(html, "tasks") == "3" and heading_count(html, "dossiers") == "3"


def test_with_200_visible_units_all_are_offered_and_with_201_those_above_hamlet_level(
    district, commune_officer
):
    assert selectors_inbox.FILTER_UNITS_MAX == 200
    # The commune and its two hamlets, and 197 more hamlets: 200 units.
    for _ in range(197):
        UnitFactory(parent=district.commune)
    units = visible_units(commune_officer)
    assert len(units) == 200
    assert offered_units(commune_officer) == [unit.pk for unit in units]
    UnitFactory(parent=district.commune)
    assert offered_units(commune_officer) == [district.commune.pk]
    # Several subtrees past the bound: the units above hamlet level of each, in path order.
    UserObjectPermission.objects.assign_perm("view_unit_dossiers", commune_officer, district.other_commune)
    assert offered_units(commune_officer) == [district.commune.pk, district.other_commune.pk]


def test_the_filter_form_shows_the_chosen_filters_and_its_errors(client, district, commune_officer):
    client.force_login(commune_officer)
    html = page(client, year=2025, state="submitted", unit=district.hamlet.pk, q='Ấp "1" <b>')
    assert '<label for="id_year">Year</label>' in html
    assert '<input type="number" name="year" value="2025" inputmode="numeric" id="id_year">' in html
    assert '<option value="submitted" selected>Submitted for appraisal</option>' in html
    assert '<option value="">All states</option>' in html
    assert f'<option value="{district.hamlet.pk}" selected>Ấp Đông Kinh</option>' in html
    assert f'<option value="{district.commune.pk}">Gia Kiệm</option>' in html
    assert '<input type="text" name="q" value="Ấp &quot;1&quot; &lt;b&gt;" id="id_q">' in html

    html = page(client, year="abc")
    assert ('<input type="number" name="year" value="abc" inputmode="numeric" aria-invalid="true" '
            'aria-describedby="id_year_error" id="id_year">') in html
    # The error the field's aria-describedby names.
    assert '<div id="id_year_error"><p class="error">Enter a whole number.</p></div>' in html
    assert '<option value="" selected>All states</option>' in html


@pytest.fixture
def everyone(district, hamlet_head, other_hamlet_head, commune_officer, other_commune_officer, commune_chair,
             district_chair, supervisor, outsider):
    superuser = UserFactory(username="quan_tri", is_superuser=True)
    # A model permission (on every unit) counts for viewflow's queue, not for guardian's lists.
    global_officer = UserFactory(username="toan_tinh")
    global_officer.user_permissions.add(Permission.objects.get(codename="appraise_dossier"))
    return [hamlet_head, other_hamlet_head, commune_officer, other_commune_officer, commune_chair, district_chair,
            supervisor, outsider, superuser, global_officer]


def test_tasks_and_dossiers_listed_are_exactly_those_viewflow_and_guardian_allow(
    district, everyone, hamlet_head, other_hamlet_head, family_title, households, pending
):
    open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=YEAR,
                         households=households(2))
    open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title, year=YEAR,
                         households=households(2, hamlet=district.other_hamlet))
    pending(district.commune, 3)
    pending(district.other_commune, 2)
    seen_by_someone = set()
    for user in everyone:
        grants = selectors_inbox.grants_of(user)
        tasks = set(selectors_inbox.open_tasks(user, grants).values_list("pk", flat=True))
        assert tasks == set(Task.objects.user_queue(user).filter(status="NEW").values_list("pk", flat=True)), user
        listed = DossierFilterSet(None, queryset=selectors_inbox.visible_dossiers(grants))
        dossiers = set(selectors_inbox.dossier_list(listed).values_list("pk", flat=True))
        assert dossiers == set(visible_dossiers(user).values_list("pk", flat=True)), user
        seen_by_someone |= dossiers
    assert len(seen_by_someone) == 7


def test_each_user_sees_on_the_page_only_the_dossiers_of_their_units(
    client, district, commune_officer, other_commune_officer, hamlet_head, outsider, pending
):
    ours, theirs = pending(district.commune, 2), pending(district.other_commune, 2)
    for user, mine, not_mine in [(commune_officer, ours, theirs), (other_commune_officer, theirs, ours),
                                 (hamlet_head, [], ours + theirs), (outsider, [], ours + theirs)]:
        client.force_login(user)
        html = page(client)
        assert sorted(dossier_links(html)) == sorted(str(d.pk) for d in mine), user
        assert not any(f"/dossiers/{d.pk}/" in html for d in not_mine), user
        if not mine:
            assert heading_count(html, "dossiers") == "0" and "No dossier matches." in html, user
