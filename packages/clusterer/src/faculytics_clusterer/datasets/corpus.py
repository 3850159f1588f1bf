"""The container both feedback corpora are returned in."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

#: Language labels a comment can carry; "mixed" is code-switched (Taglish, Bisaya-English, ...).
LANGUAGES: tuple[str, ...] = ("en", "ceb", "tl", "mixed")


@dataclass(frozen=True)
class FeedbackCorpus:
    """Student comments with the theme and language each was written for.

    The four lists are parallel: entry ``i`` of each describes comment ``i``.

    Attributes
    ----------
    ids : list of str, length n_documents
        Unique identifiers, used as ``submissionId`` in requests.
    texts : list of str, length n_documents
        The comments.
    themes : list of str, length n_documents
        The comment's primary theme (one of the academic aspects, or "general" for comments
        that only praise or say nothing); ground truth for theme-recovery checks.
    languages : list of str, length n_documents
        One of :data:`LANGUAGES`.
    """

    ids: list[str]
    texts: list[str]
    themes: list[str]
    languages: list[str]
    _n: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lengths = {len(self.ids), len(self.texts), len(self.themes), len(self.languages)}
        if len(lengths) != 1:
            raise ValueError(
                "FeedbackCorpus lists must have equal lengths, got "
                f"ids={len(self.ids)}, texts={len(self.texts)}, themes={len(self.themes)}, "
                f"languages={len(self.languages)}"
            )
        unknown = sorted(set(self.languages) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"Unknown language labels {unknown}; expected one of {LANGUAGES}")
        object.__setattr__(self, "_n", len(self.ids))

    def __len__(self) -> int:
        return self._n

    def theme_counts(self) -> dict[str, int]:
        """Number of comments per theme, largest first."""
        return dict(Counter(self.themes).most_common())

    def language_counts(self) -> dict[str, int]:
        """Number of comments per language label, largest first."""
        return dict(Counter(self.languages).most_common())

    def to_items(self) -> list[dict[str, str]]:
        """The comments as request items: ``[{"submissionId": id, "text": text}, ...]``."""
        return [
            {"submissionId": doc_id, "text": text}
            for doc_id, text in zip(self.ids, self.texts, strict=True)
        ]
