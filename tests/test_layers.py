"""The package's architecture, checked: layers (import-linter), no private names across modules, sizes.

The layers are declared in ``pyproject.toml`` ([tool.importlinter]); a module may import only from
layers below its own. What one module needs of another is public in the module that owns it, so
no module imports another's ``_private`` name. No module is over 1,000 lines, no function over 120.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "sce_analysis"
MAX_MODULE_LINES = 1000
MAX_FUNCTION_LINES = 120


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# ----------------------------------------------------------------------------------- (a) layers


def test_import_linter_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip(f"lint-imports is not installed beside {sys.executable}")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


# ----------------------------------------------------------------------------------- (b) private names


@dataclass(frozen=True)
class Offence:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.text}"


def imported_module(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def private_name_offences(module: str, path: Path, known: dict[str, Path]) -> list[Offence]:
    """Private names of other modules of the package that ``module`` imports or reads."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    offences = []
    # Local names bound to a module object of the package ("from . import x", "import a.b as x").
    module_objects: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = imported_module(module, is_package, node)
            if not source.startswith("sce_analysis"):
                continue
            for alias in node.names:
                if is_private(alias.name):
                    offences.append(Offence(path, node.lineno, f"from {source} import {alias.name}"))
                if f"{source}.{alias.name}" in known:
                    module_objects[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sce_analysis"):
                    if any(is_private(part) for part in alias.name.split(".")):
                        offences.append(Offence(path, node.lineno, f"import {alias.name}"))
                    bound = alias.asname or alias.name.split(".")[0]
                    module_objects[bound] = alias.name if alias.asname else bound
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            chain, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in module_objects and module_objects[inner.id] != module:
                dotted = ".".join([module_objects[inner.id], *reversed(chain)])
                offences.append(Offence(path, node.lineno, f"{inner.id}.{'.'.join(reversed(chain))} ({dotted})"))
    return offences


def test_the_scan_finds_each_kind_of_private_import(tmp_path):
    package = tmp_path / "sce_analysis" / "stats"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text("")
    source = package / "user.py"
    source.write_text(
        "from .helper import _hidden, shown\n"
        "from . import _tools\n"
        "from .. import errors\n"
        "from . import helper\n"
        "import sce_analysis.stats.helper as h\n"
        "from . import __version__\n"
        "def f(self):\n"
        "    return helper._cache, h._other, errors.SceAnalysisError, self._own, helper.__name__\n"
    )
    known = {
        "sce_analysis.stats": package / "__init__.py",
        "sce_analysis.stats.helper": package / "helper.py",
        "sce_analysis.errors": tmp_path / "errors.py",
    }
    found = [(o.line, o.text) for o in private_name_offences("sce_analysis.stats.user", source, known)]
    assert found == [
        (1, "from sce_analysis.stats.helper import _hidden"),
        (2, "from sce_analysis.stats import _tools"),
        (8, "helper._cache (sce_analysis.stats.helper._cache)"),
        (8, "h._other (sce_analysis.stats.helper._other)"),
    ]


def test_no_module_imports_another_modules_private_names():
    known = modules()
    offences = [o for module, path in known.items() for o in private_name_offences(module, path, known)]
    assert not offences, "private names used across modules:\n" + "\n".join(map(str, offences))


# ----------------------------------------------------------------------------------- (c) sizes


def function_lengths(path: Path) -> list[tuple[str, int, int]]:
    """(qualified name, first line, lines) of every function and method; a nested function counts
    toward the one that encloses it."""
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((prefix + child.name, child.lineno, child.end_lineno - child.lineno + 1))
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif not isinstance(child, ast.Lambda):
                visit(child, prefix)  # functions defined under if/try at module or class level

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def test_function_lengths_count_nested_functions_in_their_enclosing_one(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "def outer():\n    def inner():\n        return 1\n    return inner\n\n\n"
        "class C:\n    def method(self):\n        pass\n\n\nif True:\n    def late():\n        pass\n"
    )
    assert function_lengths(path) == [("outer", 1, 4), ("C.method", 8, 2), ("late", 13, 2)]


def test_no_module_over_1000_lines_and_no_function_over_120():
    offenders = []
    for path in modules().values():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        where = path.relative_to(ROOT)
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{where}: {lines} lines")
        offenders += [
            f"{where}:{line}: {name} is {length} lines"
            for name, line, length in function_lengths(path)
            if length > MAX_FUNCTION_LINES
        ]
    assert not offenders, "over the limits:\n" + "\n".join(offenders)
