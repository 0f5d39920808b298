"""Reply wording: banned phrases block, courtesy phrases are suggested (pack-defined)."""
from core.contacts import events, violations
from core.errors import DomainError


def lint(hooks, policy, text):
    """All findings on ``text`` from the tenant's pack and the core default."""
    findings = []
    for answer in hooks.shouwen_lint_reply(policy=policy, text=text or ""):
        findings.extend(answer or [])
    return findings


def check(ctx, actor, text, field="text"):
    """Refuse a text with a banned phrase: 422 ``banned_phrase``, with the attempt on record."""
    findings = lint(ctx.hooks, ctx.policy, text)
    banned = [f.phrase for f in findings if f.level == "error"]
    if banned:
        events.record(ctx, "banned_phrase_refused", actor, phrases=banned)
        violations.propose(ctx, "banned_phrase", staff_id=actor.id,
                           department_id=actor.department_id,
                           evidence={"phrases": banned, "text": text[:500]})
        err = DomainError({"zh": "答复含有禁用语：" + "、".join(banned),
                           "en": "The reply contains banned phrases: " + ", ".join(banned)},
                          code="banned_phrase", status=422,
                          fields={field: ["Contains banned phrases: " + ", ".join(banned)]},
                          details={"phrases": banned})
        err.keep = True
        raise err
    return findings


class _Blanks(dict):
    def __missing__(self, key):
        return "______"


def fill(template, **values):
    """Fill a pack template's ``{placeholders}``; unknown ones stay as blanks to write in."""
    try:
        return template.format_map(_Blanks({k: v for k, v in values.items() if v}))
    except (ValueError, IndexError):   # a stray brace in a tenant's template: show it as is
        return template


def template_values(contact, lang="zh"):
    handler = contact.handler or contact.owner
    dept = contact.handler_department
    return {"customer": contact.customer.name, "summary": contact.summary, "ref": contact.ref,
            "handler": handler.name, "department": dept.name(lang) if dept else "",
            "phone": dept.phone if dept else ""}
