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

__all__ = ["MAX_YAML_BYTES", "read_yaml"]

#: The largest YAML file read. Real parameter files and import maps are a few hundred bytes.
MAX_YAML_BYTES = 1 << 20


def read_yaml(path: str | os.PathLike, *, what: str = "YAML file", key_lines: bool = False):
    """The YAML document in ``path``: text, lists and mappings only (None for an empty file).

    Parameters
    ----------
    path : str or path
        The file.
    what : str
        What the file is, for messages (``"parameter file"``, ``"import map"``).
    key_lines : bool, default False
        Also return the line (from 1) of every mapping key, by its path from the top, such as
        ``("codes", "findings")``: for messages that name the line of a wrong key or value.

    Returns
    -------
    object, or (object, dict) with ``key_lines``

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
        # One composed tree gives both the values and, when asked, where each key is.
        loader = yaml.BaseLoader(text)
        try:
            node = loader.get_single_node()
            document = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ParameterError(f"cannot read the {what} {path}: {error}") from None
    return (document, _key_lines(node)) if key_lines else document


def _key_lines(node) -> dict[tuple[str, ...], int]:
    import yaml

    lines: dict[tuple[str, ...], int] = {}

    def walk(node, prefix: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = (*prefix, str(key.value))
                lines[path] = key.start_mark.line + 1
                walk(value, path)

    walk(node, ())
    return lines
