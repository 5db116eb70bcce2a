"""`manage.py redispatch_notifications`: hand pending and retryable deliveries to the workers now."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from notifications import services


class Command(BaseCommand):
    help = _("Re-dispatch the notification deliveries that are still pending or due for a retry.")

    def handle(self, *args, **options):
        self.stdout.write(_("%(n)s deliveries re-dispatched.") % {"n": services.redispatch()})
