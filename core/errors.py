"""The refusal every service raises, whichever app it is in."""

from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A refused action: the message names the rule and the numbers.

    Raised before anything is written, or inside the transaction so that the
    whole change rolls back: a refusal never leaves a partial write.
    """
