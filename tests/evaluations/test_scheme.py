"""The evaluation scheme is versioned data with its legal basis and dates; a report keeps its own."""

import datetime
import json

import pytest

from core.errors import RuleViolation
from evaluations.models import Report, Scheme
from evaluations.services import loading, open_report

pytestmark = pytest.mark.django_db


def test_the_illustrative_schemes_are_loaded_with_their_basis_dates_and_route():
    old = Scheme.objects.in_force_on(datetime.date(2021, 12, 31))
    new = Scheme.objects.in_force_on(datetime.date(2026, 6, 30))
    assert old.illustrative and new.illustrative and "83/HD-MTTW-BTT" in old.legal_basis
    assert old.route["commune"] == "district" and new.route["commune"] == "province"
    assert old.effective_to == datetime.date(2025, 6, 30) and new.effective_from == datetime.date(2025, 7, 1)
    assert [c["code"] for c in old.contents] == ["1", "2", "3", "4", "5"]
    assert {"month", "quarter", "half", "year"} <= set(old.periods)
    assert len(old.indicators_for("commune")) >= 40
    bands = [b["label"] for b in old.inspection_rules("hamlet")["bands"]]
    assert bands[:3] == ["Xuất sắc", "Mạnh", "Khá"] and old.reinspection_pass_pct == 80
    assert [b["label"] for b in old.inspection_rules("commune")["bands"]][:2] == ["Vững mạnh", "Khá"]


def test_the_poverty_standard_is_dated():
    assert loading.poverty_standard_for(2026)["code"] == "nd-07-2021"
    assert loading.poverty_standard_for(2027)["code"] == "nd-351-2025"
    assert loading.poverty_standard_for(2027)["income_line"]["rural"] == 2200000


def test_a_scheme_used_by_reports_is_not_rewritten_and_a_2021_report_keeps_its_indicators(front, tmp_path):
    report = open_report(actor=front.people.hamlet_front, unit=front.hamlet, year=2021, period="year")
    source = json.loads((loading.SCHEME_DIR / "thong_nhat_minh_hoa.json").read_text(encoding="utf-8"))
    source["schemes"][0]["indicators"] = source["schemes"][0]["indicators"][:3]
    (tmp_path / "changed.json").write_text(json.dumps(source), encoding="utf-8")
    with pytest.raises(RuleViolation, match="cannot be rewritten"):
        loading.load_schemes(directory=tmp_path)
    report = Report.objects.get(pk=report.pk)
    assert len(report.scheme.indicators_for("hamlet")) > 30


def test_adding_a_province_scheme_is_a_data_change(tmp_path):
    source = json.loads((loading.SCHEME_DIR / "thong_nhat_minh_hoa.json").read_text(encoding="utf-8"))
    real = dict(source["schemes"][1], code="mttq-tinh-x-2030", effective_from="2030-01-01", illustrative=False)
    (tmp_path / "x.json").write_text(json.dumps({"schemes": [real]}), encoding="utf-8")
    loading.load_schemes(directory=tmp_path)
    assert Scheme.objects.in_force_on(datetime.date(2030, 12, 31)).code == "mttq-tinh-x-2030"
