"""The rule catalogue as the one source of the rule docs: the README's table, tags, and checks at load time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.rules import REGISTRY, Scope, catalogue, rule, unregistered
from assistant.rules.catalogue import CatalogueError, markdown_table, rules

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_rule_table_is_the_catalogue() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- rules:begin -->\n(.*?)\n<!-- rules:end -->", text, re.S)
    assert found, "README.md lost its rule table markers"
    assert found.group(1) == markdown_table("en"), "regenerate with: python -c 'from assistant.rules.catalogue "
    "import markdown_table; print(markdown_table())'"
    assert set(re.findall(r"^\| ([A-Z]{3}\d{3}) \|", found.group(1), re.M)) == set(REGISTRY)


def _reloaded(monkeypatch: pytest.MonkeyPatch, change) -> None:
    table = catalogue._table()
    changed = {**table, "rules": {code: dict(entry) for code, entry in table["rules"].items()}}
    change(changed)
    monkeypatch.setattr(catalogue, "_table", lambda: changed)
    catalogue.rules.__wrapped__()


def test_an_unknown_tag_is_an_error_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def mistype(table):
        table["rules"]["OWN001"]["tags"] = ["hidden-while-draftng"]

    with pytest.raises(CatalogueError, match=r"OWN001.*hidden-while-draftng"):
        _reloaded(monkeypatch, mistype)


def test_a_map_rule_needs_its_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    def drop_flag(table):
        del table["rules"]["ALI003"]["map-flag"]

    with pytest.raises(CatalogueError, match="ALI003"):
        _reloaded(monkeypatch, drop_flag)


def test_a_malformed_example_is_an_error_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def bad_example(table):
        table["rules"]["MEA002"]["examples"] = {"bad": [{"lang": "fr", "kr": "Améliorer la qualité"}]}

    with pytest.raises(CatalogueError, match=r"MEA002.*lang"):
        _reloaded(monkeypatch, bad_example)


def test_codes_and_functions_match() -> None:
    assert unregistered(rules(), REGISTRY) == []
    assert unregistered([*rules(), "MEA999"], REGISTRY) == ["MEA999"]
    with pytest.raises(KeyError, match=r"not in data/rules\.toml"):
        rule("MEA999", Scope.key_result)(lambda ctx: None)


def test_no_rule_code_literal_outside_the_rules_and_their_data() -> None:
    """Code asks the catalogue by tag; a code written into another module would outlive a retired rule."""
    package = Path(catalogue.__file__).resolve().parents[1]
    prefixes = "|".join(sorted({code[:3] for code in rules()}))  # the CLASSIC rules' (check-ins have their own)
    pattern = re.compile(rf"[\"']({prefixes})[0-9]{{3}}[\"']")
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if path.parent.name not in ("rules", "data") and path.name != "config.py"  # config's docstring shows a setting
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found
