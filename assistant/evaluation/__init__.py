"""The evaluation harness behind ``okr-review eval``: cases in, figures, reports and a verdict out.

Cases live in ``evals/cases/*.jsonl`` (see its README). The rule engine is measured once per run
(precision/recall/F1 per code and dimension; retrieval hit@k/MRR); the assistant's tasks run
under every column (the offline suggester always, then each model × prompt version) with repeats,
and deterministic checks decide each case. Thresholds come from ``evals/thresholds.toml``. A labelled
set of real published OKRs, kept outside the repository, is scored per label by ``realworld``.
"""

from .cases import KINDS, Case, CaseFileError, Suite, load_suite
from .harness import EvalOptions, run_evaluation, thresholds_met
from .judge import JudgeReport, load_labels, run_judge
from .metrics import ThresholdError, load_thresholds
from .report import (
    compare,
    default_subject,
    print_run,
    read_run,
    render_compare_html,
    render_html,
    write_html,
    write_run,
)
from .runner import OFFLINE, CaseResult, Environment, Subject, subjects_for

__all__ = [
    "KINDS",
    "OFFLINE",
    "Case",
    "CaseFileError",
    "CaseResult",
    "Environment",
    "EvalOptions",
    "JudgeReport",
    "Subject",
    "Suite",
    "ThresholdError",
    "compare",
    "default_subject",
    "load_labels",
    "load_suite",
    "load_thresholds",
    "print_run",
    "read_run",
    "render_compare_html",
    "render_html",
    "run_evaluation",
    "run_judge",
    "subjects_for",
    "thresholds_met",
    "write_html",
    "write_run",
]
