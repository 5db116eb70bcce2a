"""`manage.py seed_demo`: the demo district in its two eras, through the real services."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from django.urls import reverse

from demo.accounts import DEMO_PASSWORD
from demo.rounds import story_year
from directory.models import Household, Level, Membership, Role, Unit, UnitKind
from directory.selectors import find_acting
from evaluations.models import Inspection, PoorHousehold, Report, ReportState, RoadmapTarget, Sponsor
from notifications.models import Notification
from titles.models import Award
from workflows.models import AuditEvent, Dossier, DossierState, Nomination, NominationState

FAMILY, HAMLET_TITLE = "gia-dinh-van-hoa", "ap-khu-pho-van-hoa"

OLD_FROM, OLD_TO, NEW_FROM = datetime.date(2019, 7, 1), datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
COMMUNES_2019 = {
    "Thị trấn Dầu Giây", "Xã Bàu Hàm 2", "Xã Gia Kiệm", "Xã Gia Tân 1", "Xã Gia Tân 2", "Xã Gia Tân 3",
    "Xã Hưng Lộc", "Xã Lộ 25", "Xã Quang Trung", "Xã Xuân Thiện",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at the end.

    Each test runs in its own savepoint within it, so tests stay independent
    while the seed (the slow part) runs once.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _unit(name, *, on):
    return Unit.objects.valid_on(on).get(name=name)


@pytest.mark.django_db
def test_the_2019_district_has_its_ten_communes_and_the_township_its_four_quarters(seeded):
    district = Unit.objects.get(level=Level.DISTRICT, name="Huyện Thống Nhất")
    communes = Unit.objects.filter(parent=district, level=Level.COMMUNE)
    assert set(communes.values_list("name", flat=True)) == COMMUNES_2019
    assert set(communes.values_list("valid_from", "valid_to")) == {(OLD_FROM, OLD_TO)}
    township = communes.get(name="Thị trấn Dầu Giây")
    assert township.kind == UnitKind.THI_TRAN
    assert set(township.children.values_list("name", "kind")) == {
        ("Khu phố Lập Thành", UnitKind.KHU_PHO), ("Khu phố Trần Cao Vân", UnitKind.KHU_PHO),
        ("Khu phố Trần Hưng Đạo", UnitKind.KHU_PHO), ("Khu phố Phan Bội Châu", UnitKind.KHU_PHO),
    }
    for commune in communes.exclude(pk=township.pk):
        hamlets = commune.children.all()
        assert 3 <= len(hamlets) <= 5
        assert all(h.kind == UnitKind.AP and "illustrative" in h.note for h in hamlets)
    assert district.valid_to == OLD_TO


@pytest.mark.django_db
def test_from_july_2025_merged_communes_sit_directly_under_the_province(seeded):
    today = timezone.localdate()
    assert not Unit.objects.valid_on(today).filter(level=Level.DISTRICT).exists()
    province = Unit.objects.get(level=Level.PROVINCE, name="Tỉnh Đồng Nai")
    dau_giay = _unit("Xã Dầu Giây", on=today)
    assert dau_giay.parent == province and dau_giay.valid_from == NEW_FROM
    merged_hamlets = set(dau_giay.children.values_list("name", flat=True))
    assert {"Khu phố Trần Cao Vân", "Ấp Hưng Nhơn", "Ấp Ngô Quyền", "Ấp Lạc Sơn"} <= merged_hamlets
    others = Unit.objects.valid_on(today).filter(level=Level.COMMUNE).exclude(pk=dau_giay.pk)
    assert others and all("illustrative" in c.note for c in others)
    # Every 2019 hamlet ended on 2025-06-30 and every household now lives in a current hamlet.
    assert not Unit.objects.filter(level=Level.HAMLET, valid_from=OLD_FROM).exclude(valid_to=OLD_TO).exists()
    assert not Household.objects.exclude(hamlet__in=Unit.objects.valid_on(today)).exists()
    assert 2000 <= Household.objects.count() <= 3500


@pytest.mark.django_db
def test_households_have_vietnamese_names_addresses_and_phones(seeded):
    households = list(Household.objects.all())
    assert len({h.head_name for h in households}) > len(households) // 3
    assert any(h.head_name.startswith("Nguyễn ") for h in households)
    assert all(h.address.startswith("Số ") and 1 <= h.members <= 8 for h in households)
    phones = [h.phone for h in households if h.phone]
    assert len(phones) > len(households) * 0.8
    assert all(len(p) == 10 and p.startswith("0") and p.isdigit() for p in phones)


@pytest.mark.django_db
def test_2021_dossiers_were_decided_under_decree_122_on_the_old_units(seeded):
    dossiers = list(Dossier.objects.filter(year=2021, title_type__code=FAMILY)
                    .select_related("unit", "rule_set", "deciding_unit"))
    assert len(dossiers) >= 3
    for dossier in dossiers:
        assert dossier.state == DossierState.DECIDED
        assert dossier.rule_set.code == "gdvh-nd122-2018"
        assert dossier.unit.valid_to == OLD_TO and dossier.deciding_unit.name == "Thị trấn Dầu Giây"
        states = set(dossier.nominations.values_list("state", flat=True))
        assert {NominationState.RECOGNIZED, NominationState.STRUCK, NominationState.NOT_PROPOSED} <= states
        assert dossier.nominations.filter(state=NominationState.STRUCK).count() == 1
        recognized = dossier.nominations.filter(state=NominationState.RECOGNIZED).count()
        assert Award.objects.filter(year=2021, decision__dossier=dossier).count() == recognized > 0
        decide = AuditEvent.objects.get(case_id=dossier.case_id, action="decide")
        assert (decide.actor_name, decide.role, decide.unit) == ("chutich.daugiay", Role.COMMUNE_CHAIR,
                                                                  dossier.deciding_unit)
    # Not proposed under Decree 122/2018 means fewer than 60% of attendees agreed.
    declined = Nomination.objects.filter(year=2021, title_type__code=FAMILY,
                                         state=NominationState.NOT_PROPOSED).first()
    assert "60" in declined.reason


@pytest.mark.django_db
def test_2021_actors_can_no_longer_act_on_the_old_units(seeded):
    chair = get_user_model().objects.get(username="chutich.daugiay")
    township = Unit.objects.get(name="Thị trấn Dầu Giây")
    assert Membership.objects.get(user=chair, unit=township).until == OLD_TO
    assert find_acting(chair, township, "decide_title") is None
    assert find_acting(chair, _unit("Xã Dầu Giây", on=timezone.localdate()), "decide_title") is not None


@pytest.mark.django_db
def test_the_current_year_has_a_dossier_in_every_state_under_the_new_units(seeded):
    today = timezone.localdate()
    year = story_year(today)
    dossiers = list(Dossier.objects.filter(year=year, title_type__code=FAMILY).select_related("unit", "rule_set"))
    # Every state of the Cultural Family's route (the emulation council's is a certificate of merit's only).
    assert {d.state for d in dossiers} == set(DossierState.values) - {DossierState.COUNCIL}
    for dossier in dossiers:
        assert dossier.unit.valid_from == NEW_FROM and dossier.unit.parent.name == "Xã Dầu Giây"
        assert dossier.rule_set.code == "gdvh-2025-hai-cap"
        if dossier.rule_set.review_deadline:
            deadline = datetime.date(year, *map(int, dossier.rule_set.review_deadline.split("-")))
            assert all(meeting.held_on < deadline for meeting in dossier.meetings.all())
        for event in dossier.audit_events.all():
            for key in ("registered_on", "assessed_on", "held_on", "starts_on", "submitted_on", "signed_on"):
                if key in event.payload:
                    day = datetime.date.fromisoformat(event.payload[key])
                    assert day.year == year and day <= today
    by_state = {d.state: d for d in dossiers}
    posting = by_state[DossierState.POSTING].postings.get()
    assert posting.ends_on > posting.starts_on and posting.comments.exists()
    assert by_state[DossierState.RETURNED].return_reason
    assert by_state[DossierState.OPEN].nominations.count() > 0
    assert by_state[DossierState.DECIDED].nominations.filter(state=NominationState.RECOGNIZED).exists()
    assert by_state[DossierState.APPRAISED].nominations.filter(state=NominationState.STRUCK).count() == 1


def _dated_acts(dossier):
    for event in dossier.audit_events.all():
        for key in ("registered_on", "assessed_on", "held_on", "starts_on", "submitted_on", "signed_on"):
            if key in event.payload:
                yield datetime.date.fromisoformat(event.payload[key])


@pytest.mark.django_db
def test_2021_hamlet_titles_of_every_former_commune_were_decided_by_the_district_chair(seeded, client):
    district = Unit.objects.get(level=Level.DISTRICT, name="Huyện Thống Nhất")
    dossiers = list(Dossier.objects.filter(year=2021, title_type__code=HAMLET_TITLE)
                    .select_related("unit", "rule_set", "appraising_unit", "deciding_unit"))
    assert {d.unit.name for d in dossiers} == COMMUNES_2019
    for dossier in dossiers:
        assert dossier.state == DossierState.DECIDED and dossier.rule_set.code == "apvh-nd122-2018"
        assert dossier.appraising_unit == dossier.deciding_unit == district
        # The commune lists its own hamlets: every one of them was registered.
        assert set(dossier.nominations.values_list("hamlet", flat=True)) == set(
            dossier.unit.children.values_list("pk", flat=True))
        accept = AuditEvent.objects.get(case_id=dossier.case_id, action="accept")
        decide = AuditEvent.objects.get(case_id=dossier.case_id, action="decide")
        assert (accept.actor_name, accept.role, accept.unit) == ("phongvh.thongnhat", Role.DISTRICT_OFFICE, district)
        assert (decide.actor_name, decide.role, decide.unit) == ("chutich.thongnhat", Role.DISTRICT_CHAIR, district)
        assert all(day.year == 2021 for day in _dated_acts(dossier))
        recognized = dossier.nominations.filter(state=NominationState.RECOGNIZED).count()
        awards = Award.objects.filter(decision__dossier=dossier)
        assert awards.count() == recognized > 0
        assert all(award.hamlet.parent == dossier.unit and award.household is None for award in awards)
    struck = Nomination.objects.get(year=2021, title_type__code=HAMLET_TITLE, state=NominationState.STRUCK)
    assert struck.reason and struck.hamlet.parent.name == "Xã Xuân Thiện"
    # The public check of a certificate names the hamlet and the district's decision.
    award = Award.objects.filter(year=2021, hamlet__name="Khu phố Trần Cao Vân").select_related("decision").get()
    page = client.get(reverse("documents:verify", args=[award.certificate_code]))
    assert page.status_code == 200
    assert "Khu phố Trần Cao Vân" in page.content.decode() and award.decision.number in page.content.decode()


@pytest.mark.django_db
def test_this_years_hamlet_title_has_a_commune_at_every_stage_decided_by_its_chair(seeded):
    today = timezone.localdate()
    year = story_year(today)
    dossiers = list(Dossier.objects.filter(year=year, title_type__code=HAMLET_TITLE)
                    .select_related("unit", "rule_set", "appraising_unit", "deciding_unit"))
    # Every state of the Cultural Family's route (the emulation council's is a certificate of merit's only).
    assert {d.state for d in dossiers} == set(DossierState.values) - {DossierState.COUNCIL}
    for dossier in dossiers:
        assert dossier.unit.level == Level.COMMUNE and dossier.unit.valid_from == NEW_FROM
        assert dossier.rule_set.code == "apvh-2025-hai-cap"
        assert dossier.appraising_unit == dossier.deciding_unit == dossier.unit
        assert all(day.year == year and day <= today for day in _dated_acts(dossier))
        deadline = datetime.date(year, *map(int, dossier.rule_set.review_deadline.split("-")))
        assert all(meeting.held_on < deadline for meeting in dossier.meetings.all())
    opened = [d for d in dossiers if d.state == DossierState.OPEN]
    # One round just opened, and the xã Dầu Giây one with every hamlet registered and
    # self-assessed, waiting for the commune meeting.
    assert sorted(d.nominations.count() for d in opened)[0] == 0
    dau_giay = next(d for d in opened if d.unit.name == "Xã Dầu Giây")
    hamlets = dau_giay.unit.children.filter(level=Level.HAMLET)
    assert dau_giay.nominations.count() == hamlets.count() >= 10
    assert not dau_giay.nominations.filter(self_assessment="").exists() and not dau_giay.meetings.exists()
    decided = next(d for d in dossiers if d.state == DossierState.DECIDED)
    decide = AuditEvent.objects.get(case_id=decided.case_id, action="decide")
    assert (decide.role, decide.unit) == (Role.COMMUNE_CHAIR, decided.unit)
    assert Award.objects.filter(decision__dossier=decided, hamlet__parent=decided.unit).count() == \
        decided.nominations.filter(state=NominationState.RECOGNIZED).count() > 0
    by_state = {d.state: d for d in dossiers}
    assert by_state[DossierState.POSTING].postings.get().comments.filter(nomination__hamlet__isnull=False).exists()
    assert by_state[DossierState.RETURNED].return_reason
    assert by_state[DossierState.APPRAISED].nominations.filter(state=NominationState.STRUCK).count() == 1


@pytest.mark.django_db
def test_the_commune_officer_is_told_to_record_the_commune_meeting_of_hamlets(seeded):
    dau_giay = Dossier.objects.get(year=story_year(timezone.localdate()), title_type__code=HAMLET_TITLE,
                                   unit__name="Xã Dầu Giây")
    line = next(line for line in seeded.splitlines() if line.startswith("canbo.daugiay "))
    assert f"#{dau_giay.pk} " in line
    officer = get_user_model().objects.get(username="canbo.daugiay")
    assert find_acting(officer, dau_giay.unit, "record_review") is not None


@pytest.mark.django_db
def test_the_former_communes_officers_hold_no_role_today(seeded):
    today = timezone.localdate()
    officer = get_user_model().objects.get(username="canbo.hungloc")
    hung_loc = Unit.objects.get(name="Xã Hưng Lộc")
    assert Membership.objects.get(user=officer).until == OLD_TO
    assert not Membership.objects.active_on(today).filter(user=officer).exists()
    assert find_acting(officer, hung_loc, "prepare_dossier") is None
    opened = AuditEvent.objects.get(case__dossier__unit=hung_loc, case__dossier__year=2021, action="open_round")
    assert (opened.actor_name, opened.role) == ("canbo.hungloc", Role.COMMUNE_OFFICER)


@pytest.mark.django_db
def test_every_role_has_an_active_account_with_the_demo_password(seeded):
    today = timezone.localdate()
    active = Membership.objects.active_on(today).select_related("user", "unit")
    assert {m.role for m in active} == set(Role.values)
    users = {m.user for m in active} | {get_user_model().objects.get(username="admin")}
    # One shared hash: checking it once checks every account's password.
    assert len({u.password for u in users}) == 1
    assert next(iter(users)).check_password(DEMO_PASSWORD)
    for membership in active:
        assert membership.user.username.isascii()
        if membership.role in (Role.DISTRICT_OFFICE, Role.DISTRICT_CHAIR, Role.DISTRICT_FRONT_BOARD):
            assert membership.unit.level == Level.DISTRICT
        else:
            assert membership.unit.is_valid_on(today)
    head = active.get(user__username="truongap.trancaovan")
    front = active.get(user__username="truongbanmt.trancaovan")
    assert (head.role, front.role, head.unit) == (Role.HAMLET_HEAD, Role.HAMLET_FRONT_HEAD, front.unit)
    assert get_user_model().objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_the_former_district_can_still_read_its_2021_dossiers(seeded):
    office = get_user_model().objects.get(username="phongvh.thongnhat")
    old_quarter = Dossier.objects.filter(year=2021).first().unit
    assert find_acting(office, old_quarter, "view_unit_dossiers", inherited=True) is not None


@pytest.mark.django_db
def test_the_command_prints_every_demo_account_with_its_password_and_what_to_try(seeded):
    for username in ("admin", "truongap.trancaovan", "truongbanmt.trancaovan", "canbo.daugiay",
                     "chutich.daugiay", "mttq.daugiay", "giamsat.dongnai", "phongvh.thongnhat",
                     "chutich.thongnhat", "mttq.thongnhat"):
        line = next(line for line in seeded.splitlines() if line.startswith(username + " "))
        assert DEMO_PASSWORD in line
    open_dossier = Dossier.objects.get(year=story_year(timezone.localdate()), state=DossierState.OPEN,
                                       title_type__code=FAMILY)
    head_line = next(line for line in seeded.splitlines() if line.startswith("truongap.trancaovan "))
    assert f"#{open_dossier.pk} " in head_line


@pytest.mark.django_db
def test_a_second_run_changes_nothing(seeded):
    models = (Unit, Household, get_user_model(), Membership, Dossier, Nomination, AuditEvent, Award, Notification)
    before = {m.__name__: m.objects.count() for m in models}
    call_command("seed_demo", stdout=StringIO())
    assert {m.__name__: m.objects.count() for m in models} == before


@pytest.mark.django_db
def test_it_refuses_to_run_with_a_real_sms_gateway_and_creates_nothing(settings):
    settings.SMS_BACKEND = "notifications.channels.sms.HttpGatewaySmsBackend"
    before = (Unit.objects.count(), Household.objects.count(), get_user_model().objects.count())
    with pytest.raises(CommandError, match="SMS_BACKEND"):
        call_command("seed_demo", stdout=StringIO())
    assert (Unit.objects.count(), Household.objects.count(), get_user_model().objects.count()) == before


def test_before_march_the_story_plays_in_the_previous_year():
    assert story_year(datetime.date(2027, 2, 28)) == 2026
    assert story_year(datetime.date(2027, 3, 1)) == 2027


@pytest.mark.django_db
def test_lap_thanh_households_with_2019_2021_titles_are_eligible_and_its_merit_round_was_decided(seeded, client):
    """Khu phố Lập Thành held its 2019 and 2020 rounds too: on its (successor) hamlet's 2021 list the
    households with the three years are eligible with their streaks; the 2021 certificate-of-merit
    round was opened from that list and decided by the township's chair within the 15% cap."""
    dossier = Dossier.objects.get(title_type__code="giay-khen-gia-dinh-van-hoa", year=2021)
    assert dossier.state == DossierState.DECIDED and dossier.deciding_unit.name == "Thị trấn Dầu Giây"
    assert 0 < dossier.recognized_count <= max(1, dossier.households_count * 15 // 100)
    award = Award.objects.filter(decision__dossier=dossier).first()
    head = get_user_model().objects.get(username="truongap.lapthanh")
    client.force_login(head)
    client.cookies["django_language"] = "en"
    successor = award.household.hamlet
    page = client.get(reverse("titles:merit", args=["giay-khen-gia-dinh-van-hoa", successor.pk, 2021]))
    text = page.content.decode()
    assert page.status_code == 200 and "2019–2021" in text and "45/QĐ-UBND" in text and "61/QĐ-UBND" in text
    assert "overlaps the 2019–2021 certificate of merit (decision 95/QĐ-UBND)" in text
    verify = client.get(reverse("documents:verify", args=[award.certificate_code])).content.decode()
    assert "đã đạt danh hiệu Gia đình văn hóa 3 năm liên tục (2019–2021)" in verify


@pytest.mark.django_db
def test_the_fronts_evaluation_is_complete_for_2021_and_at_every_stage_this_year(seeded):
    old = Report.objects.filter(year=2021)
    district = old.get(level="district", period="year")
    assert district.state == ReportState.ACCEPTED
    for period in ("half", "year"):
        assert old.filter(level="hamlet", period=period, state=ReportState.ROLLED_UP).count() == 43
        assert old.filter(level="commune", period=period, state=ReportState.ROLLED_UP).count() == 10
    assert district.values.get(code="hamlets").number == 43
    assert Inspection.objects.filter(report__year=2021).count() == 2
    assert Inspection.objects.filter(report__year=2021, reinspection=True).get().passed is not None
    current = Report.objects.filter(year=timezone.localdate().year, level="hamlet")
    stages = {ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED, ReportState.ACCEPTED}
    if timezone.localdate().month > 1:  # the period before the current one, rolled up to the province
        stages.add(ReportState.ROLLED_UP)
    assert stages <= set(current.values_list("state", flat=True))
    assert RoadmapTarget.objects.filter(year=timezone.localdate().year).exists()
    assert PoorHousehold.objects.filter(year=2021).exists() and Sponsor.objects.exists()


@pytest.mark.django_db
def test_this_years_18_november_lists_are_decided_sent_and_open_with_the_front_accounts(seeded):
    head = get_user_model().objects.get(username="truongbanmt.trancaovan")
    hamlet = Membership.objects.filter(user=head, role=Role.HAMLET_FRONT_HEAD).order_by("-since").first().unit
    lists = {d.title_type.code: d for d in Dossier.objects.filter(unit=hamlet, title_type__code__startswith="khen-")}
    assert {code: d.state for code, d in lists.items()} == {
        "khen-thuong-18-11-ca-nhan": DossierState.DECIDED, "khen-thuong-18-11-gia-dinh": DossierState.SUBMITTED,
        "khen-thuong-18-11-tap-the": DossierState.OPEN}
    people = lists["khen-thuong-18-11-ca-nhan"]
    assert Award.objects.filter(nomination__dossier=people).count() == 2
    assert AuditEvent.objects.filter(case=people.case, action="forward").count() == 1
    mttq = get_user_model().objects.get(username="mttq.daugiay")
    assert people.decision.unit == Membership.objects.get(user=mttq, role=Role.COMMUNE_FRONT_CHAIR).unit
