"""UI strings of every report format, in Chinese and English.

Rule titles and dimension labels come from the rule table (``assistant.rules.catalogue``),
note titles and explanations from the knowledge notes (``Review.notes``); this module holds
only the words the reports themselves add: headings, column names, severity names and
summary phrases.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import ProblemLevel, Severity
from ..model import level_name
from ..review import Review

LANGUAGES = ("zh", "en")

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "OKR 审查报告",
        "generated_at": "生成时间",
        "tool": "工具",
        "language": "语言",
        "inputs": "输入文件",
        "summary": "汇总",
        "findings": "发现",
        "problems": "输入问题",
        "severity": "严重程度",
        "highest_severity": "最高严重程度",
        "error": "严重",
        "warning": "警告",
        "info": "提示",
        "problem_error": "无法读取",
        "problem_warning": "注意",
        "set": "OKR 组",
        "sets": "OKR 组数",
        "team": "团队",
        "cycle": "周期",
        "level": "层级",
        "objective": "目标",
        "objective_id": "目标编号",
        "objectives": "目标数",
        "key_result": "关键结果",
        "key_result_id": "KR 编号",
        "key_results": "关键结果数",
        "item": "条目",
        "whole_set": "整组",
        "code": "规则",
        "codes": "规则代码",
        "rule_title": "规则名称",
        "dimension": "维度",
        "letter": "字母",
        "message": "说明",
        "evidence": "证据",
        "fix": "建议",
        "note": "知识卡片",
        "note_title": "知识卡片标题",
        "note_summary": "卡片要点",
        "guidance": "相关知识卡片",
        "owner": "负责人",
        "source": "来源",
        "location": "位置",
        "span": "证据位置",
        "file": "文件",
        "sheet": "工作表",
        "row": "行",
        "line": "行号",
        "field": "字段",
        "reason": "原因",
        "count": "数量",
        "metric": "指标",
        "total": "合计",
        "by_severity": "按严重程度",
        "by_team": "按团队汇总",
        "by_dimension": "按维度汇总",
        "by_code": "按规则汇总",
        "distribution": "维度分布",
        "no_findings": "未发现问题。",
        "clean_sets": "无问题的 OKR 组",
        "and_more": "等 {n} 组",
        "show": "显示",
        "input_errors": "无法读取的输入",
        "input_warnings": "输入警告",
        "checked": "检查了 {sets} 组 OKR · {objectives} 个目标 · {key_results} 个关键结果",
        "found": "发现 {findings} 条",
        "found_open": "（",
        "found_close": "）",
        "none_found": "未发现问题",
        "sheet_okr": "OKR",
        "sheet_findings": "发现",
        "sheet_summary": "汇总",
        "sheet_problems": "输入问题",
        "annot_severity": "严重程度",
        "annot_codes": "规则代码",
        "annot_findings": "发现",
        "suggestions": "改写建议",
        "suggest_offline": "离线模式（未配置 LLM）：以下是带占位符的模板，请填入真实数字后再用",
        "suggest_passed": "{passed}/{checked} 个候选通过检查",
        "suggest_none": "没有候选通过检查",
        "suggest_error": "LLM 出错，已改用模板",
        "assumptions": "需确认的假设",
        "placeholders": "待填占位符",
        "candidate": "候选",
        "rationale": "理由",
        "top_to_fix": "优先修改的 {n} 项",
        "priority": "优先顺序",
    },
    "en": {
        "title": "OKR review report",
        "generated_at": "Generated",
        "tool": "Tool",
        "language": "Language",
        "inputs": "Inputs",
        "summary": "Summary",
        "findings": "Findings",
        "problems": "Input problems",
        "severity": "Severity",
        "highest_severity": "Highest severity",
        "error": "Error",
        "warning": "Warning",
        "info": "Info",
        "problem_error": "Unreadable",
        "problem_warning": "Note",
        "set": "Set",
        "sets": "Sets",
        "team": "Team",
        "cycle": "Cycle",
        "level": "Level",
        "objective": "Objective",
        "objective_id": "Objective id",
        "objectives": "Objectives",
        "key_result": "Key result",
        "key_result_id": "KR id",
        "key_results": "Key results",
        "item": "Item",
        "whole_set": "Whole set",
        "code": "Rule",
        "codes": "Codes",
        "rule_title": "Rule title",
        "dimension": "Dimension",
        "letter": "Letter",
        "message": "Message",
        "evidence": "Evidence",
        "fix": "Fix",
        "note": "Note",
        "note_title": "Note title",
        "note_summary": "In short",
        "guidance": "Guidance notes",
        "owner": "Owner",
        "source": "Source",
        "location": "Location",
        "span": "Span",
        "file": "File",
        "sheet": "Sheet",
        "row": "Row",
        "line": "Line",
        "field": "Field",
        "reason": "Reason",
        "count": "Count",
        "metric": "Metric",
        "total": "Total",
        "by_severity": "By severity",
        "by_team": "By team",
        "by_dimension": "By dimension",
        "by_code": "By rule",
        "distribution": "Dimensions",
        "no_findings": "No findings.",
        "clean_sets": "Sets with no findings",
        "and_more": "and {n} more",
        "show": "Show",
        "input_errors": "Unreadable input",
        "input_warnings": "Input warnings",
        "checked": "Sets: {sets} · Objectives: {objectives} · Key results: {key_results}",
        "found": "Findings: {findings}",
        "found_open": " (",
        "found_close": ")",
        "none_found": "No findings",
        "sheet_okr": "OKR",
        "sheet_findings": "Findings",
        "sheet_summary": "Summary",
        "sheet_problems": "Input problems",
        "annot_severity": "Severity",
        "annot_codes": "Codes",
        "annot_findings": "Findings",
        "suggestions": "Suggested rewrites",
        "suggest_offline": "Offline (no LLM configured): templates with placeholders; fill in real figures before use",
        "suggest_passed": "{passed}/{checked} candidates passed the checks",
        "suggest_none": "no candidate passed the checks",
        "suggest_error": "the LLM failed; templates used instead",
        "assumptions": "Assumptions to confirm",
        "placeholders": "Placeholders to fill",
        "candidate": "Candidate",
        "rationale": "Why",
        "top_to_fix": "Top {n} to fix",
        "priority": "Priority",
    },
}


def language_of(review: Review) -> str:
    """The report language: ``zh`` for any Chinese tag (zh, zh-CN, zh_TW…), else ``en``."""
    lang = (review.language or "").strip().lower()
    return "zh" if lang.startswith("zh") else "en"


def labels(lang: str) -> Mapping[str, str]:
    """Every UI string of one language; unknown languages get English."""
    return _LABELS.get(lang, _LABELS["en"])


def label(key: str, lang: str) -> str:
    """One UI string, e.g. ``label("summary", "zh") == "汇总"``."""
    return labels(lang)[key]


def severity_label(severity: Severity | str, lang: str) -> str:
    """严重 / 警告 / 提示 or Error / Warning / Info."""
    return labels(lang)[str(severity)]


def problem_label(level: ProblemLevel | str, lang: str) -> str:
    """How an input problem is named: unreadable (error) or ignored (warning)."""
    return labels(lang)[f"problem_{level}"]


def level_label(level: str | None, lang: str) -> str:
    """公司 / 部门 / 团队… for an organisational level key; empty for none, the key itself if unknown."""
    return level_name(level, lang)


def top_heading(count: int, lang: str) -> str:
    """``优先修改的 3 项`` / ``Top 3 to fix``: the heading of a set's most important findings."""
    return label("top_to_fix", lang).format(n=count)


def shows_top(top: list, findings: list) -> bool:
    """A set's section opens with its top findings only when it has more; otherwise the list would repeat it."""
    return bool(top) and len(findings) > len(top)


def html_lang(lang: str) -> str:
    """Value of ``<html lang>`` for a report language."""
    return "zh-CN" if lang == "zh" else "en"


def suggestion_status(suggestion: Mapping, lang: str) -> str:
    """One line on how a KR's rewrite suggestions were made: LLM pass count, offline templates, or failure."""
    parts = []
    if suggestion.get("error"):
        parts.append(label("suggest_error", lang))
    if suggestion.get("mode") == "offline":
        parts.append(label("suggest_offline", lang))
    elif suggestion.get("passed"):
        parts.append(label("suggest_passed", lang).format(passed=suggestion["passed"], checked=suggestion["checked"]))
    else:
        parts.append(label("suggest_none", lang))
    return ("；" if lang == "zh" else "; ").join(parts)
