"""The domain checks on their own: each problem, its code, its message, and the items it names."""

import math

import numpy as np
import pytest

from faculytics_contracts import DEFAULT_PARAMS, ErrorCode, JobInputError
from faculytics_worker.validation import ZERO_NORM, required_items, validate_job

DIM = 4


def _items(n, *, embed=None, prefix="s"):
    """n texts-only items, or with embeddings from ``embed(i)`` where it returns non-None."""
    items = []
    for i in range(n):
        item = {"submissionId": f"{prefix}-{i}", "text": f"comment number {i}"}
        vector = embed(i) if embed else None
        if vector is not None:
            item["embedding"] = vector
        items.append(item)
    return items


def _unit(i):
    vector = [0.0] * DIM
    vector[i % DIM] = 2.0  # not unit length on purpose: the worker normalises
    return vector


def _error(payload, dimension=DIM) -> JobInputError:
    with pytest.raises(JobInputError) as caught:
        validate_job(payload, dimension)
    return caught.value


def test_texts_only_request_needs_embedding_everywhere():
    job = validate_job({"items": _items(40)}, DIM)
    assert job.ids == [f"s-{i}" for i in range(40)]
    assert job.submission_ids == job.ids
    assert job.needs_embedding.all()
    assert job.embeddings.shape == (40, DIM)
    assert job.embeddings.dtype == np.float32
    assert job.skipped == []
    assert job.params == DEFAULT_PARAMS


def test_provided_embeddings_are_used_and_normalised():
    job = validate_job({"items": _items(40, embed=lambda i: _unit(i) if i % 2 else None)}, DIM)
    assert job.needs_embedding.tolist() == [i % 2 == 0 for i in range(40)]
    provided = job.embeddings[~job.needs_embedding]
    np.testing.assert_allclose(np.linalg.norm(provided, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(job.embeddings[1], [0, 1, 0, 0])


def test_params_merge_over_defaults():
    job = validate_job({"items": _items(40), "params": {"min_topic_size": 4}}, DIM)
    assert job.params.min_topic_size == 4
    assert job.params.nr_topics == DEFAULT_PARAMS.nr_topics


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "not an object",
        {"items": "nope"},
        {"items": [{"submissionId": "a"}]},
        {"items": [{"submissionId": "a", "text": ""}]},
        {"items": _items(3), "params": {"min_topic_size": 0}},
    ],
)
def test_invalid_requests_are_one_readable_sentence(payload):
    error = _error(payload)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert error.message.startswith("Invalid request")
    assert "\n" not in error.message


def test_invalid_item_names_its_index_and_submission_id():
    items = _items(5)
    items[3]["text"] = ""
    error = _error({"items": items})
    assert "items[3].text" in error.message
    assert "'s-3'" in error.message


def test_duplicates_are_named():
    items = _items(30) + [{"submissionId": "s-4", "text": "again"}] * 2
    items.append({"submissionId": "s-9", "text": "again"})
    error = _error({"items": items})
    assert error.code is ErrorCode.DUPLICATE_SUBMISSION_IDS
    assert "'s-4'" in error.message and "'s-9'" in error.message
    assert "'s-5'" not in error.message


@pytest.mark.parametrize("n", [0, 1, 2])
def test_too_few_items(n):
    error = _error({"items": _items(n)})
    needed = required_items(DEFAULT_PARAMS, n)
    assert error.code is ErrorCode.TOO_FEW_ITEMS
    assert error.message == (
        f"Received {n} items, need at least {needed} (min_topic_size) for topic modeling"
    )


def test_the_smallest_accepted_corpus_is_the_scaled_min_topic_size():
    needed = required_items(DEFAULT_PARAMS, 3)
    assert needed == 3
    assert len(validate_job({"items": _items(needed)}, DIM).ids) == needed


def test_dimension_mismatch_names_the_first_offenders_by_length():
    def embed(i):
        if i in (3, 7):
            return [0.5] * 3
        if i == 11:
            return [0.5] * 9
        return _unit(i)

    error = _error({"items": _items(30, embed=embed)})
    assert error.code is ErrorCode.EMBEDDING_DIMENSION_MISMATCH
    assert error.message.startswith(f"Expected {DIM}-dim embeddings, got 3")
    assert "'s-3', 's-7'" in error.message
    assert "got 9 (submissionIds 's-11')" in error.message


def test_dimension_mismatch_lists_a_few_and_counts_the_rest():
    error = _error({"items": _items(30, embed=lambda i: [1.0, 2.0])})
    assert "'s-4'" in error.message
    assert "and 25 more" in error.message
    assert "'s-5'" not in error.message


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_embeddings_are_named(bad):
    def embed(i):
        vector = _unit(i)
        if i in (2, 13):
            vector[1] = bad
        return vector

    error = _error({"items": _items(30, embed=embed)})
    assert error.code is ErrorCode.NON_FINITE_EMBEDDING
    assert "'s-2', 's-13'" in error.message
    assert "NaN or Infinity" in error.message


def test_zero_vectors_are_skipped_not_modelled():
    zero = {5, 6, 20}
    job = validate_job(
        {"items": _items(30, embed=lambda i: [0.0] * DIM if i in zero else _unit(i))}, DIM
    )
    assert [s.submission_id for s in job.skipped] == ["s-5", "s-6", "s-20"]
    assert all("zero-vector" in s.reason for s in job.skipped)
    assert set(job.ids) == {f"s-{i}" for i in range(30)} - {"s-5", "s-6", "s-20"}
    assert len(job.texts) == len(job.ids) == job.embeddings.shape[0] == 27


def test_a_vector_just_above_the_zero_threshold_is_kept():
    tiny = [ZERO_NORM * 10, 0.0, 0.0, 0.0]
    job = validate_job({"items": _items(30, embed=lambda i: tiny if i == 0 else _unit(i))}, DIM)
    assert job.skipped == []
    np.testing.assert_allclose(job.embeddings[0], [1, 0, 0, 0])


def test_all_zero_vectors():
    error = _error({"items": _items(30, embed=lambda i: [0.0] * DIM)})
    assert error.code is ErrorCode.ALL_ZERO_EMBEDDINGS
    assert error.message == "All embeddings are zero vectors"


def test_too_few_left_after_zero_vectors():
    # Three items pass the count check; one zero vector leaves two, fewer than the scaled
    # min_topic_size of three.
    error = _error({"items": _items(3, embed=lambda i: [0.0] * DIM if i == 1 else _unit(i))})
    assert error.code is ErrorCode.TOO_FEW_VALID_ITEMS
    assert error.message.startswith("After filtering zero vectors, only 2 items remain (need 3)")
    assert "'s-1'" in error.message


def test_zero_vectors_with_texts_only_items_are_not_all_zero():
    # Only the provided embeddings are zero; the texts-only items are still modelled.
    job = validate_job({"items": _items(30, embed=lambda i: [0.0] * DIM if i < 10 else None)}, DIM)
    assert len(job.skipped) == 10
    assert job.needs_embedding.all() and len(job.ids) == 20


def test_checks_run_in_order():
    # Duplicates are reported before the count, the count before embeddings.
    items = [{"submissionId": "x", "text": "a", "embedding": [1.0]}] * 2
    assert _error({"items": items}).code is ErrorCode.DUPLICATE_SUBMISSION_IDS
    assert _error({"items": items[:1]}).code is ErrorCode.TOO_FEW_ITEMS
    items = _items(30, embed=lambda i: [math.nan, 0.0] if i == 0 else [0.0] * DIM)
    assert _error({"items": items}).code is ErrorCode.EMBEDDING_DIMENSION_MISMATCH
