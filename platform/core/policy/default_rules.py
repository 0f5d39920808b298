"""Core behaviour as a default plugin: each decision hook answered from the policy document.

Registered ``trylast`` so a pack's own implementation is asked first.
"""
from core.hookspecs import hookimpl
from core.policy import phrases
from core.rules import Decision, Finding, text


@hookimpl(trylast=True)
def shouwen_pack():
    return None


@hookimpl(trylast=True)
def shouwen_deadline_rule(policy, kind, matter_type, category, stage):
    table = policy.get("deadlines", {}).get(kind) or {}
    selectors = []
    if category:
        selectors.append(f"{matter_type}.{category}")
    selectors += [matter_type, f"@{stage}", "default"]
    for selector in selectors:
        if selector in table:
            return table[selector] or False
    return False


@hookimpl(trylast=True)
def shouwen_transfer_decision(policy, contact, transfer):
    rules = policy["transfer"]
    mode = transfer["mode"]
    if mode != "return" and mode not in rules["modes"]:
        return Decision(False, "transfer_mode_not_allowed",
                        text(f"本单位不使用“{mode}”转办方式。",
                             f"This organisation does not use the transfer mode {mode!r}."))
    if transfer["by_owner"]:
        return Decision(True)
    if transfer["is_return"]:
        if not rules["receiver_may_return"]:
            return Decision(False, "return_forbidden", text(
                "本单位规定承办部门不得退回事项；如确非本部门职责，请提出协调。",
                "Receiving departments may not return a matter here; if it is truly not "
                "yours, request a coordination."), suggest="coordination")
        if rules["return_requires_opinion"] and not transfer.get("opinion"):
            return Decision(False, "opinion_required", text(
                "退回须附书面意见。", "A return needs a written opinion."))
        return Decision(True)
    if not rules["receiver_may_pass_on"]:
        return Decision(False, "transfer_forbidden", text(
            "承办部门不得将事项再转给第三个部门；如涉及多个部门，请发起协调（指定主办部门）。",
            "The receiving department may not pass the matter to a third department; if "
            "several departments are involved, open a coordination with a lead department."),
            suggest="coordination")
    if rules.get("pass_on_requires_opinion") and not transfer.get("opinion"):
        return Decision(False, "opinion_required", text(
            "转交下一个部门须签注明确意见。",
            "Passing the matter on to another department needs a written opinion."))
    return Decision(True)


@hookimpl(trylast=True)
def shouwen_lint_reply(policy, text):
    wording = policy.get("wording", {})
    found = []
    # Any script or spacing (core.policy.phrases); courteous phrases are blanked out first, so
    # "如有不清楚的地方" does not trip 不清楚.
    screened = phrases.screen(text, wording.get("allowed_phrases", []))
    seen = set()
    for phrase in wording.get("banned_phrases", []):
        key = phrases.normalised_phrase(phrase)
        if key not in seen and phrases.contains(screened, phrase):
            seen.add(key)     # a phrase listed in both scripts is reported once
            found.append(Finding("error", phrase, {
                "zh": f"禁用语：“{phrase}”", "en": f"Banned phrase: “{phrase}”"}))
    courtesy = wording.get("courtesy_phrases", [])
    plain = phrases.normalise(text)
    if courtesy and not any(phrases.normalised_phrase(p) in plain for p in courtesy):
        found.append(Finding("hint", courtesy[0], {
            "zh": "建议使用礼貌用语：" + "、".join(courtesy[:5]),
            "en": "Consider a courtesy phrase: " + ", ".join(courtesy[:5])}))
    return found


@hookimpl(trylast=True)
def shouwen_choose_owner(policy, candidates):
    best = candidates[0]
    for staff in candidates[1:]:
        if staff.rank > best.rank:
            best = staff
    return best


@hookimpl(trylast=True)
def shouwen_next_escalation(policy, contact, level):
    chain = policy.get("escalation", {}).get("chain", [])
    if level >= len(chain):
        return False
    step = dict(chain[level])
    step["level"] = level + 1
    return step


def _matches(trigger, triggers):
    return trigger in triggers or (trigger.startswith("deadline.") and "deadline.*" in triggers)


@hookimpl(trylast=True)
def shouwen_penalty(policy, trigger, staff, previous_count):
    penalties = policy.get("penalties", {})
    # An exact trigger beats the "deadline.*" catch-all.
    ordered = sorted(penalties.items(), key=lambda kv: trigger not in kv[1]["triggers"])
    for key, penalty in ordered:
        if _matches(trigger, penalty["triggers"]):
            ladder = penalty["sanctions"]
            step = ladder[min(previous_count, len(ladder) - 1)]
            return {"rule": key, "rule_text": penalty["name"],
                    "sanction": {**step["name"], "amount": step.get("amount")}}
    return False


@hookimpl(trylast=True)
def shouwen_contact_event(policy, contact, event):
    # The supervising department (e.g. hotel Quality Inspection) sees each slip and its result.
    if event.kind in ("transferred", "feedback"):
        return list(policy.get("transfer", {}).get("copy_to", []))
    return None


@hookimpl(trylast=True)
def shouwen_assessment_score(policy, department, figures, components):
    counted = [c for c in components if c["value"] is not None]
    weight = sum(c["weight"] for c in counted)
    if not weight:
        return False
    return sum(c["weight"] * c["value"] for c in counted) / weight


# A company's general office receives and counts complaints about first-inquiry owners
# (seed 000, company rules art. 6: 公司总经办全权负责受理、统计对首问责任人的举报或投诉).
GENERAL_OFFICES = ("general_office", "office", "management")


def complaint_bodies(policy):
    """The core's receiving bodies, in order: the general office, then the supervising
    department (the fallback after any pack's own answer, too)."""
    assessment = policy.get("assessment") or {}
    codes = [*GENERAL_OFFICES, assessment.get("supervisor"), assessment.get("department")]
    return [c for c in codes if isinstance(c, str) and c]


@hookimpl(trylast=True)
def shouwen_complaint_route(policy, contact, person):
    return complaint_bodies(policy)
