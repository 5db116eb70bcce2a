from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """An app only so that `manage.py bench` is found; it has no models and no pages."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
