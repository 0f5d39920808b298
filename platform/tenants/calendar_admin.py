"""A tenant's working calendar: special days, entered official years, and their audit trail.

The calendar's kind, working periods and closing time are part of the policy document (a
new policy version each time).  What lives here are the days that differ from the
statutory calendar:

* the tenant's own closings and openings (``SpecialDay.official = False``), which win over
  everything else;
* an official year schedule (holidays and make-up working days) entered when the State
  Council publishes it and the chinese-calendar library does not know the year yet
  (``official = True``, plus a ``ConfirmedYear``): deadlines in that year stop being flagged
  as computed on an unconfirmed calendar, and open clocks computed on the fallback are
  recomputed at once.

Every change goes through :func:`_changed`: one audit row (who, when, what) and one call to
``core.deadlines.workcalendar.calendar_changed``.  A special day applies to clocks started after it
is set; clocks already running keep their due time, as they keep their policy version.
"""
import re
from datetime import date, timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import delete, select

from core import clock
from core.deadlines import workcalendar
from core.errors import NotFound
from core.extensions import db
from core.tenancy import locks
from core.tenancy.models import ConfirmedYear, SpecialDay
from core.validation import Text
from tenants.calendar_changes import CalendarChange

MAX_RANGE_DAYS = 31
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})"
                   r"(?:\s*(?:~|\.\.|至|到|–|—|\s-\s|/)\s*(\d{4}-\d{2}-\d{2}))?"
                   r"(?:\s+(.*))?$")


class DayRanges(fields.Field):
    """Lines of ``2027-10-01~2027-10-07 National Day`` (or one date, or a list of
    ``{"start", "end", "note"}`` objects from the API) -> ``[(start, end, note)]``."""

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else str(value or "").splitlines()
        out, problems = [], []
        for n, item in enumerate(items, 1):
            if isinstance(item, dict):
                item = f"{item.get('start', '')}~{item.get('end') or item.get('start', '')} " \
                       f"{item.get('note', '')}"
            line = str(item).strip()
            if not line:
                continue
            found = RANGE.match(line)
            try:
                start = date.fromisoformat(found.group(1))
                end = date.fromisoformat(found.group(2) or found.group(1))
            except (AttributeError, ValueError):
                problems.append(f"Line {n}: write a date or a range, e.g. 2027-10-01~2027-10-07.")
                continue
            if end < start or (end - start).days >= MAX_RANGE_DAYS:
                problems.append(f"Line {n}: the range must run forward and last at most "
                                f"{MAX_RANGE_DAYS} days.")
                continue
            out.append((start, end, (found.group(3) or "").strip()[:200]))
        if problems:
            raise ValidationError(problems)
        return out


class SpecialDayIn(Schema):
    day = fields.Date(required=True)
    working = fields.Boolean(required=True)
    note = Text(load_default="", validate=validate.Length(max=200))


class OfficialYearIn(Schema):
    year = fields.Integer(required=True, strict=False, validate=validate.Range(min=2000, max=2100))
    holidays = DayRanges(required=True)
    makeup_days = DayRanges(load_default=list)
    note = Text(load_default="", validate=validate.Length(max=200))

    @validates_schema
    def _consistent(self, data, **kwargs):
        year = data.get("year")
        if year is None:
            return
        errors = {}
        if workcalendar.library_knows(year):
            errors["year"] = ["The calendar library already knows this year's official "
                              "schedule; close or open single days instead."]
        for name in ("holidays", "makeup_days"):
            if any(s.year != year or e.year != year for s, e, _ in data.get(name, [])):
                errors.setdefault(name, []).append(f"Every day must be in {year}.")
        if not data.get("holidays"):
            errors.setdefault("holidays", []).append("Enter at least one holiday.")
        off = {d for r in data.get("holidays", []) for d in days(r)}
        for r in data.get("makeup_days", []):
            for d in days(r):
                if d.weekday() < 5:
                    errors.setdefault("makeup_days", []).append(
                        f"{d.isoformat()} is a weekday: make-up working days fall on weekends.")
                if d in off:
                    errors.setdefault("makeup_days", []).append(
                        f"{d.isoformat()} is also listed as a holiday.")
        if errors:
            raise ValidationError(errors)


def days(day_range):
    start, end, _note = day_range
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _changed(tenant, by, action, **details):
    """The single funnel of calendar changes: audit row + calendar cache hook."""
    db.session.add(CalendarChange(tenant_id=tenant.id, at=clock.now(),
                                  by_id=by.id if by else None, action=action, details=details))
    db.session.flush()
    workcalendar.calendar_changed(tenant.id)


def set_special_day(tenant, by, data):
    """Close or open ``data["day"]`` specially (the tenant's own decision; it replaces an
    official entry for the same day).  ``data`` is loaded by :class:`SpecialDayIn`."""
    locks.tenant_row(tenant)        # every calendar change: one at a time per tenant
    row = db.session.scalars(select(SpecialDay).where(SpecialDay.day == data["day"])).first()
    before = None if row is None else {"working": row.working, "note": row.note,
                                       "official": row.official}
    if row is None:
        row = SpecialDay(tenant_id=tenant.id, day=data["day"])
        db.session.add(row)
    row.working, row.note, row.official = data["working"], data.get("note", ""), False
    _changed(tenant, by, "day_set", day=data["day"].isoformat(), working=data["working"],
             note=row.note, before=before)
    return row


def remove_special_day(tenant, by, row):
    """Forget one special day (own or official): the statutory calendar applies again.
    Removed meanwhile by someone else (two clicks at once): not found (404)."""
    locks.tenant_row(tenant)
    if db.session.scalar(select(SpecialDay.id).where(SpecialDay.id == row.id)) is None:
        raise NotFound({"zh": "该日期已被删除。", "en": "That day has already been removed."})
    _changed(tenant, by, "day_removed", day=row.day.isoformat(), working=row.working,
             note=row.note, official=row.official)
    db.session.delete(row)
    db.session.flush()


def enter_official_year(tenant, by, data):
    """Store a year's official schedule (``data`` loaded by :class:`OfficialYearIn`) and mark
    the year confirmed.  Entering a year again replaces its official days; the tenant's own
    days are kept.  Returns ``(days stored, own days kept, open clocks recomputed)``."""
    locks.tenant_row(tenant)
    year = data["year"]
    db.session.execute(delete(SpecialDay).where(
        SpecialDay.official.is_(True), SpecialDay.day >= date(year, 1, 1),
        SpecialDay.day <= date(year, 12, 31)).execution_options(synchronize_session="fetch"))
    own = set(db.session.scalars(select(SpecialDay.day).where(
        SpecialDay.day >= date(year, 1, 1), SpecialDay.day <= date(year, 12, 31))))
    stored, kept = 0, []
    for working, ranges in ((False, data["holidays"]), (True, data.get("makeup_days", []))):
        for r in ranges:
            for d in days(r):
                if d in own:
                    kept.append(d)
                    continue
                db.session.add(SpecialDay(tenant_id=tenant.id, day=d, working=working,
                                          note=r[2], official=True))
                stored += 1
    if db.session.scalars(select(ConfirmedYear).where(ConfirmedYear.year == year)).first() is None:
        db.session.add(ConfirmedYear(tenant_id=tenant.id, year=year))
    _changed(tenant, by, "year_entered", year=year, note=data.get("note", ""),
             holidays=[_range_text(r) for r in data["holidays"]],
             makeup_days=[_range_text(r) for r in data.get("makeup_days", [])])
    from core.deadlines.sweep import refresh_unconfirmed
    before = _unconfirmed_count()
    refresh_unconfirmed(tenant, clock.now())
    return stored, sorted(kept), before - _unconfirmed_count()


def withdraw_official_year(tenant, by, year):
    """Take an entered year back: its official days go, the year is unconfirmed again."""
    locks.tenant_row(tenant)
    row = db.session.scalars(select(ConfirmedYear).where(ConfirmedYear.year == year)).first()
    if row is None:
        raise ValidationError({"year": ["This year was not entered."]})
    db.session.execute(delete(SpecialDay).where(
        SpecialDay.official.is_(True), SpecialDay.day >= date(year, 1, 1),
        SpecialDay.day <= date(year, 12, 31)).execution_options(synchronize_session="fetch"))
    db.session.delete(row)
    _changed(tenant, by, "year_withdrawn", year=year)


def _unconfirmed_count():
    from sqlalchemy import func

    from core.contacts.models import Deadline
    return db.session.scalar(select(func.count()).select_from(Deadline).where(
        Deadline.status == "open", Deadline.calendar_confirmed.is_(False))) or 0


def _range_text(r):
    start, end, note = r
    text = start.isoformat() if start == end else f"{start.isoformat()}~{end.isoformat()}"
    return f"{text} {note}".strip()


def year_statuses(years):
    """For each year: ``(year, source, change)``; source is ``library`` (chinese-calendar
    knows it), ``entered`` (with the audit row of the latest entry) or ``fallback``."""
    entered = set(db.session.scalars(select(ConfirmedYear.year)))
    changes = {}
    for change in db.session.scalars(select(CalendarChange).where(
            CalendarChange.action == "year_entered").order_by(CalendarChange.id)):
        changes[change.details.get("year")] = change
    out = []
    for year in years:
        if year in entered:
            out.append((year, "entered", changes.get(year)))
        elif workcalendar.library_knows(year):
            out.append((year, "library", None))
        else:
            out.append((year, "fallback", None))
    return out


def special_days(since):
    return db.session.scalars(select(SpecialDay).where(SpecialDay.day >= since)
                              .order_by(SpecialDay.day)).all()


def recent_changes(limit=30):
    return db.session.scalars(select(CalendarChange).order_by(CalendarChange.id.desc())
                              .limit(limit)).all()
