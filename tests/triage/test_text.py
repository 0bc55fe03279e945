"""Normalising and tokenising case text so prose and pre-segmented text look alike."""

from __future__ import annotations

import numpy as np

from minsheng.triage.features import CharBlock, Features, WordBlock
from minsheng.triage.text import normalise, words
from tests.triage.conftest import labelled


def test_segmented_and_running_text_normalise_alike():
    assert normalise("自来水 停水 三天 水管 爆裂") == normalise("自来水停水三天，水管爆裂！")


def test_width_case_numbers_and_place_codes_are_folded():
    assert normalise("Ａ市A1区ＸＹ路 ３号 停水12天") == "市区xy路 0号停水0天"


def test_words_of_other_scripts_keep_their_boundaries():
    assert normalise("سۇ يوق، Water  pipe") == "سۇ يوق water pipe"
    assert words(normalise("سۇ يوق، 自来水停水 water pipe")) == [
        "سۇ",
        "يوق",
        "自来水",
        "停水",
        "water",
        "pipe",
    ]


def test_one_texts_vector_equals_its_row_in_the_training_matrix():
    texts, _ = labelled(20, seed=5)
    texts = [normalise(t) for t in texts] + ["", "x", "سۇ يوق water 停水"]
    features = Features(
        [
            CharBlock("chars", low=1, high=2),
            WordBlock("words", bigrams=True),
            CharBlock("subject", low=1, high=3, head=15),
        ]
    )
    matrix = features.fit(texts, min_df=1).toarray()

    for i, text in enumerate(texts):
        columns, values = features.vector(text)
        row = np.zeros(matrix.shape[1], dtype=np.float32)
        row[columns] = values
        np.testing.assert_allclose(row, matrix[i], atol=1e-6)
