"""Retrieval evaluation: hit@1, hit@3 and MRR of the knowledge base on labelled questions, per note and per section.

    .venv/bin/python evals/retrieval/run.py                  # every mode, index built in a temporary folder
    .venv/bin/python evals/retrieval/run.py --mode hybrid --misses

Run it with the project's virtual environment (the package beside evals/ is found even when not installed).
Targets for the offline default (hybrid), note level: hit@3 >= 0.90, MRR >= 0.75 (the section-level floors are in
evals/thresholds.toml, checked by `okr-review eval`); exits 1 when missed, 2 when the package or one of its
dependencies cannot be imported.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.knowledge.evaluation import RetrievalScores

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# (label, mode, synonym expansion)
VARIANTS = {
    "hybrid": ("hybrid", True),
    "hybrid-no-synonyms": ("hybrid", False),
    "lexical": ("lexical", True),
    "vector": ("vector", True),
}


HEADER = (
    f"{'mode':<20} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}   {'zh@3':>6} {'zhMRR':>6}   {'en@3':>6} {'enMRR':>6}"
    f"   {'s@1':>6} {'s@3':>6} {'sMRR':>6}"
)


def _row(name: str, scores: RetrievalScores) -> str:
    zh, en = scores.only("zh"), scores.only("en")
    return (
        f"{name:<20} {len(scores):>4} {scores.hit_at(1):>6.3f} {scores.hit_at(3):>6.3f} {scores.mrr:>6.3f}"
        f"   {zh.hit_at(3):>6.3f} {zh.mrr:>6.3f}   {en.hit_at(3):>6.3f} {en.mrr:>6.3f}"
        f"   {scores.section_hit_at(1):>6.3f} {scores.section_hit_at(3):>6.3f} {scores.section_mrr:>6.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=HERE / "queries.yaml")
    parser.add_argument("--mode", choices=["all", *VARIANTS], default="all")
    parser.add_argument("--data-dir", type=Path, help="keep the index here (default: a temporary folder)")
    parser.add_argument("--misses", action="store_true", help="list the questions whose note or section ranks below 3")
    args = parser.parse_args()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # a checkout run as a script: the package sits beside evals/
    try:
        from assistant.knowledge import knowledge_settings, load_notes
        from assistant.knowledge.evaluation import TARGET_HIT3, TARGET_MRR, evaluate, known_sections, load_cases
        from assistant.knowledge.index import KnowledgeIndex
        from assistant.knowledge.retrieval import Retriever
    except ModuleNotFoundError as exc:
        hint = "run this with the project's virtual environment: .venv/bin/python evals/retrieval/run.py"
        print(f"{exc}: {hint}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(knowledge_settings(environ={}), data_dir=args.data_dir or Path(tmp))
        notebook = load_notes(settings.knowledge_dir)
        cases = load_cases(args.cases, known_notes=notebook.notes, sections=known_sections(notebook))
        index = KnowledgeIndex(settings, notebook)
        status = index.ensure()
        labelled = sum(1 for case in cases if case.sections)
        print(
            f"{len(cases)} questions ({labelled} with sections), {status.notes} notes, {status.chunks} passages, "
            f"embedding {status.embedding}"
        )
        print("s@1, s@3, sMRR: the same at section level (an expected section among the first passages)")
        print(HEADER)
        chosen = VARIANTS if args.mode == "all" else {args.mode: VARIANTS[args.mode]}
        default: RetrievalScores | None = None
        for name, (mode, expand) in chosen.items():
            scores = evaluate(Retriever(index, mode=mode, expand=expand), cases)
            print(_row(name, scores))
            if name == "hybrid":
                default = scores
            if args.misses:
                for miss in scores.misses():
                    print(
                        f"    miss [{miss.rank}] {miss.case.question} → want {','.join(miss.case.expected)}, "
                        f"got {','.join(miss.ranked[:3])}"
                    )
                for miss in scores.section_misses():
                    if miss.rank is not None and miss.rank <= 3:
                        print(
                            f"    section miss [{miss.section_rank}] {miss.case.question} → want "
                            f"{' | '.join(miss.case.sections)}, got {' | '.join(miss.ranked_sections[:3])}"
                        )
    if default is None:
        return 0
    met = default.meets_targets()
    verdict = "met" if met else "NOT met"
    print(f"targets (hybrid): hit@3 >= {TARGET_HIT3}, MRR >= {TARGET_MRR}: {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
