"""The benchmark harness behind `manage.py bench` (see benchmarks/README.md)."""
