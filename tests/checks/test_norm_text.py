"""The checks' normalised text: whitespace gone, NFKC applied, quotes mapped back to the
original; one object per text, as every rule of a report asks for the same sections."""

from __future__ import annotations

from reports.checks._common import NormText
from reports.parse.values import norm


def test_norm_text_maps_back_to_the_original() -> None:
    original = "本机关办理了 １５ 项\n行政许可。"
    text = NormText.of(original)
    assert text.text == "本机关办理了15项行政许可。"
    start = text.text.index("15")
    assert text.quote(start, start + 3) == "１５ 项"
    assert original[text.orig_offset(start)] == "１"


def test_norm_text_is_built_once_per_text() -> None:
    original = "第五部分 存在的主要问题及改进情况"
    assert NormText.of(original) is NormText.of(original)
    assert NormText.of(original + "。") is not NormText.of(original)


def test_cell_norm_memo_answers_like_the_function() -> None:
    for raw in ("　１２３　", "\u200b45\ufeff", "", None, " 无 "):
        assert norm(raw) == norm(raw) == (norm.__wrapped__(raw))
    assert norm("　１２３　") == "123"
