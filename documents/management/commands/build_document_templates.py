from django.core.management.base import BaseCommand

from documents.builder import build_all


class Command(BaseCommand):
    help = "Build the .docx templates of the documents each rule set names (titles/documents/)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Only the templates of these rule sets (all by default).")

    def handle(self, *args, **options):
        for path in build_all(options["codes"]):
            self.stdout.write(str(path))
