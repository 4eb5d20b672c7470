import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from fake_embeddings import base_url, embedding_server
from notes_fixture import write_notes

from assistant.knowledge import knowledge_settings, load_notes, open_retriever
from assistant.knowledge.embeddings import HashingEmbedding
from assistant.knowledge.index import KnowledgeIndex, KnowledgeIndexError
from assistant.knowledge.snapshot import snapshot_path


@pytest.fixture
def settings(tmp_path):
    folder = write_notes(tmp_path / "notes")
    return knowledge_settings({"knowledge-dir": str(folder), "data-dir": str(tmp_path / "data")}, environ={})


def test_first_use_builds_then_reuses_the_index(settings):
    first = KnowledgeIndex(settings, load_notes(settings.knowledge_dir)).ensure()
    assert (first.built, first.reason, first.notes, first.chunks) == (True, "no index yet", 3, 6)
    assert (settings.index_dir / "chroma.sqlite3").is_file()
    again = KnowledgeIndex(settings, load_notes(settings.knowledge_dir)).ensure()
    assert (again.built, again.reason, again.chunks) == (False, "up to date", 6)


def test_a_changed_note_rebuilds_the_index(settings):
    KnowledgeIndex(settings, load_notes(settings.knowledge_dir)).ensure()
    path = settings.knowledge_dir / "owners.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## 补充\n成员可以有多位，负责人只有一位。\n", encoding="utf-8"
    )
    status = KnowledgeIndex(settings, load_notes(settings.knowledge_dir)).ensure()
    assert (status.built, status.reason, status.chunks) == (True, "notes changed", 7)
    forced = KnowledgeIndex(settings, load_notes(settings.knowledge_dir)).ensure(rebuild=True)
    assert (forced.built, forced.reason) == (True, "rebuild requested")


def test_an_index_of_another_embedding_is_refused_not_mixed(settings):
    notes = load_notes(settings.knowledge_dir)
    KnowledgeIndex(settings, notes, embedder=HashingEmbedding(2048)).ensure()
    with pytest.raises(KnowledgeIndexError, match=r"built with embedding .*--rebuild"):
        KnowledgeIndex(settings, notes, embedder=HashingEmbedding(512)).ensure()
    status = KnowledgeIndex(settings, notes, embedder=HashingEmbedding(512)).ensure(rebuild=True)
    assert status.built and status.embedding == HashingEmbedding(512).id


def test_chunks_keep_note_section_language_and_rules(settings):
    index = KnowledgeIndex(settings, load_notes(settings.knowledge_dir))
    index.ensure()
    chunks = {c.id: c for c in KnowledgeIndex(settings, load_notes(settings.knowledge_dir)).chunks()}
    handshake = chunks["handshake#1"]
    assert (handshake.note_id, handshake.section, handshake.language) == ("handshake", "步骤", "zh")
    assert handshake.rules == ("ALI005", "ALI006") and handshake.dimensions == ("aligned",)
    assert chunks["handshake#2"].language == "en"
    assert "握手会" in handshake.words


def test_search_finds_the_note_and_filters_by_rule_and_dimension(settings):
    retriever, _ = open_retriever(settings)
    assert retriever.search("信心指数填多少", 1)[0].note_id == "confidence"
    assert retriever.search("who should own a key result?", 1, language="en")[0].note_id == "owners"
    only = retriever.search("信心指数填多少", 5, rules=["OWN001"])
    assert only and {p.note_id for p in only} == {"owners"}
    by_dimension = retriever.search("信心指数", 5, dimensions=["aligned"])
    assert {p.note_id for p in by_dimension} == {"handshake"}
    assert retriever.search("信心", 5, rules=["OUT001"]) == []


@pytest.mark.parametrize("mode", ["hybrid", "vector", "lexical"])
def test_every_mode_answers(settings, mode):
    retriever, _ = open_retriever(settings, mode=mode)
    passages = retriever.search("握手会怎么开", 2)
    assert passages[0].note_id == "handshake"
    assert passages[0].title == "握手会" and passages[0].score > 0


def test_an_openai_compatible_embedding_builds_and_queries_the_index(tmp_path, settings):
    with embedding_server() as server:
        remote = replace(
            settings, embedding="openai", embedding_model="test-embed", embedding_base_url=base_url(server)
        )
        retriever, status = open_retriever(remote)
        assert status.embedding == f"openai:test-embed@{base_url(server)}"
        assert status.chunks == 6
        assert retriever.search("握手会", 1)[0].note_id == "handshake"  # BM25 carries the meaning here
        assert server.requests  # the vectors came from the endpoint
    with pytest.raises(KnowledgeIndexError, match="cannot be mixed"):
        open_retriever(settings)  # the offline default must not query that index


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server (the ``chroma`` command of the chromadb package) on 127.0.0.1."""
    port = _free_port()
    command = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(tmp_path / "server")]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("chroma server did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_chroma_server_holds_a_shared_index(settings, chroma_server):
    shared = replace(settings, chroma_host="127.0.0.1", chroma_port=chroma_server, collection="team-notes")
    retriever, status = open_retriever(shared)
    assert status.built and "Chroma server 127.0.0.1" in status.where
    assert retriever.search("握手会", 1)[0].note_id == "handshake"
    assert not open_retriever(shared)[1].built
    assert not settings.index_dir.exists()  # nothing was written locally
    assert not snapshot_path(shared).exists()  # no query snapshot: the server's collection may change from elsewhere


def test_an_unreachable_server_is_a_clear_error(settings):
    gone = replace(settings, chroma_host="127.0.0.1", chroma_port=_free_port())
    with pytest.raises(KnowledgeIndexError, match="cannot reach Chroma server"):
        open_retriever(gone)
