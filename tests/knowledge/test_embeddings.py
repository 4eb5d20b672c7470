import math

import pytest
from fake_embeddings import base_url, embedding_server, vector_of

from assistant.knowledge.embeddings import EmbeddingError, HashingEmbedding, OpenAIEmbedding


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_offline_vectors_are_unit_length_and_deterministic():
    embedder = HashingEmbedding(dimensions=512)
    first, again = embedder.embed_documents(["信心指数表示把握"]), embedder.embed_documents(["信心指数表示把握"])
    assert first == again
    assert math.isclose(sum(v * v for v in first[0]), 1.0)
    assert embedder.embed_documents([""])[0][0] == 1.0  # no words: still a unit vector


def test_offline_vectors_put_shared_wording_closer():
    embedder = HashingEmbedding()
    question = embedder.embed_query("信心指数应该填多少")
    near, far = embedder.embed_documents(["信心指数表示负责人对达成的把握", "握手会上各团队确认依赖"])
    assert cosine(question, near) > cosine(question, far)
    english = embedder.embed_query("what does the confidence level mean")
    assert cosine(english, near) > cosine(english, far)  # through the synonym table


def test_the_id_names_the_embedding_and_its_size():
    assert HashingEmbedding(256).id != HashingEmbedding(512).id


def test_openai_compatible_endpoint_embeds_in_batches_over_http():
    with embedding_server() as server:
        embedder = OpenAIEmbedding("test-embed", base_url=base_url(server), api_key="sk-test-123")
        embedder.BATCH = 2
        texts = ["一", "二", "三"]
        assert embedder.embed_documents(texts) == [vector_of(t) for t in texts]
        assert embedder.embed_query("四") == vector_of("四")
        assert [len(r["body"]["input"]) for r in server.requests] == [2, 1, 1]
        assert server.requests[0]["auth"] == "Bearer sk-test-123"
        assert embedder.id == f"openai:test-embed@{base_url(server)}"


def test_endpoint_errors_are_clear_and_never_show_the_key():
    with embedding_server() as server:
        server.fail_with = (401, "invalid key")
        embedder = OpenAIEmbedding("test-embed", base_url=base_url(server), api_key="sk-secret-999")
        with pytest.raises(EmbeddingError) as caught:
            embedder.embed_query("问题")
    message = str(caught.value)
    assert "failed" in message and base_url(server) in message
    assert "sk-secret-999" not in message
