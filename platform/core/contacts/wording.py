"""Reply wording: banned phrases block, courtesy phrases are suggested (pack-defined)."""
from core.contacts import events, violations
from core.errors import DomainError
from core.policy import templating
from core.policy import versions as policies
from core.policy.plugins import manager


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


def fill(template, **values):
    """Fill a template's ``{placeholders}`` (``core.policy.templating``: names only, never
    attributes or format specs); unknown or empty ones stay as blanks to write in."""
    return templating.fill(template, values)


def template_text(contact, key, lang):
    """(text, replaced) of the template ``key`` of the contact's policy version, in ``lang``;
    when that text uses a placeholder the core does not declare (saved before the check, or
    under an older table), the pack's own default instead, with ``replaced`` True.
    None when the version has no such template."""
    pack_key, policy = policies.load(contact.policy_version_id)
    template = ((policy.get("wording") or {}).get("templates") or {}).get(key)
    if template is None:
        return None
    text = template.get(lang) or template.get("zh") or ""
    if not templating.problems(key, text):
        return text, False
    default = manager().get(pack_key).policy["wording"]["templates"].get(key) or {}
    text = default.get(lang) or default.get("zh") or ""
    return (text if not templating.problems(key, text) else ""), True


def template_values(contact, lang="zh"):
    handler = contact.handler or contact.owner
    dept = contact.handler_department
    return {"customer": contact.customer.name, "summary": contact.summary, "ref": contact.ref,
            "handler": handler.name, "department": dept.name(lang) if dept else "",
            "phone": dept.phone if dept else ""}
