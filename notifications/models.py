"""The notification outbox, its deliveries per channel, preferences and deadline alerts.

A Notification is written in the same transaction as the change that causes it;
each channel that must carry it gets one Delivery row, unique per
(notification, channel), so a worker can claim it once and never send it twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    # A user, or a household without an account (reached by SMS at its phone).
    # Indexed by (recipient, read_at) below; a meeting writes hundreds of rows at once,
    # so the outbox carries no index that another one already leads with.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications", db_index=False)
    # Not indexed: no page lists a household's messages, and households are
    # deactivated, never deleted (each SMS of a batch would write this index).
    household = models.ForeignKey("directory.Household", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications", db_index=False)
    # "u:<id>" or "h:<id>": lets one unique constraint cover both kinds of recipient.
    recipient_key = models.CharField(max_length=24, default="")
    # What caused the message ("dossier:12:7:submitted"); with recipient_key it makes
    # writing the same event twice (a re-run periodic task) a no-op.
    event = models.CharField(max_length=120, default="")
    kind = models.CharField(max_length=40, blank=True)
    # What the message is about: an audited case (a dossier's, or any other record's: workflows.Case).
    case = models.ForeignKey("workflows.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    # Lists read a user's own notifications (the recipient index) and sort those.
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient_key"], name="one_notification_per_event_recipient"),
        ]

    def __str__(self):
        return self.text[:60]


class Delivery(models.Model):
    """One channel carrying one notification: claimed, sent and recorded once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Failed, gave up")

    # Led by the unique (notification, channel) index.
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries",
                                     db_index=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The address at the time of the event (email or phone), so a later change of
    # preference does not redirect a message already promised.
    address = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_notification_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.notification_id}/{self.channel}: {self.status}"


class ChannelPreference(models.Model):
    """Which channels besides the in-app list a user wants. In-app is always on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email = models.BooleanField(_("by email"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)
    phone = models.CharField(_("phone for SMS"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")


class DeadlineAlert(models.Model):
    """A reminder or an escalation sent for one step's due date.

    Unique per (case, state, due date, kind, period): the periodic task may run
    any number of times, each alert is written, and so sent, once. The case is the
    audited record whose step is due (workflows.Case: a dossier's, or any other kind's).
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Escalation")

    case = models.ForeignKey("workflows.Case", on_delete=models.CASCADE, related_name="deadline_alerts")
    state = models.CharField(max_length=20)
    due_on = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    period = models.PositiveSmallIntegerField(default=0)
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+",
                             help_text=_("The unit alerted: the acting unit or the level above."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "state", "due_on", "kind", "period"],
                                    name="one_alert_per_case_step_period"),
        ]
