"""Writes of the notifications app: the outbox, who is told what, preferences (the deadlines are the
procedures': workflows.services.deadlines)."""

from ..delivery import deliver, deliver_notifications
from ..tasks import dispatch, redispatch
from . import messages
from .outbox import notify_unit, users_holding, write
from .preferences import mark_read, set_channels

__all__ = [
    "deliver", "deliver_notifications", "dispatch", "mark_read", "messages", "notify_unit",
    "redispatch", "set_channels", "users_holding", "write",
]
