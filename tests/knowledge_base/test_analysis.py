from knowledge_base.search.analysis import analyzer_for, clean_query, fold, stop_words


def test_fold_removes_case_and_accents():
    assert fold("Café CRÈME") == "cafe creme"


def test_fold_keeps_arabic_letters_but_drops_harakat():
    assert fold("ضَرِيبَة", "ar") == "ضريبة"


def test_english_terms_are_stemmed_without_stop_words():
    assert analyzer_for("en").terms("When are the wheelie bins collected?") == ["wheeli", "bin", "collect"]


def test_english_stop_words_keep_words_residents_search_with():
    words = stop_words("en")
    assert {"the", "is", "my", "how"} <= words
    assert not {"home", "free", "lost", "new", "help", "move"} & words


def test_languages_without_a_stemmer_still_fold_and_drop_stop_words():
    assert analyzer_for("cy").terms("Pryd mae'r bin yn cael ei gasglu?") == ["pryd", "bin", "cael", "gasglu"]


def test_clean_query_drops_control_characters_and_bounds_length():
    assert clean_query("bin\x00 day\x1b\n") == "bin day"
    assert len(clean_query("x" * 10_000)) == 500
    assert clean_query(None) == ""
