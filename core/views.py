"""What every app's pages share."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def already_sent(request, *args, **kwargs):
    """The answer to a form sent a second time (a double tap): where the first one
    led, saying it was recorded once."""
    messages.info(request, already_sent_text())
    return redirect(*args, **kwargs)


def already_sent_text():
    return _("This form was already sent and recorded; it was not recorded a second time.")
