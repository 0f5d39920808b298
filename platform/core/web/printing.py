"""Printable forms of one contact, in its sector's style, from the pack's own wording.

A form is offered when the contact's policy version has its template key in
``wording.templates`` (``FORMS`` lists the keys that are paper forms); nothing here asks
which pack the tenant runs.  The pack template gives the title and the fields in order:

* the first line is the title; a line with `` | `` lists the columns of a register (printed
  for this one contact as label / value rows); a line starting ``【...】`` or ``[...]`` opens
  a part (三联单); other lines are cells split on two or more spaces, ``label:value``;
* ``{placeholders}`` are filled with :func:`core.contacts.wording.fill`;
* a blank (``______``) is filled from the record when its label is one we know
  (``LABELS``), otherwise it stays a line to write on; a satisfaction choice
  (满意 / 基本满意 / 不满意) is ticked from the callback.

Below the pack's fields every form carries the handover record: the first-inquiry owner,
then each department that passed the matter on and who signed for it, with times (the
``transferred`` / ``accepted`` events), and for a coordination one signature line per
department (会签; the lead's agreement is the ``coordination_agreed`` event).
"""
import re

from flask import abort, g, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.contacts import context, wording
from core.contacts.models import Contact, ContactEvent, Transfer
from core.extensions import db
from core.tenancy.models import Department
from core.tenancy.scoping import get_or_404
from core.web import bp, lang
from core.web.labels import CHANNELS, MODES, localized, when

FORMS = ("complaint_slip", "coordination_form", "countersign_form", "record_sheet",
         "three_part_form", "refusal_record", "register_entry")

# Known field labels of the pack forms (normalised: no parentheses, lower case) -> fact.
LABELS = {
    "ref": ("编号", "序号", "ref.", "ref", "no."),
    "received": ("日期时间", "date and time"),
    "channel": ("受理方式", "渠道", "channel"),
    "customer": ("来访人", "客户", "宾客姓名", "业主", "申请人", "来访人 / 办事人", "visitor",
                 "client", "guest", "resident", "applicant", "visitor / applicant"),
    "customer_phone": ("联系电话", "电话", "联系方式", "phone", "contact"),
    "room": ("房号", "room", "unit"),
    "summary": ("事项内容", "内容摘要", "事项摘要", "事项", "来访事由", "申请事项", "matter",
                "summary", "reason for the visit"),
    "matter_type": ("事项类型", "type"),
    "owner": ("首问责任人", "首问人", "first-inquiry owner", "first handler"),
    "handling": ("处理方式", "handling"),
    "department": ("承办部门", "接单部门", "主办部门", "承办单位", "handling department",
                   "receiving department", "lead department"),
    "department_contact": ("承办部门及联系人", "handling department and contact"),
    "signatures": ("交接签字", "各部门签收", "handover signatures",
                   "signatures of each department"),
    "reply_and_result": ("答复时间及结果", "处理结果及回复客户时间", "reply date and result",
                         "result and time the resident was answered"),
    "reply_at": ("答复时间", "答复宾客时间", "reply date", "guest answered at"),
    "result": ("处理结果", "办理结果", "result"),
    "callback": ("回访情况", "跟踪回访", "callback", "follow-up", "callback by the owner"),
    "issuing_department": ("发单部门", "issuing department"),
    "issued_at": ("发单时间", "issued at"),
    "registered": ("登记时间", "时间", "registered at", "at"),
    "registered_by": ("登记人", "registered by"),
    "departments_involved": ("涉及部门", "departments involved"),
    "co_departments": ("协办部门及分工", "supporting departments and their parts"),
    "wrong_transfer": ("转移错误说明", "wrong transfer, if any"),
    "supervisor_decision": ("客户服务主管协调意见", "customer-service supervisor's decision"),
    "received_by": ("接收人签字/时间", "received by"),
    "signed_for_at": ("签收时间", "signed for at"),
    "on_site": ("到场时间", "on site at"),
    "completed": ("完成时间", "办结时间", "done at", "completed on"),
    "dept_opinion": ("部门处理意见及签字", "department's opinion and signature"),
    "comments": ("意见", "comments"),
}
LABEL_FACT = {name: fact for fact, names in LABELS.items() for name in names}

SATISFACTION = (("满意", "基本满意", "不满意"), ("satisfied", "fairly satisfied", "dissatisfied"))
CELLS = re.compile(r"\s{2,}|\u3000+")
COLON = re.compile(r"[:：]")
BLANK = re.compile(r"^(_{3,})(.*)$", re.S)
PART = re.compile(r"^(【[^】]+】|\[[^\]]+\])\s*(.*)$")
PARENS = re.compile(r"[（(][^）)]*[）)]")
PLACEHOLDER = re.compile(r"[（(][^（()）{]*\{[^}]*\}[^（()）]*[）)]|\{[^}]*\}")


def _key(label):
    return " ".join(PARENS.sub("", label).strip().strip(":：").lower().split())


def offered(policy):
    """[(form key, title)] of the printable forms this policy version has."""
    templates = (policy.get("wording") or {}).get("templates") or {}
    out = []
    for key in FORMS:
        if key in templates:
            text = localized(templates[key])
            first = next((line for line in text.split("\n") if line.strip()), key)
            out.append((key, _title(first)[0]))
    return out


def _title(line, values=None):
    """(title, subtitle) of a form's first line: the title without its ``{placeholders}``;
    the rest ("编号 {ref}", "(ref. {ref})") filled in as the subtitle."""
    parts = CELLS.split(line.strip(), 1)
    head, rest = parts[0], parts[1] if len(parts) > 1 else ""
    bare = PLACEHOLDER.sub("", head).strip()
    if bare and bare != head:
        rest = " ".join(m.group(0) for m in PLACEHOLDER.finditer(head)) + " " + rest
    return bare or head, wording.fill(rest.strip(), **(values or {}))


@bp.app_template_global("print_forms")
def print_forms(policy):
    return offered(policy)


def _tick(text, satisfaction):
    """Tick the satisfaction option the customer gave on the callback (1-5: 4 and 5 are
    satisfied, 3 fairly satisfied, 1 and 2 dissatisfied; none yet: nothing ticked)."""
    for options in SATISFACTION:
        plain = " / ".join(options)
        if plain in text:
            chosen = None if satisfaction is None else (
                0 if satisfaction >= 4 else 1 if satisfaction == 3 else 2)
            marked = " / ".join(("☑ " if i == chosen else "☐ ") + o for i, o in enumerate(options))
            return text.replace(plain, marked)
    return text


class _Events:
    """A contact's events by kind, read once, with its departments' names and transfers."""

    def __init__(self, contact):
        lg = lang()
        events = db.session.scalars(select(ContactEvent).where(
            ContactEvent.contact_id == contact.id).order_by(ContactEvent.id)).all()
        depts = db.session.scalars(select(Department)).all()
        self.by_code = {d.code: d.name(lg) for d in depts}
        self.by_id = {d.id: d.name(lg) for d in depts}
        self.transfers = {t.id: t for t in db.session.scalars(
            select(Transfer).where(Transfer.contact_id == contact.id))}
        self.kinds = {}
        for e in events:
            self.kinds.setdefault(e.kind, []).append(e)

    def all(self, kind):
        return self.kinds.get(kind, [])

    def first(self, kind):
        return self.kinds.get(kind, [None])[0]

    def last(self, kind):
        return self.kinds.get(kind, [None])[-1]


def _joined(*parts):
    return " ".join(x for x in parts if x)


def _who(event):
    return event.actor.name if event.actor else ""


def _handovers(ev):
    accepted = {e.details.get("transfer_id"): e for e in ev.all("accepted")}
    handovers = []
    for e in ev.all("transferred"):
        d, t = e.details, ev.transfers.get(e.details.get("transfer_id"))
        sign = accepted.get(d.get("transfer_id"))
        handovers.append({
            "from": ev.by_id.get(t.from_department_id, "") if t else "",
            "by": _who(e), "at": when(e.at),
            "to": ev.by_code.get(d.get("to_department"), d.get("to_department") or ""),
            "mode": str(MODES.get(d.get("mode"), d.get("mode") or "")),
            "note": d.get("note") or "",
            "signed_by": sign.details.get("signed_by") if sign else "",
            "signed_at": when(sign.at) if sign else ""})
    return handovers


def _countersigns(ev):
    """会签: every department of the coordination signs; the lead's agreement is on record."""
    opened, agreed = ev.last("coordination_opened"), ev.last("coordination_agreed")
    if opened is None:
        return []
    codes = [opened.details.get("lead")] + list(opened.details.get("co_departments") or [])
    rows = []
    for i, code in enumerate(codes):
        done = agreed if i == 0 else None
        rows.append({"lead": i == 0, "department": ev.by_code.get(code, code or ""),
                     "by": _who(done) if done else "", "at": when(done.at) if done else ""})
    return rows


def _register_facts(contact, ctx, handovers):
    lg = lang()
    owner = contact.owner
    owner_dept = owner.department.name(lg) if owner.department else ""
    dept = contact.handler_department
    facts = {
        "ref": contact.ref, "received": when(contact.received_at),
        "registered": when(contact.registered_at),
        "registered_by": contact.registered_by.name if contact.registered_by else "",
        "channel": str(CHANNELS.get(contact.channel, contact.channel)),
        "customer": contact.customer.name, "customer_phone": contact.customer.phone,
        "room": contact.customer.room or contact.customer.unit, "summary": contact.summary,
        "matter_type": localized(ctx.policy["matter_types"].get(contact.matter_type, {})
                                 .get("name")) or contact.matter_type,
        "owner": _joined(owner.name, f"({owner_dept})" if owner_dept else "",
                         when(contact.registered_at)),
        "department": dept.name(lg) if dept else "",
        "department_contact": _joined(dept.name(lg) if dept else "",
                                      contact.handler.name if contact.handler else "",
                                      dept.phone if dept else ""),
        "signatures": [_("%(to)s: signed for by %(name)s at %(t)s", to=h["to"],
                         name=h["signed_by"], t=h["signed_at"]) if h["signed_by"] else
                       _("%(to)s: not signed for yet", to=h["to"]) for h in handovers],
        "completed": when(contact.closed_at),
    }
    if handovers:
        facts.update(issuing_department=handovers[0]["from"] or owner_dept,
                     issued_at=handovers[0]["at"], proposed_unit=handovers[0]["to"],
                     reason=handovers[0]["note"])
        signed = [h for h in handovers if h["signed_by"]]
        if signed:
            facts["received_by"] = f"{signed[-1]['signed_by']} {signed[-1]['signed_at']}"
            facts["signed_for_at"] = signed[0]["signed_at"]
    return facts


def _routing_facts(contact, ev, handovers, facts):
    """How the matter was handled: referred, coordinated, transferred or in own duty."""
    if (e := ev.last("referred")) is not None:
        facts["handling"] = _("Referred to %(body)s", body=e.details.get("body", ""))
    elif (e := ev.last("coordination_opened")) is not None:
        lead = ev.by_code.get(e.details.get("lead"), "")
        co = [ev.by_code.get(c, c) for c in e.details.get("co_departments") or []]
        facts.update(handling=_("Coordinated, lead: %(lead)s", lead=lead),
                     departments_involved="、".join([lead] + co), co_departments="、".join(co),
                     reason=facts.get("reason") or e.details.get("reason") or "")
    elif handovers:
        facts["handling"] = _("Transferred to %(department)s (%(mode)s)",
                              department=handovers[-1]["to"], mode=handovers[-1]["mode"])
    elif contact.own_duty:
        facts["handling"] = _("Settled in own duty")
    if (e := ev.last("coordination_agreed")) is not None:
        facts["supervisor_decision"] = _joined(e.details.get("note") or "", _who(e), when(e.at))
    wrong = [e for e in ev.all("accepted") if e.details.get("wrong_transfer")]
    if wrong:
        facts["wrong_transfer"] = _joined(wrong[-1].details.get("note") or _("Wrong department"),
                                          _who(wrong[-1]), when(wrong[-1].at))


def _answer_facts(ev, facts):
    """The reply, the department's report, the visit and the callback."""
    reply, feedback = ev.first("replied"), ev.last("feedback")
    if reply is not None:
        facts["reply_at"] = when(reply.at)
    answer = ev.last("replied") or feedback        # the answer the customer got, else the report
    if answer is not None:
        facts["result"] = answer.details.get("text", "")
        facts["reply_and_result"] = f"{facts.get('reply_at', when(answer.at))} {facts['result']}"
    if feedback is not None:
        facts["dept_opinion"] = _joined(feedback.details.get("text", ""), _who(feedback),
                                        when(feedback.at))
    if (e := ev.first("on_site")) is not None:
        facts["on_site"] = when(e.at)
    if (e := ev.last("called_back")) is not None:
        d = e.details
        facts["callback"] = _joined(
            when(e.at), _who(e),
            _("satisfaction %(n)s/5", n=d["satisfaction"]) if d.get("satisfaction") else "",
            "" if d.get("reached", True) else _("customer not reached"), d.get("note") or "")
        facts["comments"] = d.get("note") or ""


def _facts(contact, ctx):
    """What the record says, by fact name (strings, or lists of lines)."""
    ev = _Events(contact)
    handovers = _handovers(ev)
    facts = _register_facts(contact, ctx, handovers)
    _routing_facts(contact, ev, handovers, facts)
    _answer_facts(ev, facts)
    return {k: v for k, v in facts.items() if v}, handovers, _countersigns(ev)


def _values(contact, facts):
    """The ``{placeholders}`` of the pack templates."""
    values = wording.template_values(contact, lang())
    owner = contact.owner
    values.update(
        subject=contact.summary, owner=owner.name, staff=owner.name,
        date=when(contact.registered_at, "yyyy-MM-dd"),
        registered_at=facts.get("registered", ""), matter=facts.get("matter_type", ""),
        window=owner.department.name(lang()) if owner.department else "",
        handling_unit=facts.get("department", ""),
        proposed_unit=facts.get("proposed_unit", ""), reason=facts.get("reason", ""))
    return values


def _field(label, value, facts, values, satisfaction):
    blank = BLANK.match(value.strip())
    if blank is None:
        return {"label": wording.fill(label, **values),
                "value": _tick(wording.fill(value.strip(), **values), satisfaction)}
    return {"label": wording.fill(label, **values), "value": facts.get(LABEL_FACT.get(_key(
        label))), "remark": wording.fill(blank.group(2).strip(), **values)}


def layout(text, facts, values, satisfaction):
    """((title, subtitle), blocks) of a pack form template; see the module docstring."""
    lines = [line for line in text.split("\n") if line.strip()]
    title = _title(lines[0], values) if lines else ("", "")
    blocks = []
    for raw in lines[1:]:
        raw = raw.strip()
        if " | " in raw:
            blocks.append({"kind": "table", "cells": [
                {"label": wording.fill(col.strip(), **values),
                 "value": facts.get(LABEL_FACT.get(_key(col)))} for col in raw.split("|")]})
            continue
        part = PART.match(raw)
        if part:
            blocks.append({"kind": "part", "title": wording.fill(part.group(1)[1:-1], **values)})
            raw = part.group(2)
        cells = []
        for segment in CELLS.split(raw):
            colon = COLON.search(segment)
            if colon is None:
                cells.append({"note": _tick(wording.fill(segment, **values), satisfaction)})
            else:
                cells.append(_field(segment[:colon.start()], segment[colon.end():], facts,
                                    values, satisfaction))
        if cells:
            blocks.append({"kind": "row", "cells": cells})
    return title, blocks


@bp.get("/contacts/<ref>/print/<form>")
def print_form(ref, form):
    contact = get_or_404(Contact, ref=ref)
    ctx = context.for_contact(g.tenant, contact)
    found = wording.template_text(contact, form, lang()) if form in FORMS else None
    if found is None:
        abort(404)
    facts, handovers, countersigns = _facts(contact, ctx)
    values = _values(contact, facts)
    title, blocks = layout(found[0], facts, values, contact.satisfaction)
    return render_template("web/print_form.html", c=contact, form=form, title=title,
                           blocks=blocks, handovers=handovers, countersigns=countersigns,
                           forms=offered(ctx.policy), replaced=found[1], policy=ctx.policy)
