"""Writes of the notifications app: the generic outbox and the users' preferences. Who is told what at
each step, and the deadlines, are the procedures' (workflows.services.messages, workflows.services.deadlines)."""

from ..delivery import deliver, deliver_notifications
from ..tasks import dispatch, redispatch
from .outbox import users_holding, write
from .preferences import mark_read, set_channels

__all__ = [
    "deliver", "deliver_notifications", "dispatch", "mark_read",
    "redispatch", "set_channels", "users_holding", "write",
]
