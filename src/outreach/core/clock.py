"""Today's date, as the checks see it.

OUTREACH_TODAY=2027-06-30 makes `check` judge review dates as of that day: staff use it to
see what will be overdue by an event; the test suite pins it so tests never expire.
"""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    value = os.environ.get("OUTREACH_TODAY", "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass   # a malformed override is ignored rather than breaking every command
    return dt.date.today()
