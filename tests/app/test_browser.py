"""The web app in a real browser (Playwright driving Debian's Chromium), offline, one page per test.

Every test also checks that the page talked to nothing but the app on 127.0.0.1: no CDN, web font or
analytics request. A full-page screenshot of each test goes to test-artifacts/screenshots/<test>.png
(also when the test fails), for a person to look at.

Chromium comes from the system (scripts/install-chromium.sh installs it with the CJK fonts); the tests
fail, not skip, when it is missing, so a CI machine without it cannot pass them silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
TIMEOUT_MS = 60_000  # the test machines are slow (2 cores, the app in the same process)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
IN_PAGE_SCHEMES = {"data", "blob", "about"}  # never leave the browser

TAB_NAMES = {
    "zh": ["起草", "批量审阅", "对齐大图", "复盘", "指南"],
    "en": ["Draft", "Batch review", "Alignment map", "Retrospective", "Guidance"],
}
OBJECTIVE = "让新商家第一周就离不开我们"
VAGUE_KR = "提升用户活跃度"  # a direction without a number: MEA002 (vague verb without a metric)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")  # Chinese characters and punctuation


@dataclass
class Visit:
    """One test's page and every URL it (or a worker of it) asked for."""

    page: Page
    urls: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        outside = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in IN_PAGE_SCHEMES:
                continue
            if parts.scheme not in {"http", "https", "ws", "wss"} or parts.hostname not in LOCAL_HOSTS:
                outside.append(url)
        return outside

    def assert_only_local(self) -> None:
        assert self.urls, "no request was recorded at all: the listener is not working"
        assert self.external() == [], f"the page made requests outside 127.0.0.1: {self.external()}"


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Run `bash scripts/install-chromium.sh` (installs chromium and fonts-noto-cjk).",
            pytrace=False,
        )
    launched = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def locale() -> str:
    """The browser's language: gradio's own words (upload area, footer) follow it, not the app's switch."""
    return "zh-CN"


@pytest.fixture
def visit(browser: Browser, offline_app, locale: str, request) -> Iterator[Visit]:
    """A fresh browser context (its own gradio session) with the app open and its requests recorded."""
    url, _ctx = offline_app
    context = browser.new_context(
        locale=locale, viewport={"width": 1280, "height": 900}, accept_downloads=True, service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    seen = Visit(page)
    context.on("request", lambda r: seen.urls.append(r.url))
    page.on("websocket", lambda ws: seen.urls.append(ws.url))
    try:
        page.goto(url)
        expect(page.locator("#mode-line")).to_be_visible()
        yield seen
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        finally:
            context.close()


@pytest.fixture(autouse=True, scope="module")
def _long_expect_timeout() -> None:
    expect.set_options(timeout=TIMEOUT_MS)


def open_tab(page: Page, name: str) -> None:
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")


def send_message(page: Page, words: str) -> None:
    box = page.locator("#draft-message textarea")
    box.fill(words)
    page.locator("#draft-send").click()
    expect(box).to_have_value("")  # the handler clears the box once the turn is in


def draft_vague_okr(page: Page) -> None:
    """Objective first (the offline assistant asks for KRs next), then a KR without any number."""
    send_message(page, OBJECTIVE)
    expect(page.locator('#draft-panel [data-code="FOC003"]')).to_be_visible()  # an objective without KRs
    send_message(page, VAGUE_KR)
    expect(page.locator('#draft-panel [data-code="MEA002"]')).to_be_visible()


# ---------------------------------------------------------------------------- tests


def test_page_opens_in_chinese_and_says_it_is_offline(visit: Visit):
    page = visit.page
    expect(page).to_have_title("OKR 审阅助手")
    expect(page.get_by_role("heading", name="OKR 审阅助手")).to_be_visible()
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_text(TAB_NAMES["zh"])
    expect(page.get_by_role("tab", name="起草", exact=True)).to_have_attribute("aria-selected", "true")
    mode = page.locator("#mode-line")
    expect(mode).to_contain_text("离线模式：没有配置 LLM。")
    assert len(mode.inner_text().strip().splitlines()) == 1  # one line, not a banner
    expect(page.locator("#draft-panel")).to_contain_text("还没有草稿")
    expect(page.get_by_label("中文")).to_be_checked()
    visit.assert_only_local()


def test_draft_chat_shows_findings_and_the_table(visit: Visit):
    page = visit.page
    draft_vague_okr(page)
    finding = page.locator('#draft-panel details[data-code="MEA002"]')
    expect(finding).to_contain_text("O1.KR1")
    expect(finding).to_contain_text("“提升”说明了方向，却没有说明提升到多少。")
    expect(page.locator("#draft-panel")).to_contain_text("可衡量")  # the dimension heading
    expect(page.locator('#draft-panel [data-code="FOC003"]')).to_have_count(0)  # O1 has a KR now
    finding.locator("summary").click()  # opens: the fix and the note behind it
    expect(finding).to_contain_text("怎么改")
    expect(finding).to_contain_text("measurable-kr")
    table = page.locator("#draft-table")
    expect(table).to_contain_text(OBJECTIVE)
    expect(table).to_contain_text(VAGUE_KR)
    expect(table).to_contain_text("KR1")
    chat = page.locator("#draft-chat")
    expect(chat).to_contain_text(VAGUE_KR)  # the user's turn
    expect(chat).to_contain_text("离线模式")  # the assistant's reply says what it is
    visit.assert_only_local()


def test_batch_review_reports_problems_findings_and_downloads(visit: Visit, tmp_path: Path):
    page = visit.page
    broken = tmp_path / "broken.csv"
    broken.write_text("team,objective,key_result,confidence\n增长部,让客户离不开我们,续约率达到 90%,很高\n", "utf-8")
    open_tab(page, "批量审阅")
    page.locator("#batch-files input[type=file]").set_input_files([EXAMPLES / "company-and-teams.csv", broken])
    uploads = page.locator("#batch-files")
    expect(uploads.get_by_role("row", name=re.compile(r"company-and-teams\.csv"))).to_be_visible()
    expect(uploads.get_by_role("row", name=re.compile(r"broken\.csv"))).to_be_visible()
    page.locator("#batch-run").click()

    counts = page.locator("#batch-counts")
    expect(counts).to_contain_text(re.compile(r"共 \d+ 组 OKR .* 发现 \d+ 条问题"))
    found = int(re.search(r"发现 (\d+) 条问题", counts.inner_text()).group(1))
    assert found > 10
    problems = page.get_by_label("无法读取的内容")
    expect(problems).to_be_visible()
    expect(problems).to_have_value(re.compile(r"broken\.csv.*row 2.*confidence", re.S))

    findings = page.locator("#batch-findings")
    rows = findings.get_by_role("row").filter(has=page.get_by_role("gridcell"))
    expect(rows.first).to_be_visible()
    expect(findings.get_by_role("gridcell", name="MEA002", exact=True).first).to_be_visible()  # “提升转化率”
    expect(findings.get_by_role("gridcell", name="增长部", exact=True).first).to_be_visible()
    assert rows.count() > 5  # the table may render only the rows in view, so not all 20-odd
    # The charts' axis and legend titles are in the page's language, severities in the badges' colours.
    by_dimension = page.locator("#batch-by-dimension")
    expect(by_dimension.locator("svg").first).to_be_visible()
    for words in ("维度", "数量", "严重程度", "可衡量"):
        expect(by_dimension).to_contain_text(words)
    assert not re.search(r"\b(dimension|count|severity)\b", by_dimension.inner_text())
    expect(page.locator("#batch-by-team")).to_contain_text("团队")

    reports = page.locator("#reports")

    def report_link(name: str):  # gradio's file list: a row per file, its size is the download link
        return reports.get_by_role("row", name=re.compile(re.escape(name))).get_by_role("link")

    expect(report_link("okr-review-report.json")).to_be_visible()
    expect(report_link("okr-review-report.xlsx")).to_be_visible()
    with page.expect_download() as got:
        report_link("okr-review-report.json").click()
    report = json.loads(Path(got.value.path()).read_text("utf-8"))
    assert len(report["findings"]) == found
    assert any(f["code"] == "MEA002" for f in report["findings"])
    assert any(p["file"] == "broken.csv" for p in report["problems"])

    with page.expect_download() as got:
        report_link("okr-review-report.html").click()
    html = Path(got.value.path()).read_text("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "MEA002" in html
    visit.assert_only_local()


def test_switching_to_english_relabels_and_keeps_the_draft(visit: Visit):
    page = visit.page
    draft_vague_okr(page)
    page.get_by_label("English").check()
    expect(page.get_by_role("tab")).to_have_text(TAB_NAMES["en"])
    expect(page.get_by_role("heading", name="OKR review assistant")).to_be_visible()
    expect(page.locator("#mode-line")).to_contain_text("Offline mode: no LLM configured.")
    expect(page.locator("#draft-send")).to_have_text("Send")
    expect(page.get_by_label("Your message")).to_be_visible()
    expect(page.get_by_role("heading", name="CLASSIC checks")).to_be_visible()
    # The draft is kept: same rows, English headers, findings re-worded in English.
    table = page.locator("#draft-table")
    expect(table).to_contain_text("Key result")
    expect(table).to_contain_text(VAGUE_KR)
    expect(table).to_contain_text(OBJECTIVE)
    finding = page.locator('#draft-panel details[data-code="MEA002"]')
    expect(finding).to_contain_text("gives a direction but not how far")
    expect(page.locator("#draft-chat")).to_contain_text(VAGUE_KR)  # the conversation too
    # The other tabs are relabelled as well.
    open_tab(page, "Batch review")
    expect(page.locator("#batch-run")).to_have_text("Review")
    open_tab(page, "Guidance")
    expect(page.get_by_label("Ask a question about OKRs")).to_be_visible()
    open_tab(page, "Draft")
    expect(table).to_contain_text(VAGUE_KR)
    visit.assert_only_local()


@pytest.mark.parametrize("locale", ["en-US"])  # an English browser: gradio's own words are English too
def test_english_page_has_no_chinese_labels_left(visit: Visit):
    page = visit.page
    page.get_by_label("English").check()
    expect(page.get_by_role("tab")).to_have_text(TAB_NAMES["en"])
    left = {}
    for name in TAB_NAMES["en"]:
        open_tab(page, name)
        panel = page.get_by_role("tabpanel").filter(visible=True)
        expect(panel).to_have_count(1)
        words = sorted(set(CJK.findall(panel.inner_text())))
        if words:
            left[name] = words
    visit.assert_only_local()
    assert left == {}, f"Chinese labels left on the English page: {left}"


def test_alignment_map_draws_the_uploaded_tree(visit: Visit):
    page = visit.page
    open_tab(page, "对齐大图")
    page.locator("#map-files input[type=file]").set_input_files(EXAMPLES / "company-and-teams.csv")
    # gradio renders the name and the extension in separate elements: match the row by its accessible name
    expect(page.locator("#map-files").get_by_role("row", name=re.compile(r"company-and-teams\.csv"))).to_be_visible()
    page.locator("#map-draw").click()
    picture = page.locator("#alignment-map svg.okr-alignment-map")
    expect(picture).to_be_visible()
    expect(page.locator("#alignment-map .okr-map-caption")).to_contain_text("3 个团队")
    # The company KR nothing takes on is outlined and labelled 漏球; the arrows are drawn.
    gap = picture.locator("g.node.unsupported").filter(has_text="建成统一的数据中台")
    expect(gap).to_have_count(1)
    expect(gap).to_contain_text("漏球")
    expect(picture.locator("path.aligns")).to_have_count(2 + 1)  # two links, plus the legend's sample arrow
    visit.assert_only_local()


def test_guidance_search_shows_passages_with_their_notes(visit: Visit):
    page = visit.page
    open_tab(page, "指南")
    page.get_by_label("问一个关于 OKR 的问题").fill("基线是什么")
    page.locator("#guidance-search").click()
    passages = page.locator("#guidance-results .okr-passage")
    expect(passages).to_have_count(5)  # the slider's default k
    notes = [passages.nth(i).get_attribute("data-note") for i in range(5)]
    assert all(notes) and "measurable-kr" in notes
    first = passages.first
    expect(first.locator("code")).to_have_text(notes[0])  # the note id is shown, not only in markup
    expect(page.locator("#guidance-results")).to_contain_text("基线")
    expect(first.locator(".okr-sources")).to_be_visible()  # the source document behind the note
    visit.assert_only_local()


def test_retrospective_from_an_uploaded_score_file(visit: Visit, tmp_path: Path):
    page = visit.page
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "team,objective,key_result,score\n"
        "增长部,让客户离不开我们,季度末 NPS 从 30 提升到 45,1.0\n"
        "增长部,让客户离不开我们,客户续约率从 70% 提升到 85%,0.3\n"
        "增长部,让客户离不开我们,客服首次响应时间从 4 小时缩短到 1 小时,0.65\n",
        "utf-8",
    )
    open_tab(page, "复盘")
    page.locator("#retro-scores input[type=file]").set_input_files(scores)
    expect(page.locator("#retro-scores").get_by_role("row", name=re.compile(r"scores\.csv"))).to_be_visible()
    page.locator("#retro-run").click()
    draft = page.locator("#retro-draft")
    expect(draft).to_contain_text("未达成")
    expect(draft).to_contain_text("客户续约率从 70% 提升到 85%")
    expect(draft.get_by_role("heading").first).to_be_visible()  # rendered markdown, not raw text
    spread = page.locator("#retro-spread")
    expect(spread.locator("svg, canvas").first).to_be_visible()
    expect(spread).to_contain_text("O1.KR2")  # a bar per KR, named on the axis
    expect(spread).to_contain_text("低于 50%")  # and the bands in the legend, in the page's language
    visit.assert_only_local()
