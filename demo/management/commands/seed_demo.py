"""`manage.py seed_demo`: load the demo district and print the demo accounts."""

import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from demo.seed import seed
from documents.services import check_publication_deadlines
from workflows.services.deadlines import check_deadlines
from workflows.models import DossierState

SAFE_SMS_BACKEND = "notifications.channels.sms.LoggingSmsBackend"


@contextmanager
def relaxed_durability():
    """Skip the disk flush after each commit while the demo loads.

    The workflow services notify households by SMS after commit, and delivery
    records each message in its own autocommitted UPDATE: thousands of fsyncs
    that would make `make run` wait most of a minute. A crash meanwhile can only
    lose the demo rows just written, which a re-run recreates. Inside a caller's
    transaction the setting cannot change (SQLite) and is the caller's business.
    """
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            previous = cursor.execute("PRAGMA synchronous").fetchone()[0]
            cursor.execute("PRAGMA synchronous = OFF")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {int(previous)}")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    else:
        yield


class Command(BaseCommand):
    help = _("Load the demo Thống Nhất district (both eras), its dossiers and an account for every role. "
             "Idempotent.")

    def handle(self, *args, **options):
        if settings.SMS_BACKEND != SAFE_SMS_BACKEND:
            # The demo households' phone numbers are invented and may well belong to real people.
            raise CommandError(
                _("The demo sends SMS to invented phone numbers; run it only with SMS_BACKEND=%(safe)s "
                  "(now: %(current)s).") % {"safe": SAFE_SMS_BACKEND, "current": settings.SMS_BACKEND}
            )
        started = time.monotonic()
        with relaxed_durability():
            report = seed()
        # What the hourly scheduler would do: remind and escalate the demo's due and overdue steps.
        alerts = check_deadlines() + check_publication_deadlines()
        self.stdout.write(
            _("Demo data ready in %(seconds).1f s: %(units)s units and %(households)s households created, "
              "%(moved)s households moved to the 2025 hamlets.")
            % {"seconds": time.monotonic() - started, "units": report.units_created,
               "households": report.households_created, "moved": report.households_moved}
        )
        self.stdout.write(
            _("2021 (Decree 122/2018, former units): %(dossiers)s.")
            % {"dossiers": ", ".join(f"#{d.pk} {d.unit.name} ({d.get_state_display()})"
                                     for d in report.dossiers_2021)}
        )
        if report.hamlet_dossiers_2021:
            first = report.hamlet_dossiers_2021[0]
            self.stdout.write(
                _("2021, %(title)s (Decree 122/2018, decided by %(unit)s): %(dossiers)s.")
                % {"title": first.title_type, "unit": first.deciding_unit.name,
                   "dossiers": ", ".join(f"#{d.pk} {d.unit.name} ({d.get_state_display()})"
                                         for d in report.hamlet_dossiers_2021)}
            )
        self.stdout.write(
            _("Deadline check: %(n)s reminders or escalations written.") % {"n": len(alerts)}
        )
        self.stdout.write(_("%(year)s (current units):") % {"year": report.year})
        for dossier in report.dossiers.values():
            self.stdout.write(f"  #{dossier.pk} {dossier.unit.name}: {dossier.get_state_display()}")
        if report.hamlet_dossiers:
            title = next(iter(report.hamlet_dossiers.values())).title_type
            self.stdout.write(_("%(year)s, %(title)s (decided by each commune's chair):")
                              % {"year": report.year, "title": title})
            for dossier in report.hamlet_dossiers.values():
                state = dossier.get_state_display()
                if dossier.households_count and dossier.state == DossierState.OPEN:
                    state = _("%(state)s, %(n)s registered") % {"state": state, "n": dossier.households_count}
                self.stdout.write(f"  #{dossier.pk} {dossier.unit.name}: {state}")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo accounts (http://127.0.0.1:8000/)")))
        header = (_("Username"), _("Password"), _("Role"), _("Unit"), _("Try first"))
        rows = [header, *report.accounts]
        widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
        for number, row in enumerate(rows):
            cells = [str(cell).ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
            self.stdout.write("  ".join([*cells, str(row[4])]).rstrip())
            if number == 0:
                self.stdout.write("  ".join("-" * w for w in [*widths, len(str(header[4]))]))
