"""Sentence kinds (index/sentence_kinds.py): page furniture is told from prose by general signals."""

from __future__ import annotations

from index.sentence_kinds import SentenceKind, sentence_kind


def test_a_photo_caption_is_told_by_its_credit_or_by_where_people_stand_in_the_picture() -> None:
    texts = ("Combination showing Sam Bankman-Fried (L) and Zhao Changpeng (R), founder of Binance.",
             "West Indies’ Shai Hope (right) celebrates with Jason Holder after hitting the winning runs.",
             "Fans gather outside the stadium. Photograph: Randy Brooks/AFP/Getty Images",
             "The defence ranks bottom five in rushing touchdowns allowed (right), the figures show.",
             "Richard Teng will be the exchange’s new chief executive, Zhao said on Tuesday.")
    assert [sentence_kind(t) for t in texts] == [SentenceKind.CAPTION] * 3 + [SentenceKind.PROSE] * 2
