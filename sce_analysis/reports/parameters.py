"""Notebook parameters: read them from a notebook, cast what users type, and check the values.

Every notebook in ``notebooks/`` has one cell tagged ``parameters`` holding one annotated
assignment per line with a trailing help comment::

    regions: list = []  # keep only these regions (empty: all)

The runner reads these declarations (without starting a kernel) to reject unknown names, cast
values to the declared type, and check them, before any work starts. Inside a notebook,
:func:`sce_analysis.start_run` runs the same checks, so a notebook opened in JupyterLab fails
just as early.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParameterError
from ..publish.disclosure import DEFAULT_MIN_AREAS, DEFAULT_THRESHOLD
from ..publish.policy import Policy

__all__ = [
    "Parameter",
    "CORE_PARAMETERS",
    "read_parameters",
    "cast_value",
    "check_core_values",
    "in_scope",
    "publication_policy",
]

#: The types a parameter may be declared with.
TYPES = {"str": str, "int": int, "float": float, "bool": bool, "list": list}


@dataclass(frozen=True)
class Parameter:
    """One declared notebook parameter."""

    name: str
    type: str
    default: object
    help: str


#: The parameters every notebook declares, with the same types (a test checks the notebooks).
CORE_PARAMETERS: tuple[str, ...] = (
    "data_dir",
    "out_dir",
    "areas",
    "regions",
    "years",
    "review_types",
    "unit",
    "min_count",
    "alpha",
    "seed",
    "publication",
    "suppress_below",
    "min_areas",
    "interactive",
)


def read_parameters(notebook: str | Path) -> dict[str, Parameter]:
    """The parameters declared in a notebook's ``parameters`` cell, in order.

    Raises
    ------
    ParameterError
        When the notebook has no parameters cell, or a line of it is not of the form
        ``name: type = literal  # help``.
    """
    import nbformat  # 60 ms on import: the CLI reads parameters only for report, sweep and params

    path = Path(notebook)
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{path.name} must have exactly one cell tagged 'parameters' (it has {len(cells)}).")
    source = cells[0].source
    comments = {
        token.start[0]: token.string.lstrip("#").strip()
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    declared: dict[str, Parameter] = {}
    for statement in ast.parse(source).body:
        ok = (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(statement.annotation, ast.Name)
            and statement.annotation.id in TYPES
            and statement.value is not None
        )
        if not ok:
            raise ParameterError(
                f"{path.name}, parameters cell line {statement.lineno}: write 'name: type = value  # help' with a "
                f"type among {', '.join(TYPES)}."
            )
        name, kind = statement.target.id, statement.annotation.id
        default = ast.literal_eval(statement.value)
        whole_as_float = kind == "float" and isinstance(default, int) and not isinstance(default, bool)
        wrong = not isinstance(default, TYPES[kind]) or (kind in ("int", "float") and isinstance(default, bool))
        if wrong and not whole_as_float:
            raise ParameterError(f"{path.name}: the default of {name} is not a {kind}.")
        declared[name] = Parameter(name, kind, default, comments.get(statement.lineno, ""))
    return declared


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def cast_value(name: str, kind: str, value):
    """Cast a value given on the command line or in a YAML file to the declared type.

    Strings come from ``-p NAME VALUE`` and from YAML read without type guessing, so ``007``
    stays ``"007"`` for a ``str`` and ``NO`` stays ``"NO"``; a ``list`` accepts a YAML list or a
    comma-separated string; a ``bool`` accepts true/false, yes/no, 1/0, on/off.
    """
    try:
        if kind == "list":
            if isinstance(value, (list, tuple)):
                items = list(value)
            elif isinstance(value, str):
                items = [part.strip() for part in value.split(",") if part.strip()]
            else:
                items = [value]
            return [_scalar(item) for item in items]
        if isinstance(value, (list, tuple, dict)):
            raise ValueError("a single value is expected")
        if kind == "str":
            return str(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError("use true or false")
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError("a whole number is expected")
            if isinstance(value, float) and not value.is_integer():
                raise ValueError("a whole number is expected")
            return int(str(value).strip()) if isinstance(value, str) else int(value)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError("a number is expected")
            return float(value)
    except ValueError as error:
        raise ParameterError(f"parameter {name} must be a {kind}; {value!r} is not ({error}).") from None
    raise ParameterError(f"parameter {name} has an unknown type {kind!r}.")


def _scalar(item):
    """List items from YAML or the command line: whole numbers become ints, the rest stays text."""
    if isinstance(item, str) and item.strip().lstrip("-").isdigit() and not item.strip().startswith("0"):
        return int(item)
    return item


def check_core_values(values: dict) -> dict:
    """Check the values of the core parameters that are present; return them normalised.

    Raises
    ------
    ParameterError
        Naming the parameter, the value and what is allowed.
    """
    out = dict(values)
    if "unit" in out and out["unit"] not in ("review", "episode"):
        raise ParameterError(f"unit must be 'review' or 'episode', not {out['unit']!r}.")
    if "alpha" in out and not 0 < out["alpha"] < 1:
        raise ParameterError(f"alpha must be between 0 and 1, such as 0.05; not {out['alpha']!r}.")
    for name, low in (("min_count", 1), ("suppress_below", 1), ("min_areas", 1), ("seed", 0)):
        if name in out and (isinstance(out[name], bool) or not isinstance(out[name], int) or out[name] < low):
            raise ParameterError(f"{name} must be a whole number of at least {low}, not {out[name]!r}.")
    if "years" in out:
        years = out["years"]
        if years:
            if len(years) != 2 or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
                raise ParameterError(f"years must be empty or [first, last], such as [2015, 2020]; not {years!r}.")
            if years[0] > years[1]:
                raise ParameterError(f"years: the first year {years[0]} comes after the last year {years[1]}.")
    for name in ("areas", "regions", "review_types"):
        if name in out:
            if not isinstance(out[name], list):
                raise ParameterError(f"{name} must be a list of names, not {out[name]!r}.")
            out[name] = [str(v) for v in out[name]]
    return out


def in_scope(rs, parameters: dict):
    """The reviews that the filter parameters keep: ``areas``, ``regions``, ``years`` ([first, last])
    and ``review_types``; a missing or empty one keeps everything."""
    return rs.filter(
        areas=parameters.get("areas") or None,
        regions=parameters.get("regions") or None,
        years=tuple(parameters["years"]) if parameters.get("years") else None,
        review_types=parameters.get("review_types") or None,
    )


def publication_policy(parameters: dict) -> Policy:
    """The publication policy the parameters ask for: ``publication``, ``suppress_below`` and ``min_areas``.

    >>> publication_policy({"publication": True, "suppress_below": 10})
    Policy(publication=True, threshold=10, min_areas=3)
    """
    return Policy(
        publication=bool(parameters.get("publication", False)),
        threshold=int(parameters.get("suppress_below", DEFAULT_THRESHOLD)),
        min_areas=int(parameters.get("min_areas", DEFAULT_MIN_AREAS)),
    )
