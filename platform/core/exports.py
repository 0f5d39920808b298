"""What every spreadsheet we hand out must do: never let a cell run as a formula.

Customers type the summaries, names and complaint texts we export, so a text such as
``=HYPERLINK("http://evil", "click")`` or ``@SUM(1+1)*cmd|' /C calc'!A0`` would run in the
inspector's Excel or WPS when the register or an assessment is opened (CSV injection, OWASP).
The one rule, for CSV and XLSX alike: a text cell starting with ``= + - @``, a tab or a
carriage return gets a leading apostrophe, which spreadsheets show as a plain-text marker.
Numbers and dates are left as they are, so negative figures stay numbers.
"""
import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """The value as it may go into a spreadsheet cell: texts that would run are defused."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    """A whole row through formula_safe (None stays empty)."""
    return [formula_safe(v) for v in values]


def csv_bytes(header, rows, footer=None):
    """UTF-8 CSV with the BOM Excel needs to read Chinese; every cell formula-safe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row("" if v is None else v for v in row))
    if footer:
        writer.writerow(safe_row([footer]))
    return out.getvalue().encode("utf-8")
