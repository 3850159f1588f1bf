"""A BERTopic embedding backend that routes every embedding BERTopic asks for through our Embedder.

KeyBERTInspired (candidate words, representative documents), MaximalMarginalRelevance and
guided seed topics all call the backend; going through :class:`faculytics_embedder.Embedder`
means they hit its persistent text->vector cache, so a re-run embeds nothing it embedded before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bertopic.backend import BaseEmbedder


class EmbedderBackend(BaseEmbedder):
    """Wrap an Embedder (anything with ``encode(texts) -> ndarray (n, dim)``) for BERTopic.

    Parameters
    ----------
    embedder : Embedder
        The embedder whose model and cache serve every request.
    known_texts, known_embeddings : optional
        Documents of the current fit and their embeddings, ndarray of shape (n_documents, dim).
        BERTopic re-embeds representative documents after topic reduction; when those texts are
        documents of the fit, their given embeddings are returned instead of recomputed.
    """

    def __init__(
        self,
        embedder,
        known_texts: Sequence[str] | None = None,
        known_embeddings: np.ndarray | None = None,
    ) -> None:
        super().__init__(embedding_model=embedder)
        self.embedder = embedder
        self._known: dict[str, int] = {}
        self._known_embeddings = known_embeddings
        if known_texts is not None and known_embeddings is not None:
            # First occurrence wins so duplicate texts map to one stable row.
            for row, text in enumerate(known_texts):
                self._known.setdefault(text, row)
        self.requested = 0
        self.served_from_known = 0

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        """Embeddings of ``documents``: ndarray of shape (len(documents), dim), float32."""
        documents = list(documents)
        self.requested += len(documents)
        if not documents:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        result: list[np.ndarray | None] = [None] * len(documents)
        missing: dict[str, list[int]] = {}
        for position, text in enumerate(documents):
            row = self._known.get(text)
            if row is not None:
                result[position] = self._known_embeddings[row]
                self.served_from_known += 1
            else:
                missing.setdefault(text, []).append(position)
        if missing:
            # Unique and sorted: the same request always encodes the same batches, whatever
            # order BERTopic built it in (KeyBERTInspired's vocabulary comes from a set).
            unique = sorted(missing)
            vectors = np.asarray(self.embedder.encode(unique), dtype=np.float32)
            for text, vector in zip(unique, vectors, strict=True):
                for position in missing[text]:
                    result[position] = vector
        return np.vstack(result).astype(np.float32, copy=False)
