"""Due dates: working or calendar days, as each rule says."""

import datetime

from titles.models import DayType, Holiday


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
