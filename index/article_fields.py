"""Article metadata as the corpus gives it, validated: text fields are scalars, dates are real and in range.

Front matter and JSON may hold anything: a list or a YAML alias where a title belongs, a date that does not
exist. A value that cannot be used is left out with a warning; the article itself still loads.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
from typing import Any

# A news article's date lies in this span; anything else is a typo or junk (0000-00-00, 9999-12-31), and
# dates at the ends of Python's calendar break date arithmetic further on.
MIN_YEAR = 1800
MAX_YEAR = 2200
MAX_FIELD_CHARS = 2000  # a title, outlet, author, category or URL longer than this is not one

_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def text_field(value: Any) -> tuple[str | None, str | None]:
    """(the value as text, None) or (None, why it was left out); None, "", "none" and "null" are no value."""
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        # Checked before str(): a YAML alias expands to a nested list whose text is exponentially long.
        return None, f"is a {type(value).__name__}, not text"
    text = str(value).strip()
    if text.lower() in ("", "none", "null"):
        return None, None
    if len(text) > MAX_FIELD_CHARS:
        return None, f"is {len(text):,} characters long, over the {MAX_FIELD_CHARS:,} limit"
    return text, None


# A character reference with its semicolon ("&#039;", "&amp;", "&eacute;"): feeds copied from HTML leave them in
# titles. html.unescape alone would also read "&copy" or "&lt" without one, which plain text ("AT&lt") can hold.
_REFERENCE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_references(text: str) -> str:
    """`text` with its HTML character references written out ("Hamas&#039; attack" → "Hamas' attack")."""
    return _REFERENCE.sub(lambda m: html.unescape(m.group()), text)


def in_range(day: dt.date) -> bool:
    """Whether a day can be a news article's (between MIN_YEAR and MAX_YEAR)."""
    return MIN_YEAR <= day.year <= MAX_YEAR


def check_date(value: Any) -> tuple[str | None, str | None]:
    """(ISO 8601 form, None) of a date given as text or a date object, or (None, why it was left out)."""
    if value is None:
        return None, None
    if isinstance(value, dt.date):  # datetime is a date too; YAML gives both
        return (value.isoformat(), None) if in_range(value) else (None, _out_of_range(value.isoformat()))
    text, problem = text_field(value)
    if text is None:
        return None, problem
    shown = text[:40]
    match = _ISO.match(text)
    moment = _from_iso(match) if match else _from_rfc2822(text)
    if moment is None:
        if match:
            return None, f"{shown!r} is not a real date"
        return None, f"{shown!r} is not a date we can read (write it as YYYY-MM-DD)"
    if not in_range(moment):
        return None, _out_of_range(shown)
    return moment.isoformat(), None


def normalize_date(value: Any) -> str | None:
    """ISO 8601 form of a date given as text or a date object, or None if it is not a readable, plausible date."""
    return check_date(value)[0]


def _out_of_range(shown: str) -> str:
    return f"{shown!r} is outside {MIN_YEAR}–{MAX_YEAR}"


def _from_iso(match: re.Match[str]) -> dt.date | dt.datetime | None:
    year, month, day, clock, fraction, zone = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None  # 2023-02-30, 2023-13-45, 0000-00-00
    if not clock:
        return date
    if clock.count(":") == 1:
        clock += ":00"
    micro = (fraction or "")[:7]  # datetime takes at most 6 fractional digits
    if zone is None or zone.upper() in ("Z", "UTC", "GMT"):
        zone = "+00:00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return dt.datetime.fromisoformat(f"{date.isoformat()}T{clock.zfill(8)}{micro}{zone}")
    except ValueError:
        return None  # 25:61, or a zone past ±24 h


def _from_rfc2822(text: str) -> dt.datetime | None:
    """A date as feeds and e-mail write it: "Wed, 04 Oct 2023 09:30:00 GMT"."""
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment
