import io

import pytest
from docx import Document

from tests.workflows.scenario import d, through_appraisal
from workflows import services
from workflows.services.registration import register_subjects


def docx_text(content):
    """Every paragraph and table cell of a .docx, as one text (what a reader of the file sees)."""
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def docx_tables(content):
    doc = Document(io.BytesIO(content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


@pytest.fixture
def decided_2025(district, hamlet_head, commune_officer, commune_chair, family_title, households):
    """A 2025 (two-level rule set) dossier through meeting, posting, appraisal (one household struck) and decision."""
    made = households(4)
    dossier = services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=2025)
    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[h.pk for h in made],
                                 registered_on=d(2025, 3, 1))
    noms = {n.household_id: n for n in dossier.nominations.all()}
    votes = {noms[made[0].pk].pk: (28, 2), noms[made[1].pk].pk: (27, 3), noms[made[2].pk].pk: (25, 5),
             noms[made[3].pk].pk: (10, 20)}
    services.record_meeting(actor=hamlet_head, dossier=dossier, held_on=d(2025, 11, 2), invited=40, present=30,
                            method="secret_ballot", votes=votes, chaired_by="Lê Thị Chủ Trì")
    dossier.refresh_from_db()
    posting = services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2025, 11, 3),
                                 place="Nhà văn hóa ấp Đông Kinh")
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=posting.sendable_from)
    dossier.refresh_from_db()
    services.appraise_dossier(actor=commune_officer, dossier=dossier, strikes={noms[made[2].pk].pk: "Chưa đạt"})
    dossier.refresh_from_db()
    services.decide(actor=commune_chair, dossier=dossier, number="77/QĐ-UBND", signed_on=d(2025, 11, 20),
                    signer="Phạm Văn Ký – Chủ tịch UBND xã")
    dossier.refresh_from_db()
    dossier.test_households = made
    return dossier


@pytest.fixture
def decided_2021(district, hamlet_head, commune_officer, commune_chair, family_title, households):
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2021, households=households(3))
    services.decide(actor=commune_chair, dossier=dossier, number="45/QĐ-UBND", signed_on=d(2021, 11, 25),
                    signer="Trần Văn Chủ Tịch")
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def hamlet_title(db):
    from titles.models import TitleType

    return TitleType.objects.get(code="ap-khu-pho-van-hoa")


@pytest.fixture
def quarter(district):
    """A khu phố of the commune beside its two ấp: the wording follows each hamlet's kind."""
    from directory.models import Level, UnitKind
    from tests.factories import UnitFactory

    return UnitFactory(level=Level.HAMLET, kind=UnitKind.KHU_PHO, name="Khu phố Lập Thành",
                       parent=district.commune)


def _decide_hamlets(*, officer, appraiser, chair, commune, title, year, hamlets, votes, strikes=None,
                    number, signed_on, signer):
    dossier = services.open_round(actor=officer, unit=commune, title_type=title, year=year)
    register_subjects(actor=officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                               registered_on=d(year, 3, 1))
    noms = {n.hamlet_id: n for n in dossier.nominations.all()}
    services.record_meeting(actor=officer, dossier=dossier, held_on=d(year, 11, 2), invited=30, present=25,
                            method="show_of_hands", chaired_by="Nguyễn Văn Chủ Trì",
                            votes={noms[h.pk].pk: v for h, v in zip(hamlets, votes)})
    dossier.refresh_from_db()
    if dossier.rule_set.has_step("posting"):
        posting = services.post_list(actor=officer, dossier=dossier, starts_on=d(year, 11, 3),
                                     place="Trụ sở UBND xã Gia Kiệm")
        services.submit_dossier(actor=officer, dossier=dossier, submitted_on=posting.sendable_from)
    else:
        services.submit_dossier(actor=officer, dossier=dossier, submitted_on=d(year, 11, 4))
    dossier.refresh_from_db()
    services.appraise_dossier(actor=appraiser, dossier=dossier,
                              strikes={noms[h.pk].pk: why for h, why in (strikes or {}).items()})
    dossier.refresh_from_db()
    services.decide(actor=chair, dossier=dossier, number=number, signed_on=signed_on, signer=signer)
    dossier.refresh_from_db()
    dossier.test_hamlets = hamlets
    return dossier


@pytest.fixture
def district_office(district):
    from directory.models import Role
    from tests.conftest import _persona

    return _persona("phong_van_hoa", district.district, Role.DISTRICT_OFFICE)


def _gia_kiem_hamlets(district, quarter, hamlet_title, *, officer, appraiser, chair, year, number, signed_on,
                      signer):
    """Gia Kiệm's two ấp and a khu phố through one round of the hamlet title; the third ấp is not proposed."""
    return _decide_hamlets(officer=officer, appraiser=appraiser, chair=chair, commune=district.commune,
                           title=hamlet_title, year=year, hamlets=[district.hamlet, quarter, district.other_hamlet],
                           votes=[(24, 1), (23, 2), (8, 17)], number=number, signed_on=signed_on, signer=signer)


@pytest.fixture
def hamlets_decided_2025(district, quarter, commune_officer, commune_chair, hamlet_title):
    """The 2025 hamlet title: the commune chair decides."""
    return _gia_kiem_hamlets(district, quarter, hamlet_title, officer=commune_officer, appraiser=commune_officer,
                             chair=commune_chair, year=2025, number="88/QĐ-UBND", signed_on=d(2025, 11, 20),
                             signer="Phạm Văn Ký – Chủ tịch UBND xã Gia Kiệm")


@pytest.fixture
def hamlets_decided_2024(district, quarter, commune_officer, district_office, district_chair, hamlet_title):
    """The 2024 hamlet title under Decree 86/2023: the commune council, a posting, the district chair decides."""
    return _gia_kiem_hamlets(district, quarter, hamlet_title, officer=commune_officer, appraiser=district_office,
                             chair=district_chair, year=2024, number="99/QĐ-UBND", signed_on=d(2024, 11, 22),
                             signer="Lê Văn Huyện")


@pytest.fixture
def hamlets_decided_2021(district, quarter, commune_officer, district_office, district_chair, hamlet_title):
    """The 2021 hamlet title under Decree 122/2018: the district chair decides."""
    return _gia_kiem_hamlets(district, quarter, hamlet_title, officer=commune_officer, appraiser=district_office,
                             chair=district_chair, year=2021, number="120/QĐ-UBND", signed_on=d(2021, 11, 25),
                             signer="Lê Văn Huyện – Chủ tịch UBND huyện Thống Nhất")
