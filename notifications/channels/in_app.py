"""In-app: the notification row is the message; the bell and the list read it.

Nothing leaves the server, so sending is only the record that the message is
visible. Kept as a channel so that every message has the same delivery history.
"""


def send(delivery):
    return None
