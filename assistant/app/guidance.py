"""The guidance tab: search the knowledge notes and show the passages with their source notes."""

from __future__ import annotations

from html import escape

from ..analysis.language import detect_language
from ..knowledge.retrieval import RELEVANCE_FLOOR
from .context import AppContext
from .texts import text


def search_html(ctx: AppContext, question: str, k: int, language: str) -> str:
    """The best ``k`` relevant passages for a question as HTML: note title, section, note id and the text (escaped).

    Passages under the relevance floor are left out: a question the notes do not cover gets a plain "nothing
    relevant" rather than five unrelated passages.
    """
    if not question or not question.strip():
        return ""
    language_asked = detect_language(question)
    passages = ctx.retriever.search(question.strip(), k, language=language_asked, min_score=RELEVANCE_FLOOR)
    if not passages:
        return f'<p class="okr-advice-note" id="guidance-none">{escape(text(language, "no_results"))}</p>'
    items = []
    for number, passage in enumerate(passages, start=1):
        note = ctx.notebook.get(passage.note_id)
        sources = ""
        if note is not None and note.sources:
            cited = "; ".join(escape(f"{s.doc} · {s.section}" if s.section else s.doc) for s in note.sources[:3])
            sources = f'<p class="okr-sources"><small>{cited}</small></p>'
        items.append(
            f'<div class="okr-passage" data-note="{escape(passage.note_id)}">'
            f"<h4>{number}. {escape(passage.title)} › {escape(passage.section)}</h4>"
            f'<details class="okr-ids"><summary><small>{escape(text(language, "details"))}</small></summary>'
            f"<small>{escape(text(language, 'note_id'))}: <code>{escape(passage.note_id)}</code> · "
            f"{escape(text(language, 'relevance'))} {passage.score:.2f}</small></details>"
            f'<p style="white-space:pre-wrap">{escape(passage.text)}</p>{sources}</div>'
        )
    return "".join(items)
