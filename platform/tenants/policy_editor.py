"""The policy editor: a form generated from the policy schema, read back, and saved as a version.

No Flask here: the web view (``tenants.web.policy_admin``) renders the field descriptors this
module builds and hands back the submitted form (any mapping with ``get``/``getlist``).

How it works
    * :func:`build_form` walks :class:`core.policy.schema.PolicySchema` alongside the effective
      document and the pack's default document and yields one :class:`Field` per editable
      value, with its widget (chosen from the marshmallow field type), the pack default and
      whether the tenant overrides it.  Nothing is written per field by hand except the few
      cross-references whose choices come from the document itself (``REFERENCES``).
    * :func:`read_form` turns the submitted form back into a complete proposed document (the
      same walk, driven by the form's names, so rows and deadline rules added in a refused
      attempt are kept).  Values that cannot be converted stay as typed, so the schema
      reports them at their field.
    * ``tenants.policy_overrides`` stores the result as minimal overrides and a new version.
"""
import copy
from dataclasses import dataclass, field

from marshmallow import fields, validate

from core.policy.diff import MISSING  # one sentinel for diffs and "no default"
from core.policy.schema import PolicySchema, RuleOrNone, Text
from core.rules import DEADLINE_KINDS, STAGES, TRANSFER_MODES, TRIGGERS, UNITS

# Sections of the policy editor page; ``calendar`` is edited on the calendar page, the
# directory sections (departments, roles, matter types, channels) on the administration pages.
EDITOR_SECTIONS = ("deadlines", "escalation", "transfer", "callback", "wording", "penalties",
                   "assessment", "reminders")
CALENDAR_SECTIONS = ("calendar",)
NEW = "_new"          # the "add a rule" row of a deadline table
NEW_ROWS = 1          # blank rows offered under a list of rows (escalation chain, sanctions)


@dataclass
class Field:
    path: tuple               # ("deadlines", "reply", "default")
    widget: str               # rule | bilingual | text | textarea | integer | number | boolean
    #                           | choice | multi | lines | periods | rows
    value: object = None
    default: object = MISSING
    choices: list = field(default_factory=list)
    columns: list = field(default_factory=list)     # rows: one list of Fields per row
    optional: bool = False    # blank allowed (None)

    @property
    def name(self):
        return ".".join(str(p) for p in self.path)

    @property
    def overridden(self):
        return self.default is MISSING or self.value != self.default

    @property
    def section(self):
        return self.path[0]


# -- choices that come from the document itself ------------------------------------------

def _departments(doc):
    return [d["code"] for d in doc.get("departments", [])]


def _triggers(doc):
    kinds = list(DEADLINE_KINDS) + [k for k in doc.get("deadlines", {}) if k not in DEADLINE_KINDS]
    return list(TRIGGERS) + ["deadline.*"] + [f"deadline.{k}" for k in kinds]


REFERENCES = {
    ("escalation", "chain", "*", "department"): _departments,
    ("escalation", "chain", "*", "role"): lambda doc: [r["key"] for r in doc.get("roles", [])],
    ("transfer", "copy_to"): _departments,
    ("transfer", "wrong_transfer_coordinator"): _departments,
    ("transfer", "handover_approvers"): lambda doc: [r["key"] for r in doc.get("roles", [])],
    ("transfer", "modes"): lambda doc: list(TRANSFER_MODES),
    ("callback", "required_for"): lambda doc: list(doc.get("matter_types", {})),
    ("penalties", "*", "triggers"): _triggers,
    ("assessment", "supervisor"): _departments,
    ("assessment", "report_to"): _departments,
    ("assessment", "components", "*", "rules"): lambda doc: list(doc.get("penalties", {})),
}


def _reference(path, doc):
    for pattern, choices in REFERENCES.items():
        if len(pattern) == len(path) and all(p in ("*", q) for p, q in zip(pattern, path)):
            return choices(doc)
    return None


def selectors(doc):
    """Every selector a deadline rule may use in this document, most general first."""
    out = ["default"] + [f"@{s}" for s in STAGES]
    for key, mt in doc.get("matter_types", {}).items():
        out.append(key)
        out.extend(f"{key}.{cat}" for cat in mt.get("categories", {}))
    return out


def deadline_kinds(doc):
    return list(DEADLINE_KINDS) + [k for k in doc.get("deadlines", {}) if k not in DEADLINE_KINDS]


# -- building the form --------------------------------------------------------------------

def _get(doc, path, missing=MISSING):
    for key in path:
        if isinstance(doc, dict) and key in doc:
            doc = doc[key]
        elif isinstance(doc, list) and isinstance(key, int) and 0 <= key < len(doc):
            doc = doc[key]
        else:
            return missing
    return doc


def _inner(schema_field):
    """The schema class of a Nested field (or None)."""
    if isinstance(schema_field, fields.Nested):
        nested = schema_field.nested
        return nested if isinstance(nested, type) else type(nested)
    return None


def _one_of(schema_field):
    for v in schema_field.validators:
        if isinstance(v, validate.OneOf):
            return list(v.choices)
    return None


def _raw_widget(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "lines"
    return "text"


def _walk(schema_field, path, doc, default, out):
    value, dflt = _get(doc, path, None), _get(default, path)
    inner = _inner(schema_field)
    if isinstance(schema_field, RuleOrNone):
        out.append(Field(path, "rule", value, dflt, choices=list(UNITS), optional=True))
    elif inner is Text:
        out.append(Field(path, "bilingual", value or {}, dflt))
    elif inner is not None:
        for name, sub in inner().fields.items():
            _walk(sub, path + (name,), doc, default, out)
    elif isinstance(schema_field, fields.Dict):
        keys = list((dflt if isinstance(dflt, dict) else {}).keys())
        keys += [k for k in (value or {}) if k not in keys]
        for key in keys:
            _walk(schema_field.value_field or fields.Raw(), path + (key,), doc, default, out)
    elif isinstance(schema_field, fields.List):
        item = schema_field.inner
        if _inner(item) is not None:
            columns = [(n, f) for n, f in _inner(item)().fields.items()]
            rows = []
            for i in range(len(value or []) + NEW_ROWS):
                row = []
                for name, sub in columns:
                    _walk(sub, path + (i, name), doc, default, row)
                rows.append(row)
            out.append(Field(path, "rows", value or [], dflt, columns=rows))
        elif isinstance(item, fields.List):
            out.append(Field(path, "periods", value or [], dflt))
        else:
            choices = _reference(path, doc)
            out.append(Field(path, "multi" if choices is not None else "lines", value or [],
                             dflt, choices=choices or []))
    elif isinstance(schema_field, fields.Raw) and type(schema_field) is fields.Raw:
        sample = dflt if dflt is not MISSING else value
        if isinstance(sample, dict):
            for key in list(sample) + [k for k in (value or {}) if k not in sample]:
                _walk(fields.Raw(), path + (key,), doc, default, out)
        else:
            out.append(Field(path, _raw_widget(sample), value, dflt))
    elif isinstance(schema_field, fields.Boolean):
        out.append(Field(path, "boolean", bool(value), dflt))
    elif isinstance(schema_field, fields.Integer):
        out.append(Field(path, "integer", value, dflt, optional=schema_field.allow_none))
    elif isinstance(schema_field, fields.Float):
        out.append(Field(path, "number", value, dflt))
    else:
        choices = _one_of(schema_field) or _reference(path, doc)
        long_text = any(isinstance(v, validate.Length) and (v.max or 0) > 200
                        for v in schema_field.validators)
        widget = "choice" if choices is not None else "textarea" if long_text else "text"
        out.append(Field(path, widget, value, dflt, choices=choices or [],
                         optional=schema_field.allow_none))


def build_form(doc, default, sections=EDITOR_SECTIONS):
    """``{section: [Field, ...]}`` for the document ``doc`` (effective or proposed)."""
    schema = PolicySchema()
    form = {}
    for section in sections:
        out = []
        _walk(schema.fields[section], (section,), doc, default, out)
        form[section] = out
    return form


# -- reading it back ----------------------------------------------------------------------

def _int(text):
    text = (text or "").strip()
    try:
        return int(text)
    except ValueError:
        return text        # left as typed: the schema says "Not a valid integer."


def _number(text):
    text = (text or "").strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _text(form, name):
    """A text field as typed: browsers submit a textarea's line breaks as CRLF, which would
    otherwise differ from the stored LF text and show as a change on every save."""
    return (form.get(name) or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _lines(text):
    return [line.strip() for line in (text or "").replace("\r", "").split("\n") if line.strip()]


def _periods(text):
    out = []
    for line in _lines(text):
        parts = [p.strip() for p in line.replace("–", "-").replace("~", "-").split("-")]
        out.append([p for p in parts if p])
    return out


def _set(doc, path, value):
    for key in path[:-1]:
        if isinstance(doc, list):
            while len(doc) <= key:
                doc.append({})
            doc = doc[key]
        else:
            doc = doc.setdefault(key, {})
    doc[path[-1]] = value


def _row_indices(form, prefix):
    """Row numbers present in the form under ``prefix`` (``escalation.chain.``)."""
    found = set()
    for name in form.keys():
        if name.startswith(prefix):
            head = name[len(prefix):].split(".")[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


def _read_field(f, form, raw_errors):
    name = f.name
    if f.widget == "rule":
        amount = (form.get(name + ".amount") or "").strip()
        if not amount:
            return None
        return {"amount": _int(amount), "unit": form.get(name + ".unit", "")}
    if f.widget == "bilingual":
        return {"zh": _text(form, name + ".zh"), "en": _text(form, name + ".en")}
    if f.widget == "boolean":
        return form.get(name) in ("1", "on", "true", "yes")
    if f.widget == "integer":
        text = (form.get(name) or "").strip()
        return None if f.optional and not text else _int(text)
    if f.widget == "number":
        value = _number(form.get(name))
        if isinstance(value, str):
            raw_errors[name] = ["Not a valid number."]    # Raw fields would accept it
        return value
    if f.widget == "multi":          # a set: keep the current order, new ones after
        chosen = [v for v in form.getlist(name) if v]
        before = f.value if isinstance(f.value, list) else []
        return [v for v in before if v in chosen] + [v for v in chosen if v not in before]
    if f.widget == "lines":
        items = _lines(form.get(name))
        if isinstance(f.default, list) and f.default and isinstance(f.default[0], float):
            items = [_number(i) for i in items]
        return items
    if f.widget == "periods":
        return _periods(form.get(name))
    if f.widget == "rows":
        return _read_rows(f, form, raw_errors)
    text = _text(form, name)
    return None if f.optional and not text else text


def _read_rows(f, form, raw_errors):
    template = f.columns[-1]                    # the blank row: the columns' widgets
    rows = []
    for i in _row_indices(form, f.name + "."):
        prefix = f.name + f".{i}."
        if form.get(prefix + "_remove"):
            continue
        row, filled = {}, False
        for col in template:
            col_name = col.path[-1]
            cell = Field(f.path + (i, col_name), col.widget, choices=col.choices,
                         optional=col.optional)
            value = _read_field(cell, form, raw_errors)
            # a browser always sends a boolean and a required choice (its first option), so
            # those alone do not fill the blank row
            chosen = col.widget == "boolean" or (col.widget == "choice" and not col.optional)
            filled = filled or (not chosen and value not in (None, "", [], {})
                                and value != {"zh": "", "en": ""})
            row[col_name] = value
        if filled:
            order = _number(form.get(prefix + "_order")) if form.get(prefix + "_order") else i
            rows.append((order if not isinstance(order, str) else i, i, row))
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def _form_deadline_rules(form, kind):
    """Deadline selectors submitted for ``kind`` (rows kept from a refused attempt, added ones)."""
    prefix = f"deadlines.{kind}."
    return {name[len(prefix):-len(".unit")] for name in form.keys()
            if name.startswith(prefix) and name.endswith(".unit")
            and not name[len(prefix):].startswith(NEW + ".")}


def read_form(form, current, default, sections=EDITOR_SECTIONS):
    """The proposed complete document from a submitted form.

    Returns ``(document, errors)``: ``errors`` holds conversion problems the schema cannot
    see (a weight that is not a number); the schema reports everything else on saving.
    """
    doc = copy.deepcopy(current)
    raw_errors = {}
    structure = copy.deepcopy(current)
    if "deadlines" in sections:
        for kind in deadline_kinds(current):
            for selector in _form_deadline_rules(form, kind):
                structure["deadlines"].setdefault(kind, {}).setdefault(selector, None)
    for section, items in build_form(structure, default, sections).items():
        for f in items:
            _set(doc, f.path, _read_field(f, form, raw_errors))
    if "deadlines" in sections:
        for kind in deadline_kinds(current):
            prefix = f"deadlines.{kind}.{NEW}."
            selector = (form.get(prefix + "selector") or "").strip()
            amount = (form.get(prefix + "amount") or "").strip()
            if selector:
                doc["deadlines"].setdefault(kind, {})[selector] = (
                    {"amount": _int(amount), "unit": form.get(prefix + "unit", "")}
                    if amount else None)
    for name in form.getlist("_reset"):
        keys = split_name(name)
        if keys[0] not in sections:
            continue
        dflt = _get(default, keys)
        if dflt is MISSING:
            parent = _get(doc, keys[:-1], None)
            if isinstance(parent, dict):
                parent.pop(keys[-1], None)
        else:
            _set(doc, keys, copy.deepcopy(dflt))
    return doc, _nest(raw_errors)


def split_name(name):
    """A form or error name back to its path (deadline selectors may hold a dot)."""
    parts = [int(p) if p.isdigit() else p for p in name.split(".")]
    if parts[0] == "deadlines" and len(parts) > 3 and parts[3] not in ("amount", "unit", "_key"):
        parts[2:4] = [f"{parts[2]}.{parts[3]}"]
    return tuple(parts)


def _nest(flat):
    out = {}
    for name, messages in flat.items():
        keys = name.split(".")
        node = out
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = messages
    return out
