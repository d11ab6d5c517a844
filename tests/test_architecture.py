"""The project guide's structural rules, read from the source with ast: import directions and sizes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80

def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _modules(*roots: str) -> list[Path]:
    """Every .py file under the given folders (or the given files) of the repository, sorted."""
    found: list[Path] = []
    for root in roots:
        path = ROOT / root
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    assert found, f"no Python files under {roots}"
    return found


def _product_modules() -> list[Path]:
    """bot/*.py and the product packages: what the chat runs, as opposed to the UI (bot/web) and tooling (bot/lab)."""
    return sorted((ROOT / "bot").glob("*.py")) + _modules("bot/retrieval", "bot/answering", "bot/views")


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, including ones inside functions."""
    return _imports_in(path.read_text(encoding="utf-8"), _relative(path))


def _imports_in(source: str, relative: str) -> Iterator[tuple[int, str]]:
    package = relative.removesuffix(".py").split("/")[:-1]  # relative imports start from the file's package
    for node in ast.walk(ast.parse(source, relative)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            if node.module is None:  # `from .. import x`: each name is a module of that package
                for alias in node.names:
                    yield node.lineno, ".".join([*base, alias.name])
            else:
                yield node.lineno, ".".join([*base, node.module])


def _offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{_relative(path)}:{line} imports {name}"
        for path in paths
        for line, name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def _too_long(source: str, relative: str) -> list[str]:
    """The module, if over MAX_MODULE_LINES, and every function (or method) over MAX_FUNCTION_LINES."""
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{relative}: module of {lines} lines (limit {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, relative)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{relative}:{node.lineno} {node.name}: {length} lines (limit {MAX_FUNCTION_LINES})")
    return found


def test_the_checks_find_what_they_look_for() -> None:
    source = "import bot.lab.eval\nfrom .fusion import x\nfrom .. import web\ndef f():\n    from bot.web import y\n"
    assert list(_imports_in(source, "bot/retrieval/sample.py")) == [
        (1, "bot.lab.eval"), (2, "bot.retrieval.fusion"), (3, "bot.web"), (5, "bot.web")]
    body = "    x = 1\n"
    assert _too_long(f"def ok():\n{body * 79}", "m.py") == []
    assert _too_long("class C:\n    def long(self):\n" + "        x = 1\n" * 80, "m.py") == [
        "m.py:2 long: 81 lines (limit 80)"]
    assert _too_long("x = 1\n" * 401, "m.py") == ["m.py: module of 401 lines (limit 400)"]


def test_product_code_never_imports_the_ui_or_the_tooling() -> None:
    modules = _product_modules()
    assert ROOT / "bot" / "engine.py" in modules and ROOT / "bot" / "retrieval" / "retriever.py" in modules
    offenders = _offenders(modules, ("bot.web", "bot.lab"))
    assert offenders == [], (
        "product code (bot/*.py, bot/retrieval, bot/answering, bot/views) must not import bot.web or bot.lab; "
        "move what it needs into the product, or the code into the UI or tooling:\n  " + "\n  ".join(offenders))


def test_the_index_layer_never_imports_the_bot() -> None:
    offenders = _offenders(_modules("index"), ("bot", "app"))
    assert offenders == [], (
        "index/ must not import bot/ (or app.py): the index layer is below the bot; pass what it needs in as "
        "arguments:\n  " + "\n  ".join(offenders))


def test_no_module_or_function_is_too_long() -> None:
    paths = [p for p in _modules("bot", "index", "app.py")]
    offenders = [found for p in paths for found in _too_long(p.read_text(encoding="utf-8"), _relative(p))]
    assert offenders == [], (
        "split these by concept (one concept per module, one step per function):\n  " + "\n  ".join(offenders))
