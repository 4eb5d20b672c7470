"""The adversarial suite runs each hostile file in a child process under a memory ceiling (see sandbox.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if sys.platform != "linux":  # RLIMIT_AS and /proc/self/status
    pytest.skip("the adversarial suite measures memory through Linux interfaces", allow_module_level=True)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder of its own for the hostile files of one test."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder
