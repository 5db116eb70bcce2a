"""`manage.py check_deadlines`: reminders and escalations due today (what beat runs hourly).

Useful without a scheduler (local eager mode, cron) and to replay a given day. In documents because it
runs every deadline check: the steps of the route (workflows) and the publication of the decided lists.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.services import deadlines

from ... import services


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
        alerts = deadlines.check_deadlines(today=day) + services.check_publication_deadlines(today=day)
        reminders = sum(1 for a in alerts if a.kind == "reminder")
        self.stdout.write(_("%(r)s reminders and %(e)s escalations written.")
                          % {"r": reminders, "e": len(alerts) - reminders})
