"""Every write of the evaluation: reports (and their route), inspections, the roadmap, the ledger."""

from .inspections import record_inspection
from .ledger import add_sponsor, list_households, record_review_result, record_support
from .reports import accept_report, open_report, return_report, save_report, submit_report
from .roadmap import copy_last_year, set_targets

__all__ = ["accept_report", "add_sponsor", "copy_last_year", "list_households", "open_report", "record_inspection",
           "record_review_result", "record_support", "return_report", "save_report", "set_targets", "submit_report"]
