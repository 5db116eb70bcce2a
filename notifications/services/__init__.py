"""Writes of the notifications app: the outbox, who is told what, deadlines, preferences."""

from . import messages
from .deadlines import check_deadlines
from .outbox import deliver, deliver_notifications, dispatch, notify_unit, redispatch, users_holding, write
from .preferences import mark_read, set_channels

__all__ = [
    "check_deadlines", "deliver", "deliver_notifications", "dispatch", "mark_read", "messages", "notify_unit",
    "redispatch", "set_channels", "users_holding", "write",
]
