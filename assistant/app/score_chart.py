"""The retrospective's score chart as an inline SVG of the app's own: one bar per KR, the healthy band shaded.

gradio's bar chart cannot shade a band, so the chart is drawn here, like the alignment map: plain SVG in the
page, no script, nothing from outside. Bars take their band's colour from ``assistant/data/palette.toml``
(the same swatches as the report), and the axis titles, band labels and legend are in the page's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..palette import band_swatches
from ..scoring import HEALTHY_BAND, Band
from .texts import text

WIDTH, HEIGHT = 720, 300  # the viewBox; the SVG scales down to the frame's width
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 64  # room for the y ticks, the band label and the x labels
LEGEND_ROW = 18
TICKS = (0, 20, 40, 60, 80, 100)


@dataclass(frozen=True, slots=True)
class Bar:
    """One scored KR: its label on the x axis, its score in percent and its band."""

    label: str
    percent: float
    band: Band


def _y(percent: float, top: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot * (1 - min(max(percent, 0.0), top) / top)


def spread_svg(bars: Sequence[Bar], band_labels: dict[Band, str], language: str) -> str:
    """The chart as an SVG string (empty when no KR has a score); ``band_labels`` names the bands in the legend."""
    if not bars:
        return ""
    swatches = band_swatches()
    top = max(100.0, *(bar.percent for bar in bars))
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / len(bars)
    bar_width = max(4.0, min(48.0, step * 0.6))
    low, high = _y(HEALTHY_BAND[1], top), _y(HEALTHY_BAND[0], top)
    healthy = swatches[Band.healthy.value]
    legend_bands = list(dict.fromkeys(bar.band for bar in bars))
    height = HEIGHT + LEGEND_ROW * len(legend_bands)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(text(language, "distribution"))}" class="okr-spread" font-size="12">',
        # the healthy band first, under everything else
        f'<rect class="okr-healthy-band" x="{LEFT}" y="{low:.1f}" width="{plot_width}" height="{high - low:.1f}" '
        f'fill="{healthy.background}" stroke="{healthy.colour}" stroke-dasharray="4 3" stroke-width="1"/>',
        f'<text x="{WIDTH - RIGHT - 4}" y="{low - 4:.1f}" text-anchor="end" fill="{healthy.colour}">'
        f"{escape(text(language, 'healthy_band', low=f'{HEALTHY_BAND[0]:g}', high=f'{HEALTHY_BAND[1]:g}'))}</text>",
    ]
    for tick in TICKS:
        y = _y(tick, top)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#59636e">{tick}</text>')
    for number, bar in enumerate(bars):
        x = LEFT + step * number + (step - bar_width) / 2
        y = _y(bar.percent, top)
        colour = swatches[bar.band.value].colour
        centre = x + bar_width / 2
        parts.append(
            f'<rect class="okr-bar" data-band="{bar.band.value}" data-percent="{bar.percent:g}" x="{x:.1f}" '
            f'y="{y:.1f}" width="{bar_width:.1f}" height="{_y(0, top) - y:.1f}" fill="{colour}">'
            f"<title>{escape(bar.label)}: {bar.percent:g}%</title></rect>"
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#1f2328">{bar.percent:g}</text>'
        )
        label_y = HEIGHT - BOTTOM + 14
        parts.append(
            f'<text x="{centre:.1f}" y="{label_y}" text-anchor="end" fill="#1f2328" '
            f'transform="rotate(-30 {centre:.1f} {label_y})">{escape(bar.label)}</text>'
        )
    base = _y(0, top)
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base:.1f}" y2="{base:.1f}" stroke="#59636e"/>')
    parts.append(
        f'<text class="okr-axis-title" x="12" y="{TOP + (HEIGHT - TOP - BOTTOM) / 2:.1f}" text-anchor="middle" '
        f'fill="#59636e" transform="rotate(-90 12 {TOP + (HEIGHT - TOP - BOTTOM) / 2:.1f})">'
        f"{escape(text(language, 'col_percent'))}</text>"
    )
    parts.append(
        f'<text class="okr-axis-title" x="{LEFT + plot_width / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
        f'fill="#59636e">{escape(text(language, "col_kr_ref"))}</text>'
    )
    for row, band in enumerate(legend_bands):
        y = HEIGHT + LEGEND_ROW * row + 4
        parts.append(
            f'<rect class="okr-legend" data-band="{band.value}" x="{LEFT}" y="{y}" width="12" height="12" '
            f'fill="{swatches[band.value].colour}"/>'
        )
        parts.append(f'<text x="{LEFT + 18}" y="{y + 10}" fill="#1f2328">{escape(band_labels[band])}</text>')
    parts.append("</svg>")
    return f'<div class="okr-chart">{"".join(parts)}</div>'
