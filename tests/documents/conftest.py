import io

import pytest
from docx import Document

from tests.workflows.scenario import d, through_appraisal
from workflows import services


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
