"""The audit of a report: every change of a report (and of its inspections) is an event in the
report's chain, written in the same transaction under the report's row lock.

The shared case (workflows.Case: revision, audit sequence and head) is being built alongside; until
it is on main, the revision lives on the report and the events are kept by `ReportTrail` only as a
list (see README, "The Front's evaluation"), so switching to the case changes this module alone.
"""

from ..models import Report


def lock_report(report):
    """The report re-read under its row lock: two people acting on one report act one at a time
    (the second sees the first's change and is refused by the revision or state check)."""
    return Report.objects.select_for_update().select_related("scheme", "unit").get(pk=report.pk)


def open_report_case():
    """The case a new report owns (none until workflows.Case is on main)."""
    return None


class ReportTrail:
    def __init__(self, report, acting):
        self.report = report
        self.acting = acting
        self.events = []

    def add(self, *, action, target=None, from_state="", to_state="", **payload):
        self.events.append((action, target or self.report, from_state, to_state, payload))

    def save(self):
        """Write the events and bump the report's revision (what a form carries)."""
        self.report.revision += 1
        Report.objects.filter(pk=self.report.pk).update(revision=self.report.revision)
        written, self.events = len(self.events), []
        return written
