"""The page's look: a gradio theme of the project's own and its CSS (fonts, the severity palette, fitting tables).

System fonts only, CJK faces first (``assistant/data/app.toml``'s ``[theme]``), digits proportional; severity
and score-band colours come from ``assistant/data/palette.toml``, the same ones the HTML report uses.
Everything is sized so that no tab scrolls the page sideways, down to a phone's 390 px.
"""

from __future__ import annotations

from functools import cache

import gradio as gr

from ..palette import band_swatches, severity_swatches
from ..shipped import data_table


def font_stack(key: str = "font") -> tuple[str, ...]:
    """The font family names of ``[theme]`` in app.toml, best first."""
    return tuple(data_table("app")["theme"][key])


def css_font_family(key: str = "font") -> str:
    """The stack as a CSS ``font-family`` value: names with a space quoted."""
    return ", ".join(f'"{name}"' if " " in name else name for name in font_stack(key))


@cache
def theme() -> gr.themes.Base:
    """A quiet theme: indigo accents, small radii, compact spacing, the CJK font stack (no web font)."""
    return gr.themes.Base(
        primary_hue="indigo",
        secondary_hue="slate",
        neutral_hue="slate",
        radius_size="sm",
        spacing_size="sm",
        text_size="md",
        font=list(font_stack("font")),
        font_mono=list(font_stack("font-mono")),
    ).set(
        body_text_color="#1f2328",
        block_title_text_weight="600",
        block_label_text_weight="600",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
    )


def _palette_css() -> str:
    rules = []
    for name, swatch in severity_swatches().items():
        rules.append(f".okr-badge.okr-{name}{{background:{swatch.colour}!important;color:#fff}}")
        rules.append(f".okr-sev-{name}{{color:{swatch.colour}}}")
    for name, swatch in band_swatches().items():
        rules.append(f".okr-band-{name}{{background:{swatch.background};color:{swatch.colour}}}")
    return "\n".join(rules)


BASE_CSS = """
:root, .gradio-container { font-variant-numeric: proportional-nums; }
.gradio-container { font-family: %(font)s !important; max-width: 1280px !important; margin: 0 auto;
  padding-left: 12px !important; padding-right: 12px !important; box-sizing: border-box; }
html, body { max-width: 100%%; }
#okr-header { align-items: center; gap: 8px; flex-wrap: wrap; }
#okr-header h2 { margin: 0; font-size: 1.35rem; font-weight: 600; }
#mode-line p { margin: 0; font-size: 0.85rem; color: #59636e; }
#language-switch { flex-grow: 0 !important; justify-content: flex-end; }
#language-switch .wrap { justify-content: flex-end; flex-wrap: nowrap; }
#language-switch label { white-space: nowrap; flex-shrink: 0; }
/* tables: wrap text, proportional digits in the body font, never wider than the page */
.table-wrap, .table-container { max-width: 100%%; }
table td, table th, .cell-wrap, .cell-wrap span, td input, td textarea {
  font-family: %(font)s !important; font-variant-numeric: proportional-nums;
  white-space: normal !important; word-break: break-word; overflow-wrap: anywhere; }
/* the chat's label sits above the messages, not over them: scrolled text never runs under it */
#draft-chat [data-testid="block-label"] { position: static !important; margin: 0 0 4px 0; }
#draft-chat .bubble-wrap { max-height: calc(100%% - 30px); }
.okr-panel details { border-bottom: 1px solid var(--border-color-primary); padding: 4px 0; }
.okr-panel summary { cursor: pointer; line-height: 1.6; }
.okr-panel .okr-ids, .okr-panel .okr-rule { color: #59636e; }
.okr-panel h4 { margin: 10px 0 4px; }
.okr-cards .okr-card { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 8px 12px;
  margin: 8px 0; background: var(--background-fill-secondary); }
.okr-cards p { margin: 4px 0; }
.okr-card-text { font-weight: 600; }
.okr-card-facts, .okr-card-notes, .okr-mode, .okr-advice-note { color: #59636e; font-size: 0.9em; }
.okr-map { overflow: auto; max-height: 80vh; max-width: 100%%; border: 1px solid var(--border-color-primary); }
.okr-map svg { max-width: none; }
.okr-chart { overflow-x: auto; max-width: 100%%; }
.okr-chart svg { max-width: 100%%; height: auto; }
.okr-chart svg.okr-spread { width: 100%%; max-width: 760px; }
.prose ul, .prose ol, .md ul, .md ol { padding-left: 1.4em; }
.tabs .tab-nav, [role="tablist"] { flex-wrap: wrap; }
@media (max-width: 640px) {
  .gradio-container { padding-left: 6px !important; padding-right: 6px !important; }
  .row, .form { flex-wrap: wrap !important; }
  .row > * { min-width: 100%% !important; }
}
"""


@cache
def css() -> str:
    """The page's CSS: typography, layout that fits the viewport, and the shared severity palette."""
    return BASE_CSS % {"font": css_font_family()} + _palette_css()
