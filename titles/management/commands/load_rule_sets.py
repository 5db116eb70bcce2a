from django.core.management.base import BaseCommand

from titles.services import load_rule_sets


class Command(BaseCommand):
    help = "Load the versioned rule sets shipped in titles/rulesets/."

    def handle(self, *args, **options):
        count = load_rule_sets()
        self.stdout.write(f"{count} rule sets loaded.")
