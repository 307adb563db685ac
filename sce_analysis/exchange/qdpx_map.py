"""How a REFI-QDA project's codes and variables map onto a review set: the default, and maps from YAML.

The default map reads a project coded the obvious way with no configuration: top-level codes
named "Key practice episodes", "Contributory factors" and "Findings", and variables named after
the review columns (``Area``, ``Year``, ``Region``, ``Review type`` ...). A team that named
things differently writes a map: ``sce-analysis import-qdpx --print-map`` prints the default as
YAML, to copy and edit. Names are compared ignoring case, spaces and punctuation
(:func:`~sce_analysis.reviewsets.contract.fold_name`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from ..errors import ParameterError
from ..reviewsets.contract import FILES, fold_name
from ..yamlfiles import read_yaml

__all__ = ["QdpxMap", "default_map", "read_map", "map_yaml"]

#: The review columns a variable can fill: the contract's, whose names are also the default variable names.
REVIEW_COLUMNS = tuple(c for c in FILES["reviews"].column_names if c != "review_id")


@dataclass(frozen=True)
class QdpxMap:
    """Names of the codes and variables that carry a review set in a REFI-QDA project.

    Attributes
    ----------
    episodes_root : str
        Top-level code whose children mark key practice episodes.
    episode_codes : tuple of str
        Codes, anywhere in the codebook, that mark a selection as a key practice episode.
    factors_root : str
        Top-level code under which the coding frame (contributory factors) lies.
    findings_root : str
        Top-level code under which the six SCIE categories mark findings.
    agencies_root : str
        Top-level code whose children name the agency a factor coding concerns.
    good, problematic : tuple of str
        Names of a factor's child codes that set the coding's polarity.
    variables : dict
        Review column -> the variable names that fill it; by default each column's own name.
    """

    episodes_root: str = "Key practice episodes"
    episode_codes: tuple[str, ...] = ("Key practice episode", "KPE")
    factors_root: str = "Contributory factors"
    findings_root: str = "Findings"
    agencies_root: str = "Agencies"
    good: tuple[str, ...] = ("good",)
    problematic: tuple[str, ...] = ("problematic",)
    variables: dict[str, tuple[str, ...]] = field(default_factory=lambda: {c: (c,) for c in REVIEW_COLUMNS})

    def column_of(self, variable: str) -> str | None:
        """The review column a variable fills, or None (then it becomes an extra column)."""
        folded = fold_name(variable)
        for column, names in self.variables.items():
            if folded in {fold_name(name) for name in names}:
                return column
        return None


def default_map() -> QdpxMap:
    """The map used when none is given."""
    return QdpxMap()


_CODE_KEYS = {
    "key_practice_episodes": "episodes_root",
    "key_practice_episode": "episode_codes",
    "contributory_factors": "factors_root",
    "findings": "findings_root",
    "agencies": "agencies_root",
    "good": "good",
    "problematic": "problematic",
}
_MANY = {"episode_codes", "good", "problematic"}


def map_yaml(mapping: QdpxMap | None = None) -> str:
    """A map as YAML, with comments: what ``--print-map`` prints.

    >>> print(map_yaml().splitlines()[4])
    codes:
    """
    mapping = mapping or default_map()
    lines = [
        "# How sce-analysis reads a REFI-QDA project. Copy this file, change the names to the ones your",
        "# project uses, and pass it with --map. Names are compared ignoring case, spaces and punctuation.",
        "# A list gives several names for the same thing.",
        "",
        "codes:",
    ]
    notes = {
        "episodes_root": "top-level code: each child code marks a key practice episode",
        "episode_codes": "codes (anywhere) that mark a selection as a key practice episode",
        "factors_root": "top-level code: the coding frame of contributory factors lies under it",
        "findings_root": "top-level code: its children, the six SCIE categories, mark findings",
        "agencies_root": "top-level code: its children name the agency of a factor coded on the same selection",
        "good": "child code of a factor: the factor supported good practice",
        "problematic": "child code of a factor: the factor made poor practice more likely",
    }
    for key, attribute in _CODE_KEYS.items():
        value = getattr(mapping, attribute)
        shown = "[" + ", ".join(value) + "]" if attribute in _MANY else value
        lines.append(f"  # {notes[attribute]}")
        lines.append(f"  {key}: {shown}")
    lines += ["", "# review column: the variable (on the source or on its case) that fills it", "variables:"]
    for column in REVIEW_COLUMNS:
        lines.append(f"  {column}: [{', '.join(mapping.variables.get(column, ()))}]")
    return "\n".join(lines) + "\n"


def read_map(path: str | os.PathLike) -> QdpxMap:
    """A map from a YAML file such as :func:`map_yaml` prints; keys left out keep their default.

    Raises
    ------
    ParameterError
        When the file cannot be read safely (see :func:`~sce_analysis.yamlfiles.read_yaml`), or a
        key is unknown or a value is not a name or a list of names; the message names the line.
    """
    document, lines = read_yaml(path, what="import map", key_lines=True)
    if document is None:
        return default_map()

    def fail(keys: tuple[str, ...], message: str) -> ParameterError:
        line = lines.get(keys)
        where = f"the import map {path}" + (f", line {line}" if line else "")
        return ParameterError(f"{where}: {message}")

    if not isinstance(document, dict):
        raise fail(
            (), "must map 'codes' and 'variables' to names. Fix: start from `sce-analysis import-qdpx --print-map`."
        )
    unknown = sorted(set(document) - {"codes", "variables"})
    if unknown:
        raise fail((unknown[0],), f"unknown section {unknown[0]!r}; the sections are 'codes' and 'variables'.")
    changes: dict = {}
    codes = document.get("codes") or {}
    if not isinstance(codes, dict):
        raise fail(("codes",), "'codes' must map names such as 'findings' to code names.")
    for key, value in codes.items():
        if key not in _CODE_KEYS:
            raise fail(("codes", key), f"unknown code key {key!r}; the keys are {', '.join(_CODE_KEYS)}.")
        names = _names(value, lambda message, key=key: fail(("codes", key), message))
        attribute = _CODE_KEYS[key]
        if attribute not in _MANY and len(names) != 1:
            raise fail(("codes", key), f"{key} names one top-level code, not a list.")
        changes[attribute] = names if attribute in _MANY else names[0]
    variables = document.get("variables") or {}
    if not isinstance(variables, dict):
        raise fail(("variables",), "'variables' must map review columns such as 'area' to variable names.")
    for column in variables:
        if column not in REVIEW_COLUMNS:
            raise fail(
                ("variables", column), f"{column!r} is not a review column; they are {', '.join(REVIEW_COLUMNS)}."
            )
    changes["variables"] = default_map().variables | {
        column: _names(value, lambda message, column=column: fail(("variables", column), message))
        for column, value in variables.items()
    }
    return replace(default_map(), **changes)


def _names(value, fail) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise fail("give a name, or a list of names in [brackets].")
    return tuple(v.strip() for v in values)
