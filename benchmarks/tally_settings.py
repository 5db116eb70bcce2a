"""Settings of the production server benchmarks/tally_page.py starts: config.settings as deployed
(DEBUG=0, WhiteNoise serving the collected files under hashed names, gzip), with the files collected
into the bench's own directory, and only the project's own static files: the pages measured load
nothing else, and collecting viewflow's 140 MB of assets takes minutes."""

from config.settings import *  # noqa: F403 - this module is the production settings plus the two below

STATIC_ROOT = env.path("BENCH_STATIC_ROOT")  # noqa: F405
STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
