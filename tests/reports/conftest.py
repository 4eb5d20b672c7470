"""Fixtures of the report tests; the sample data lives in report_samples.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_samples import english_review, make_review

from assistant.review import Review


@pytest.fixture
def review(tmp_path: Path) -> Review:
    """The zh sample review; its CSV input is written into ``tmp_path``."""
    return make_review(tmp_path)


@pytest.fixture
def review_en() -> Review:
    return english_review()
