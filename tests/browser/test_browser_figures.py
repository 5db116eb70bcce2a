"""The district chair reads the cultural hamlet rate on a 360 px phone: the communes' rows stacked under
headings that name hamlets, the charts drawn, nothing wider than the screen."""

import pytest

from titles.models import TitleType

from ..figures.scenario import YEAR, district_rounds
from .support import MARKS, log_in

pytestmark = MARKS


@pytest.fixture
def rounds(district, commune_officer, commune_chair, other_commune_officer):
    title = TitleType.objects.get(code="ap-khu-pho-van-hoa")
    district_rounds(district, title, commune_officer=commune_officer, commune_chair=commune_chair,
                    other_commune_officer=other_commune_officer)
    return title


def test_the_district_reads_the_cultural_hamlet_rate_by_commune_on_a_phone(
        live_server, phone, district, district_chair, rounds, tmp_path):
    log_in(phone, live_server, district_chair)

    phone.goto(f"{live_server.url}/dashboard/?unit={district.district.pk}&title_type={rounds.pk}&year={YEAR}")

    assert "2 recognized of 7 hamlets" in phone.inner_text("main")
    row = phone.locator("table.stack tbody tr", has_text="Gia Kiệm")
    # A stacked row labels each figure with its column's heading.
    assert row.locator("td[data-label=Hamlets]").inner_text() == "3"
    assert row.locator("td[data-label=Recognized]").inner_text() == "2"
    assert "Households" not in phone.inner_text("main")
    phone.wait_for_function("document.getElementById('rate-chart').width > 0")
    phone.wait_for_function("document.getElementById('years-chart').width > 0")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(tmp_path / "dashboard-hamlets-360.png"), full_page=True)
