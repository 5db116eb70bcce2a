"""The audit of a report: every change of a report (and of its inspections) is an event in the report's
own chain, on the shared case (workflows.Case: revision, audit sequence and head), written in the same
transaction under the case's row lock. `verify_audit` walks these chains like the dossiers'."""

from workflows.services.audit import AuditTrail, open_case, save_case

from ..models import Report

CASE_KIND = "evaluation_report"


def lock_report(report):
    """The report re-read with its case under the case's row lock: two people acting on one report act
    one at a time (the second sees the first's change and is refused by the revision or state check)."""
    return (Report.objects.select_for_update(of=("self", "case")).select_related("scheme", "unit", "case")
            .get(pk=report.pk))


def open_report_case():
    """The case a new report owns: created first, in the report's transaction."""
    return open_case(CASE_KIND)


class ReportTrail:
    """The events of one service call on one report, chained on its case (locked by the caller)."""

    def __init__(self, report, acting):
        self.report = report
        self.trail = AuditTrail(report.case, acting)
        self.acting = acting

    def add(self, *, action, target=None, from_state="", to_state="", **payload):
        self.trail.add(action=action, target=target or self.report, from_state=from_state, to_state=to_state,
                       **payload)

    def save(self):
        """Chain the events and bump the case's revision (what a form carries)."""
        written = len(self.trail.events)
        save_case(self.report.case, self.trail)
        return written
