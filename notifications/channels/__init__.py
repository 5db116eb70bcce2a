"""One module per channel. Each exposes `send(delivery)`, raising on failure.

A channel learns nothing about the others: the outbox gives each its own
Delivery row and catches each failure separately, so a broken SMS gateway never
holds back an email or the in-app list.
"""

from importlib import import_module

MODULES = {
    "in_app": "notifications.channels.in_app",
    "email": "notifications.channels.email",
    "sms": "notifications.channels.sms",
}


def get_channel(code):
    return import_module(MODULES[code])
