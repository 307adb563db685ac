"""Small YAML files from users (notebook parameters, import maps), read as untrusted input.

YAML can do more than a settings file needs. Two of its features make a small file dangerous:
arbitrary Python objects (refused by reading with ``BaseLoader``, which builds only text, lists
and mappings, and never guesses types: ``NO`` stays the text ``NO``) and aliases (``*name``),
which YAML expands, so that a few lines become billions of values (an "alias bomb"; refused
before anything is built). Files larger than :data:`MAX_YAML_BYTES` are refused unread.
"""

from __future__ import annotations

import os

from .errors import ParameterError

__all__ = ["MAX_YAML_BYTES", "read_yaml", "yaml_keys"]

#: The largest YAML file read. Real parameter files and import maps are a few hundred bytes.
MAX_YAML_BYTES = 1 << 20


def read_yaml(path: str | os.PathLike, *, what: str = "YAML file"):
    """The YAML document in ``path``: text, lists and mappings only (None for an empty file).

    Parameters
    ----------
    path : str or path
        The file.
    what : str
        What the file is, for messages (``"parameter file"``, ``"import map"``).

    Raises
    ------
    ParameterError
        When the file cannot be read, is larger than :data:`MAX_YAML_BYTES`, is not UTF-8 or not
        YAML, or holds an alias; the message names the file, the line and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "p.yaml")
    ...     _ = path.write_text("a: &x [1, 2]\\nb: *x\\n")
    ...     read_yaml(path, what="parameter file")
    Traceback (most recent call last):
    ...
    sce_analysis.errors.ParameterError: the parameter file .../p.yaml, line 2, column 4: the alias '*x' is refused ...
    """
    import yaml  # 35 ms on import, needed only when a YAML file is given

    try:
        with open(path, "rb") as file:
            data = file.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise ParameterError(
                f"the {what} {path} is larger than {MAX_YAML_BYTES:,} bytes: it is not a {what}. Fix: give the "
                f"YAML {what} itself."
            )
        text = data.decode("utf-8")
        for event in yaml.parse(text, Loader=yaml.BaseLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise ParameterError(
                    f"the {what} {path}, line {mark.line + 1}, column {mark.column + 1}: the alias "
                    f"'*{event.anchor}' is refused (aliases can expand a small file into billions of values). "
                    "Fix: write the value out in full."
                )
        return yaml.load(text, Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ParameterError(f"cannot read the {what} {path}: {error}") from None


def yaml_keys(path: str | os.PathLike) -> dict[tuple[str, ...], int]:
    """The line (from 1) of every mapping key in a YAML file already read by :func:`read_yaml`.

    Keys are given as paths from the top: ``("codes", "findings")``. Messages use it to name the
    line of a wrong key or value.
    """
    import yaml

    with open(path, encoding="utf-8") as file:
        node = yaml.compose(file.read(MAX_YAML_BYTES), Loader=yaml.BaseLoader)
    lines: dict[tuple[str, ...], int] = {}

    def walk(node, prefix: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path_ = (*prefix, str(key.value))
                lines[path_] = key.start_mark.line + 1
                walk(value, path_)

    walk(node, ())
    return lines
