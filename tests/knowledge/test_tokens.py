from assistant.knowledge.tokens import char_pairs, query_words, synonyms_of, words


def test_domain_terms_stay_whole_and_stop_words_go():
    found = words("我们的信心指数应该填多少？五四原则是什么")
    assert "信心指数" in found and "五四原则" in found
    assert "的" not in found and "我们" not in found and "什么" not in found


def test_english_words_are_lowercased_and_stemmed():
    assert words("Scoring the Key Results") == ["score", "key", "result"]
    assert words("OKRs and KPIs") == ["okr", "kpi"] == words("OKR and KPI")


def test_char_pairs_cover_chinese_only():
    assert char_pairs("信心指数 confidence") == ["信心", "心指", "指数"]


def test_synonyms_cross_languages_in_both_directions():
    assert "信心指数" in synonyms_of("how confident should we be? confidence level")
    assert "handshake" in synonyms_of("握手会怎么开")
    assert synonyms_of("unrelated words only") == []


def test_query_words_weigh_synonyms_below_the_users_own_words():
    weighted = {w.word: w.weight for w in query_words("信心指数填多少")}
    assert weighted["信心指数"] == 1.0
    assert weighted["confid"] < 1.0
    assert all(w.weight == 1.0 for w in query_words("信心指数填多少", expand=False))


def test_words_are_thread_safe():
    """The Snowball stemmer keeps state while it works: threads sharing one garbled or crashed it."""
    from concurrent.futures import ThreadPoolExecutor

    from assistant.knowledge.tokens import words

    texts = [f"improving onboarding experiences for merchants number {i} quickly and repeatedly" for i in range(400)]
    expected = [words(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(words, texts)) == expected
