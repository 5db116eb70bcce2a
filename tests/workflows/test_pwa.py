"""The installable app: a manifest and a service worker whose scope is the whole site."""

import datetime

from django.urls import reverse

from workflows import services

from .scenario import open_with_households
from .test_web_flow import login


def test_the_service_worker_is_served_from_the_root_as_javascript_allowed_the_whole_site(client):
    response = client.get(reverse("workflows:service_worker"))
    assert response.status_code == 200 and reverse("workflows:service_worker") == "/sw.js"
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "/static/js/tally.js" in body and "/static/vendor/idb/idb.umd.js" in body


def test_the_manifest_names_the_app_and_every_page_links_it(client):
    manifest = client.get(reverse("workflows:manifest"))
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == "/" and data["display"] == "standalone" and data["icons"]
    page = client.get(reverse("login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page and 'data-sw="/sw.js"' in page


def test_the_tally_page_names_the_dossiers_revision_for_the_phones_copy_to_be_checked_against(
    client, district, hamlet_head, hamlet_front_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    login(client, hamlet_head)
    url = reverse("workflows:meeting", args=[dossier.pk])
    before = client.get(url)
    dossier.refresh_from_db()
    assert before["X-Dossier-Revision"] == str(dossier.revision)
    assert f'name="expected_revision" value="{dossier.revision}"' in before.content.decode()
    # Someone records the meeting from another device: the page now names another revision.
    votes = {n.pk: (30, 0) for n in dossier.nominations.all()}
    services.record_meeting(actor=hamlet_front_head, dossier=dossier, held_on=datetime.date(2025, 11, 2), invited=40,
                            present=30, method="show_of_hands", votes=votes, dates_confirmed=True)
    after = client.get(url)
    dossier.refresh_from_db()
    assert after["X-Dossier-Revision"] == str(dossier.revision) != before["X-Dossier-Revision"]

