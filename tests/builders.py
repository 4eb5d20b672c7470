"""Small builders for OKR sets in tests, so each test states only what matters to it."""

from __future__ import annotations

from assistant.config import Config
from assistant.engine import check
from assistant.findings import Finding
from assistant.model import KeyResult, Objective, OKRSet


def kr(text: str, **fields) -> dict:
    return {"text": text, **fields}


def objective(text: str, *krs: dict | str, **fields) -> dict:
    return {"text": text, "key_results": [k if isinstance(k, dict) else kr(k) for k in krs], **fields}


def okr_set(*objectives: dict, team: str = "测试组", cycle: str | None = "2025Q3", **fields) -> OKRSet:
    built = []
    for i, o in enumerate(objectives, 1):
        o = dict(o)
        krs = [KeyResult(id=k.pop("id", f"KR{j}"), **k) for j, k in enumerate(map(dict, o.pop("key_results")), 1)]
        built.append(Objective(id=o.pop("id", f"O{i}"), key_results=krs, **o))
    return OKRSet(team=team, cycle=cycle, objectives=built, **fields)


def run(*sets: OKRSet, config: Config | None = None, **options) -> list[Finding]:
    config = config or Config()
    if options:
        config = config.with_options(**options)
    return check(list(sets), config)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def kr_codes(findings: list[Finding], ref: str) -> set[str]:
    """Codes of the findings on one key result, e.g. ref="O1.KR2"."""
    return {f.code for f in findings if f.key_result == ref}


def obj_codes(findings: list[Finding], objective_id: str) -> set[str]:
    """Codes of the findings on one objective itself (not its key results)."""
    return {f.code for f in findings if f.objective == objective_id and f.key_result is None}


def single_kr(text: str, **fields) -> list[Finding]:
    """Findings on one key result under a well-formed objective, owners set so owner rules stay quiet."""
    fields.setdefault("owner", "张三")
    found = run(okr_set(objective("让客户愿意长期留下来", kr(text, **fields), "续约率从 80% 提升到 90%", owner="李四")))
    return [f for f in found if f.key_result == "O1.KR1"]
