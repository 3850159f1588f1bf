"""Parameter grids: ``min_topic_size=10,15,25 nr_topics=10,20,auto`` or a small TOML file.

Every name must be a :class:`~faculytics_contracts.TopicParams` field and every value must pass
that model's own validation, so a grid can never hold a value a job would refuse. Parameters the
grid does not mention keep their contract defaults (nothing here repeats a default).
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from faculytics_contracts import ErrorCode, JobInputError, TopicParams, name_some


class GridError(JobInputError):
    """A grid that names an unknown parameter or gives a value the contract refuses."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.INVALID_REQUEST, message)


def _known_parameters() -> list[str]:
    return list(TopicParams.model_fields)


def _parse_scalar(text: str) -> Any:
    """Command-line value -> int, float, bool or the stripped string (``"auto"``)."""
    text = text.strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _validate_value(name: str, value: Any) -> Any:
    """The value as the contract stores it; :class:`GridError` naming name and value otherwise."""
    # Booleans are ints to Python; refuse them where a number is meant, and numbers where a
    # flag is meant, instead of letting lax coercion turn ``true`` into 1.
    annotation = TopicParams.model_fields[name].annotation
    if isinstance(value, bool) != (annotation is bool):
        kind = "true or false" if annotation is bool else "a number"
        raise GridError(f"Invalid grid: {name}={value!r}: expected {kind}.")
    try:
        params = TopicParams.model_validate({name: value})
    except ValidationError as error:
        reason = "; ".join(detail["msg"] for detail in error.errors(include_url=False))
        raise GridError(f"Invalid grid: {name}={value!r}: {reason}.") from None
    return getattr(params, name)


@dataclass(frozen=True)
class ParameterGrid:
    """The values to try for each swept parameter, in the order given.

    Attributes
    ----------
    values : dict of str -> tuple
        Parameter name (a ``TopicParams`` field) -> the distinct values to try, validated.
    """

    values: Mapping[str, tuple[Any, ...]]

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> ParameterGrid:
        """Build from ``{name: value or list of values}``; validates names and every value."""
        known = _known_parameters()
        unknown = [name for name in raw if name not in known]
        if unknown:
            raise GridError(
                f"Invalid grid: unknown parameter(s) {name_some(unknown)}; "
                f"known parameters: {', '.join(known)}."
            )
        values: dict[str, tuple[Any, ...]] = {}
        for name, given in raw.items():
            listed = list(given) if isinstance(given, list | tuple) else [given]
            if not listed:
                raise GridError(f"Invalid grid: {name} has no values.")
            checked = [_validate_value(name, value) for value in listed]
            duplicates = sorted({repr(v) for v in checked if checked.count(v) > 1})
            if duplicates:
                raise GridError(f"Invalid grid: {name} repeats {', '.join(duplicates)}.")
            values[name] = tuple(checked)
        return cls(values)

    @classmethod
    def from_args(cls, args: Sequence[str]) -> ParameterGrid:
        """Parse ``["min_topic_size=10,15", "nr_topics=10,auto"]`` (one token per parameter)."""
        raw: dict[str, list[Any]] = {}
        for token in args:
            name, sep, text = token.partition("=")
            name = name.strip()
            if not sep or not name or not text.strip():
                raise GridError(
                    f"Invalid grid: {token!r} is not NAME=VALUE[,VALUE...] "
                    "(e.g. min_topic_size=10,15,25)."
                )
            if name in raw:
                raise GridError(f"Invalid grid: {name} is given twice.")
            parts = text.split(",")
            if any(not part.strip() for part in parts):
                raise GridError(f"Invalid grid: {token!r} has an empty value.")
            raw[name] = [_parse_scalar(part) for part in parts]
        return cls.from_mapping(raw)

    @classmethod
    def from_toml(cls, path: str | Path) -> ParameterGrid:
        """Read a grid file: parameters at the top level or under ``[grid]``.

        Example::

            [grid]
            min_topic_size = [10, 15, 25]
            nr_topics = [10, 20, "auto"]
            umap_n_neighbors = [15, 20]
            tier1_guided = false          # a single value is a fixed parameter
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise GridError(f"Invalid grid file {path}: {error}.") from None
        if "grid" in data:
            extra = [key for key in data if key != "grid"]
            if extra:
                raise GridError(
                    f"Invalid grid file {path}: unexpected top-level key(s) {name_some(extra)} "
                    "beside [grid]."
                )
            data = data["grid"]
        if not isinstance(data, dict) or not data:
            raise GridError(f"Invalid grid file {path}: it names no parameters.")
        return cls.from_mapping(data)

    @property
    def swept(self) -> list[str]:
        """Names of the parameters with more than one value (the ones a table must show)."""
        return [name for name, values in self.values.items() if len(values) > 1]

    def __len__(self) -> int:
        count = 1
        for values in self.values.values():
            count *= len(values)
        return count

    def combinations(self, base: TopicParams | None = None) -> list[TopicParams]:
        """Every combination as a full ``TopicParams`` (grid order; last name varies fastest)."""
        base = base or TopicParams()
        names = list(self.values)
        fields = base.model_dump()
        return [
            TopicParams.model_validate({**fields, **dict(zip(names, combo, strict=True))})
            for combo in itertools.product(*(self.values[name] for name in names))
        ]
