"""`manage.py bench --scale small|district|province`: seed, measure, print, write results.json."""

from django.core.management.base import BaseCommand, CommandError

from ... import runner
from ...measurements import MEASUREMENTS
from ...scales import SCALES


class Command(BaseCommand):
    help = "Benchmark the Cultural Family engine against raw SQL and naive baselines (benchmarks/README.md)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--repeat", type=int, default=5, help="Runs per measurement (the cycle: at most 3).")
        parser.add_argument("--only", default="", help=f"Comma-separated subset of: {', '.join(MEASUREMENTS)}")
        parser.add_argument("--clean", action="store_true", help="Delete this scale's bench data and stop.")
        parser.add_argument("--no-seed", action="store_true",
                            help="Measure on the bench rows already there (e.g. a province seeding stopped early).")
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes the annual cycle shares its communes out to (engine and raw SQL alike); "
                                 "the district's communes act at the same time in use.")
        parser.add_argument("--results", default=None, help="Where to write the JSON (default benchmarks/results.json).")

    def handle(self, *args, scale, repeat, only, clean, no_seed, results, workers, **options):
        names = [n.strip() for n in only.split(",") if n.strip()] or MEASUREMENTS
        unknown = set(names) - set(MEASUREMENTS)
        if unknown:
            raise CommandError(f"Unknown measurement(s): {', '.join(sorted(unknown))}")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        runner.run(SCALES[scale], names=names, repeat=repeat, clean=clean, no_seed=no_seed, results_path=results,
                   workers=workers,
                   log=lambda line: self.stdout.write(line), flush=self.stdout.flush)
