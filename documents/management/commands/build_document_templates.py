from django.core.management.base import BaseCommand

from documents.builder import build_all


class Command(BaseCommand):
    help = "Build the .docx templates of the documents each rule set names (titles/documents/)."

    def handle(self, *args, **options):
        for path in build_all():
            self.stdout.write(str(path))
