"""`manage.py check_deadlines`: reminders and escalations due today (what beat runs hourly).

Useful without a scheduler (local eager mode, cron) and to replay a given day.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from notifications import services


class Command(BaseCommand):
    help = _("Send the deadline reminders and escalations due today (or on --today dd/mm/yyyy).")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="dd/mm/yyyy")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.datetime.strptime(today, "%d/%m/%Y").date()
            except ValueError:
                raise CommandError(_("--today must be a date written dd/mm/yyyy, not “%(value)s”.")
                                   % {"value": today}) from None
        alerts = services.check_deadlines(today=day)
        reminders = sum(1 for a in alerts if a.kind == "reminder")
        self.stdout.write(_("%(r)s reminders and %(e)s escalations written.")
                          % {"r": reminders, "e": len(alerts) - reminders})
