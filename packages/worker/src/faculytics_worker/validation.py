"""Domain checks of one job, before anything is embedded or modelled.

Every problem a caller can fix raises :class:`faculytics_contracts.JobInputError` with a stable
code and one sentence naming what is wrong and which items; the engine answers those with
``status: "failed"`` instead of raising, so the API does not retry a request that can never work.

The checks run in a fixed order, cheapest and most fundamental first:

1. the request parses against the contracts (``invalid_request``);
2. no submissionId appears twice (``duplicate_submission_ids``);
3. there are enough items for the small-corpus ``min_topic_size`` (``too_few_items``);
4. every provided embedding has the model's dimension (``embedding_dimension_mismatch``);
5. every provided embedding is finite (``non_finite_embedding``);
6. zero vectors are set aside as ``skipped``; if nothing or too little is left,
   ``all_zero_embeddings`` / ``too_few_valid_items``.

Items without an embedding are valid: the engine embeds their text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from faculytics_clusterer import scale_params
from faculytics_contracts import (
    ErrorCode,
    JobInputError,
    SkippedItem,
    TopicModelRequest,
    TopicParams,
    name_some,
    parse_request,
)

#: An embedding whose L2 norm is below this carries no direction and cannot be clustered.
ZERO_NORM = 1e-8
ZERO_VECTOR_REASON = f"zero-vector embedding (L2 norm < {ZERO_NORM:g}); not modelled"


@dataclass
class ValidatedJob:
    """A request that passed every domain check, ready to be embedded and modelled.

    Attributes
    ----------
    params : TopicParams
        The request's parameters merged over the defaults (before small-corpus scaling, which
        the pipeline applies itself).
    submission_ids : list of str
        Every incoming submissionId, in request order.
    ids, texts : list of str
        The items to model (request order, zero vectors removed), ``n_model`` of each.
    embeddings : ndarray of shape (n_model, dim), float32
        Provided embeddings, L2-normalised; rows of items that came without one are zeros
        until the engine fills them.
    needs_embedding : ndarray of shape (n_model,), bool
        True for rows whose text still has to be embedded.
    skipped : list of SkippedItem
        Items set aside (zero vectors), each with its reason.
    """

    params: TopicParams
    submission_ids: list[str]
    ids: list[str]
    texts: list[str]
    embeddings: np.ndarray
    needs_embedding: np.ndarray
    skipped: list[SkippedItem]


def required_items(params: TopicParams, n_items: int) -> int:
    """The ``min_topic_size`` a corpus of ``n_items`` is modelled with (small-corpus rule)."""
    return scale_params(params, n_items).min_topic_size


def check_unique_ids(request: TopicModelRequest) -> None:
    counts = Counter(request.submission_ids)
    duplicates = [sid for sid, count in counts.items() if count > 1]
    if duplicates:
        raise JobInputError(
            ErrorCode.DUPLICATE_SUBMISSION_IDS,
            f"Duplicate submissionIds: {name_some(duplicates)}; each submissionId must appear "
            "once.",
        )


def check_enough_items(params: TopicParams, n_items: int) -> None:
    needed = required_items(params, n_items)
    if n_items < needed:
        raise JobInputError(
            ErrorCode.TOO_FEW_ITEMS,
            f"Received {n_items} items, need at least {needed} (min_topic_size) for topic modeling",
        )


def check_dimensions(request: TopicModelRequest, dimension: int) -> None:
    by_length: dict[int, list[str]] = defaultdict(list)
    for item in request.items:
        if item.embedding is not None and len(item.embedding) != dimension:
            by_length[len(item.embedding)].append(item.submission_id)
    if by_length:
        # Group offenders by the length they sent: usually one wrong model for every item.
        parts = [f"{length} (submissionIds {name_some(ids)})" for length, ids in by_length.items()]
        raise JobInputError(
            ErrorCode.EMBEDDING_DIMENSION_MISMATCH,
            f"Expected {dimension}-dim embeddings, got " + "; got ".join(parts),
        )


def check_finite(ids: list[str], vectors: np.ndarray) -> None:
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        offenders = [sid for sid, flag in zip(ids, bad, strict=True) if flag]
        raise JobInputError(
            ErrorCode.NON_FINITE_EMBEDDING,
            f"Embeddings contain non-finite values (NaN or Infinity) for submissionIds "
            f"{name_some(offenders)}",
        )


def validate_job(payload: Any, dimension: int) -> ValidatedJob:
    """Run every domain check on a raw ``input`` object.

    Parameters
    ----------
    payload : Any
        The job's ``input`` as received (normally a dict).
    dimension : int
        The embedding model's output dimension; provided embeddings must match it.

    Raises
    ------
    JobInputError
        The first problem found, in the order of the module docstring.
    """
    request = parse_request(payload)
    params = request.params
    check_unique_ids(request)
    n_items = len(request.items)
    check_enough_items(params, n_items)
    check_dimensions(request, dimension)

    provided = [i for i, item in enumerate(request.items) if item.embedding is not None]
    provided_ids = [request.items[i].submission_id for i in provided]
    vectors = np.asarray([request.items[i].embedding for i in provided], dtype=np.float64).reshape(
        len(provided), dimension
    )
    check_finite(provided_ids, vectors)

    norms = np.linalg.norm(vectors, axis=1)
    zero_items = {i for row, i in enumerate(provided) if norms[row] < ZERO_NORM}
    skipped = [
        SkippedItem(submission_id=request.items[i].submission_id, reason=ZERO_VECTOR_REASON)
        for i in sorted(zero_items)
    ]
    if zero_items and len(zero_items) == n_items:
        raise JobInputError(ErrorCode.ALL_ZERO_EMBEDDINGS, "All embeddings are zero vectors")
    remaining = n_items - len(zero_items)
    if zero_items and remaining < required_items(params, remaining):
        raise JobInputError(
            ErrorCode.TOO_FEW_VALID_ITEMS,
            f"After filtering zero vectors, only {remaining} items remain (need "
            f"{required_items(params, remaining)}); zero vectors: "
            f"{name_some([s.submission_id for s in skipped])}",
        )

    keep = [i for i in range(n_items) if i not in zero_items]
    embeddings = np.zeros((len(keep), dimension), dtype=np.float32)
    needs_embedding = np.ones(len(keep), dtype=bool)
    row_of_item = {i: row for row, i in enumerate(provided)}
    for out_row, i in enumerate(keep):
        if i in row_of_item:
            row = row_of_item[i]
            # Normalise provided vectors like the embedder's own, so a mixed request (some
            # items embedded by the API, some here) is modelled on one scale.
            embeddings[out_row] = vectors[row] / norms[row]
            needs_embedding[out_row] = False
    return ValidatedJob(
        params=params,
        submission_ids=request.submission_ids,
        ids=[request.items[i].submission_id for i in keep],
        texts=[request.items[i].text for i in keep],
        embeddings=embeddings,
        needs_embedding=needs_embedding,
        skipped=skipped,
    )
