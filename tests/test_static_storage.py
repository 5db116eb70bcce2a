"""Production's static storage (config.storage): collectstatic of the project's own files succeeds
and gives every file a hashed, compressed copy, the vendored Chart.js (whose source map is not
shipped) included."""

import json

from django.core.management import call_command


def test_the_projects_static_files_collect_under_hashed_names_though_a_vendored_source_map_is_missing(
    tmp_path, settings
):
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/chartjs/chart.umd.min.js", "js/tally.js", "css/app.css"):
        hashed = paths[name]
        assert hashed != name and (tmp_path / hashed).exists() and (tmp_path / f"{hashed}.gz").exists()
