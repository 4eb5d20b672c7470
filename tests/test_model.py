"""The data model's published JSON Schema: in sync with the code, valid, and true to real documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from assistant.importers import load_paths
from assistant.model import KeyResult, Objective, OKRSet, okr_json_schema

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = okr_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_published_schema_matches_the_model() -> None:
    published = json.loads((ROOT / "docs" / "okr.schema.json").read_text(encoding="utf-8"))
    assert published == okr_json_schema(), "regenerate with: okr-review schema -o docs/okr.schema.json"


def test_every_field_is_documented() -> None:
    for name, definition in okr_json_schema()["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"


def test_yaml_example_is_valid(validator: Draft202012Validator) -> None:
    document = yaml.safe_load((ROOT / "examples" / "okrs.yaml").read_text(encoding="utf-8"))
    document = json.loads(json.dumps(document, default=str))  # YAML reads 2025-12-31 as a date; JSON has strings
    assert list(validator.iter_errors(document)) == []


def test_imported_sets_dump_to_valid_documents(validator: Draft202012Validator) -> None:
    loaded = load_paths([ROOT / "examples"])
    dumped = [s.model_dump(mode="json", exclude_none=True) for s in loaded.sets]
    assert len(dumped) > 3
    for document in (dumped, {"sets": dumped}, dumped[0]):
        assert list(validator.iter_errors(document)) == []


@pytest.mark.parametrize(
    "document",
    [
        {"objectives": []},  # no team
        {"team": "A", "objectives": [{"id": "O1", "text": "x", "colour": "red"}]},  # unknown field
        {"team": "A", "level": "galaxy"},
        {"sets": [{"team": "A"}], "extra": 1},
        [{"team": "A", "objectives": [{"id": "O1", "text": "x", "key_results": [{"id": "KR1"}]}]}],  # KR text
    ],
)
def test_invalid_documents_are_rejected(validator: Draft202012Validator, document: object) -> None:
    assert list(validator.iter_errors(document))


def test_ids_are_stable_references() -> None:
    okr_set = OKRSet(
        team="平台研发部",
        objectives=[Objective(id="O1", text="性能第一", key_results=[KeyResult(id="KR2", text="延时降到 0.3 毫秒")])],
    )
    objective = okr_set.objectives[0]
    assert objective.kr_ref(objective.key_results[0]) == "O1.KR2"
