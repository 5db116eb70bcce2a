"""The installable app: a manifest and a service worker whose scope is the whole site."""

from django.urls import reverse


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
