"""The refusals of the workflow services: RuleViolation (core.errors) and the ones that carry more."""

from core.errors import RuleViolation


class DateNeedsConfirmation(RuleViolation):
    """A date that is allowed but unusual (long ago, or in another month than the
    rest of the round): refused until the person who typed it confirms it, so that
    a typo (01/01 for 01/12) does not silently shorten a public posting."""


class TallyRefused(RuleViolation):
    """A tally with wrong rows: every wrong row is named at once, so the hamlet head
    corrects the whole sheet in one go instead of one typo per submission.

    `rows` maps nomination id to the message for that row, in the sheet's order."""

    def __init__(self, rows, message=None):
        self.rows = dict(rows)
        self.summary = message  # what the rows share, if anything (e.g. the meeting they replace)
        super().__init__(message or " ".join(self.rows.values()))
