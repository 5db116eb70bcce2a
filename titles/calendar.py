"""Due dates: working or calendar days, as each rule says."""

import datetime

from .models import DayType, Holiday


def add_days(start, days, day_type):
    """The date `days` days after `start`, counting working days when asked.

    Working days skip Saturdays, Sundays and the public holidays stored as data.
    """
    if days is None:
        return None
    if day_type == DayType.CALENDAR:
        return start + datetime.timedelta(days=days)
    horizon = start + datetime.timedelta(days=days * 3 + 30)
    holidays = set(Holiday.objects.filter(date__gt=start, date__lte=horizon).values_list("date", flat=True))
    day, left = start, days
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


def posting_last_day(rules, starts_on):
    """The last day of a public posting that starts on `starts_on`.

    The one definition read by residents' comments (received through this day)
    and by sending (from the day after: Posting.sendable_from). Whether the posting day itself is day 1
    is the rule set's data (`posting_start_day_counts`, with its legal basis): by
    the Civil Code (2015, art. 147) it is not, so 10 days from 03/11 end on 13/11.
    """
    first_counted_after = starts_on - datetime.timedelta(days=1) if rules.posting_start_day_counts else starts_on
    return add_days(first_counted_after, rules.posting_days, rules.posting_day_type)

