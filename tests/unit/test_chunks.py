import pytest

from application.chunks import chunks


def test_chunks_keep_the_order_and_the_last_one_takes_the_rest() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_chunks_read_a_generator_lazily_and_nothing_gives_no_chunk() -> None:
    read: list[int] = []
    first = next(chunks((read.append(n) or n for n in range(10)), 2))
    assert (first, read) == ([0, 1], [0, 1])
    assert list(chunks([], 5)) == []


def test_a_chunk_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="at least one"):
        next(chunks([1], 0))
