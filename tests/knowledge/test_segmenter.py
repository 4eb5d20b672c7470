"""jieba on its dictionary stored in SQLite cuts exactly as jieba on its own loaded dictionary."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.knowledge import bundled_knowledge_dir
from assistant.knowledge.evaluation import load_cases
from assistant.knowledge.segmenter import StoredDictionary, import_jieba, new_tokenizer, store_path
from assistant.knowledge.tokens import TERM_FREQUENCY, vocabulary

CASES = Path(__file__).resolve().parents[2] / "evals" / "retrieval" / "queries.yaml"
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("jieba-cache")


def _terms():
    return [(term, TERM_FREQUENCY) for term in vocabulary()["terms"]["zh"]]


def _runs() -> list[str]:
    """Every Chinese run of the bundled notes and the evaluation questions."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(bundled_knowledge_dir().glob("*.md"))]
    texts += [case.question for case in load_cases(CASES)]
    return [run for text in texts for run in CJK_RUN.findall(text)]


def _loaded_tokenizer(tmp_dir: Path):
    """jieba's own way: the whole dictionary loaded into a dict."""
    tokenizer = import_jieba().Tokenizer()
    tokenizer.tmp_dir = str(tmp_dir)
    for word, frequency in _terms():
        tokenizer.add_word(word, freq=frequency)
    return tokenizer


def test_the_stored_dictionary_cuts_every_note_and_question_as_jieba_does(cache_dir, tmp_path):
    stored = new_tokenizer(_terms(), cache_dir=cache_dir)
    assert isinstance(stored.FREQ, StoredDictionary)
    loaded = _loaded_tokenizer(tmp_path)
    assert isinstance(loaded.FREQ, dict) and len(loaded.FREQ) > 300_000
    assert stored.total == loaded.total
    runs = _runs()
    assert len(runs) > 5000
    assert [stored.lcut(run) for run in runs] == [loaded.lcut(run) for run in runs]


def test_the_domain_terms_stay_whole_on_the_stored_dictionary(cache_dir):
    stored = new_tokenizer(_terms(), cache_dir=cache_dir)
    assert "信心指数" in stored.lcut("我们的信心指数应该填多少")
    assert "信心指数" not in new_tokenizer(cache_dir=cache_dir).lcut("我们的信心指数应该填多少")


def test_a_damaged_store_is_built_again(cache_dir, tmp_path):
    new_tokenizer(cache_dir=cache_dir)  # the store exists
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    path = store_path(damaged)
    path.write_bytes(b"not a database")
    tokenizer = new_tokenizer(cache_dir=damaged)
    assert isinstance(tokenizer.FREQ, StoredDictionary)
    assert tokenizer.lcut("关键结果可以衡量") == new_tokenizer(cache_dir=cache_dir).lcut("关键结果可以衡量")
    assert path.stat().st_size > 1_000_000
    assert [p.name for p in damaged.iterdir()] == [path.name]  # no temporary file left behind


def test_an_unwritable_cache_folder_falls_back_to_jiebas_own_loading(cache_dir, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    tokenizer = new_tokenizer(_terms(), cache_dir=blocker / "jieba")  # cannot be made: a file is in the way
    assert isinstance(tokenizer.FREQ, dict)
    expected = new_tokenizer(_terms(), cache_dir=cache_dir)
    assert tokenizer.lcut("共创会上信心指数怎么定") == expected.lcut("共创会上信心指数怎么定")


def test_jieba_is_imported_without_pkg_resources():
    probe = (
        "from assistant.knowledge.segmenter import import_jieba\n"
        "import sys\n"
        "jieba = import_jieba()\n"
        "print('pkg_resources' in sys.modules, 'jieba' in sys.modules)\n"
        "import pkg_resources\n"  # and importing it afterwards still works
        "print('pkg_resources' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True", "True"]


def test_threads_share_one_stored_dictionary_safely(cache_dir):
    """The web app's handlers cut text in several threads at once: one SQLite connection serves them all."""
    from concurrent.futures import ThreadPoolExecutor

    runs = _runs()[:2000]
    alone = new_tokenizer(_terms(), cache_dir=cache_dir)
    expected = [alone.lcut(run) for run in runs]
    shared = new_tokenizer(_terms(), cache_dir=cache_dir)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(shared.lcut, runs)) == expected
