"""Small note folders for knowledge tests: written into tmp_path, never the bundled notes."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = """---
id: {id}
title: {title}
title_en: {title_en}
summary: {summary}
summary_en: {summary_en}
topics: [{topics}]
rules: [{rules}]
dimensions: [{dimensions}]
source:
  - doc: 003_a0b1129a12c1cd62.txt
    section: 第3章
---

# {title}

{body}
"""

NOTES = {
    "confidence": dict(
        title="信心指数",
        title_en="The confidence index",
        summary="信心指数表示负责人对达成关键结果的把握。",
        summary_en="How sure the owner is of reaching a key result.",
        topics="信心指数, confidence",
        rules="CHA001",
        dimensions="challenging",
        body=(
            "## 含义\n信心指数是负责人对按时达成关键结果有多大把握，五成把握最合适。\n\n"
            "## In English\nThe confidence index says how confident the owner is of meeting the key result."
        ),
    ),
    "handshake": dict(
        title="握手会",
        title_en="The handshake meeting",
        summary="握手会让依赖方确认支持。",
        summary_en="Teams confirm what they need from each other.",
        topics="握手会, handshake, 依赖",
        rules="ALI005, ALI006",
        dimensions="aligned",
        body=(
            "## 步骤\n握手会上，各团队说明需要哪些团队支持，对方确认握手点并表态认同或有疑问。\n\n"
            "## In English\nIn the handshake meeting each team names the support it needs from other teams."
        ),
    ),
    "owners": dict(
        title="唯一责任人",
        title_en="One owner",
        summary="每个关键结果只有一个负责人。",
        summary_en="Every key result has exactly one owner.",
        topics="负责人, owner",
        rules="OWN001, OWN002",
        dimensions="owned",
        body=(
            "## 为什么\n人人负责就是无人负责：关键结果要写明唯一的负责人。\n\n"
            "## In English\nA key result owned by everyone is owned by no one: name one person."
        ),
    ),
}


def note_text(note_id: str, **changes: str) -> str:
    fields = {"id": note_id, **NOTES[note_id], **changes}
    return TEMPLATE.format(**fields)


def write_notes(folder: Path, ids: tuple[str, ...] = tuple(NOTES)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for note_id in ids:
        (folder / f"{note_id}.md").write_text(note_text(note_id), encoding="utf-8")
    return folder
