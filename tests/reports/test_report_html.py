"""The HTML report: one self-contained page, every piece of user text escaped."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from assistant.findings import Dimension, Finding, Severity
from assistant.model import KeyResult, Objective, OKRSet
from assistant.reports import render
from assistant.review import Review


class _Collector(HTMLParser):
    """Collects tags and the text content, to check the page structure."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    parser = _Collector()
    parser.feed(page)
    parser.close()
    return parser


def test_script_in_okr_text_is_escaped(review: Review) -> None:
    page = render(review, "html")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not any(tag == "script" for tag, _ in _parse(page).tags)


def test_attribute_and_heading_text_are_escaped() -> None:
    evil = '"><img src=x onerror=alert(1)>'
    okr_set = OKRSet(
        team=evil, objectives=[Objective(id="O1", text=evil, key_results=[KeyResult(id="KR1", text=evil)])]
    )
    finding = Finding(
        code="MEA001",
        dimension=Dimension.measurable,
        severity=Severity.error,
        message=evil,
        fix=evil,
        note="measurable-kr",
        set_key=okr_set.key,
        objective="O1",
        key_result="O1.KR1",
        evidence=evil,
    )
    page = render(Review(inputs=[evil], sets=[okr_set], findings=[finding]), "html")
    assert "<img" not in page
    assert not any(tag == "img" or "onerror" in attrs for tag, attrs in _parse(page).tags)
    assert escape(evil) in page


def test_self_contained(review: Review) -> None:
    page = render(review, "html")
    parsed = _parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert not any(tag in ("script", "link", "img", "iframe") for tag, _ in parsed.tags)
    assert any(tag == "style" for tag, _ in parsed.tags)
    assert '<meta charset="utf-8">' in page


def test_language_and_labels(review: Review, review_en: Review) -> None:
    zh = render(review, "html")
    assert '<html lang="zh-CN">' in zh
    assert "<title>OKR 审查报告</title>" in zh
    for heading in ("按团队汇总", "按维度汇总", "按规则汇总", "输入问题"):
        assert heading in zh
    en = render(review_en, "html")
    assert '<html lang="en">' in en
    assert "<title>OKR review report</title>" in en
    assert "By team" in en and "→ Fix" in en


def test_every_finding_with_evidence_fix_and_badge(review: Review) -> None:
    page = render(review, "html")
    assert page.count('<li class="finding ') == len(review.findings)
    for finding in review.findings:
        assert escape(finding.message) in page
        assert escape(finding.fix) in page
        if finding.evidence:
            assert escape(finding.evidence) in page
    assert page.count('<li class="finding sev-error">') == 6
    assert '<span class="badge sev-error">严重</span>' in page


def test_grouped_by_set_then_objective(review: Review) -> None:
    page = render(review, "html")
    rd = page.index('id="set-1"')
    market = page.index('id="set-2"')
    assert rd < market
    assert 'id="set-3"' not in page  # the clean company set has no findings section
    rd_part = page[rd:market]
    headings = re.findall(r'<h4><span class="oid">(O\d)</span>', rd_part)
    assert headings == ["O1", "O2", "O3"]
    assert "<h4>整组</h4>" in page[market:]
    assert page[market:].index("<h4>整组</h4>") < page[market:].index('<span class="oid">O1</span>')


def test_evidence_is_highlighted_in_the_item_text(review: Review) -> None:
    page = render(review, "html")
    assert '<span class="iid">O1.KR1</span><mark>提升</mark>系统稳定性' in page
    assert "品牌搜索指数<mark>提升 30%</mark>" in page


def test_summary_tables_and_bars(review: Review) -> None:
    page = render(review, "html")
    assert '<a href="#set-1">研发中心 2025Q3</a>' in page
    assert page.count('<span class="spark">') == 3  # one chart per team row
    assert 'title="可衡量: 3"' in page
    letters = re.findall(r'<span class="letter">([A-Z])</span>', page)
    assert "".join(letters) == "CLASSIC"


def test_no_findings_page() -> None:
    okr_set = OKRSet(team="A", objectives=[Objective(id="O1", text="o", key_results=[KeyResult(id="KR1", text="k")])])
    page = render(Review(inputs=[], sets=[okr_set], findings=[], language="en"), "html")
    assert "No findings." in page
    assert '<li class="finding' not in page


def test_each_finding_opens_to_its_notes_explanation(review: Review) -> None:
    page = render(review, "html")
    items = re.findall(r'<li class="finding .*?</li>', page, flags=re.DOTALL)
    mea002 = next(item for item in items if ">MEA002<" in item)
    assert '<details class="note"><summary>' in mea002
    assert "可衡量的关键结果 <code>measurable-kr</code></summary><p>关键结果要能验证。</p></details>" in mea002
    # A note that was not loaded is shown by its id alone, without an empty explanation.
    foc001 = next(item for item in items if ">FOC001<" in item)
    assert "<code>five-four-principle</code></p>" in foc001 and "<details" not in foc001
