from django.core.management.base import BaseCommand

from evaluations.services.loading import load_schemes


class Command(BaseCommand):
    help = "Load the versioned evaluation schemes shipped in evaluations/schemes/."

    def handle(self, *args, **options):
        self.stdout.write(f"{load_schemes()} evaluation schemes loaded.")
