"""An assessment run as a workbook: the ranking with every component, and the audit trail.

Department names, reasons and findings are typed by people, so every text cell goes
through ``core.exports.formula_safe`` (a reason starting with "=" stays a text).
"""
import io

from core.exports import safe_row

WORDS = {
    "zh": {"sheet": "考核结果", "trail": "调整记录", "rank": "名次", "department": "部门",
           "computed": "计算得分", "score": "最终得分", "adjusted": "已调整", "yes": "是",
           "period": "考核期", "revision": "修订版", "status": "状态", "when": "时间",
           "who": "操作人", "what": "项目", "before": "原值", "after": "新值",
           "reason": "理由", "score_item": "总分", "policy": "政策版本",
           "draft": "草稿", "published": "已发布", "superseded": "已被取代"},
    "en": {"sheet": "Assessment", "trail": "Adjustments", "rank": "Rank",
           "department": "Department", "computed": "Computed", "score": "Score",
           "adjusted": "Adjusted", "yes": "yes", "period": "Period", "revision": "Revision",
           "status": "Status", "when": "When", "who": "By", "what": "Item",
           "before": "Before", "after": "After", "reason": "Reason", "score_item": "Score",
           "policy": "Policy version", "draft": "draft", "published": "published",
           "superseded": "superseded"},
}


def _name(pair, lang):
    if isinstance(pair, dict):
        return pair.get(lang) or pair.get("zh") or pair.get("en") or ""
    return str(pair or "")


def workbook(run, rows, trail, lang="zh", tz="Asia/Shanghai"):
    """XLSX bytes of one run (``rows`` in department order, ``trail`` oldest first)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    words = WORDS["en" if lang == "en" else "zh"]
    components = run.section.get("components", [])
    book = Workbook()
    sheet = book.active
    sheet.title = words["sheet"]
    sheet.append(safe_row([words["period"], run.period_key, words["revision"], run.revision,
                           words["status"], words[run.status], words["policy"],
                           run.policy_version_id]))
    header = [words["rank"], words["department"]] + [
        f"{_name(c['name'], lang)} ({c['weight']}%)" for c in components] + [
        words["computed"], words["score"], words["adjusted"]]
    sheet.append(safe_row(header))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.position)):
        values = {c["key"]: c["value"] for c in row.components}
        sheet.append(safe_row([row.rank, row.name(lang)] + [
            values.get(c["key"]) for c in components] + [
            row.computed, row.score, words["yes"] if row.adjusted else ""]))
    by_row = {r.id: r for r in rows}
    names = {c["key"]: _name(c["name"], lang) for c in components}
    log = book.create_sheet(words["trail"])
    log.append(safe_row([words["when"], words["who"], words["department"], words["what"],
                         words["before"], words["after"], words["reason"]]))
    for entry in trail:
        row = by_row.get(entry.row_id)
        what = names.get(entry.component, entry.component) if entry.kind == "entered" \
            else words["score_item"]
        log.append(safe_row([entry.at.astimezone(_zone(tz)).strftime("%Y-%m-%d %H:%M"),
                             entry.by.name, row.name(lang) if row else "", what,
                             entry.before, entry.after, entry.reason]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zone(tz):
    from zoneinfo import ZoneInfo
    return ZoneInfo(tz)
