"""The shape of the code: the import contracts of pyproject.toml, the longest chain of imports,
module and function sizes, what the per-file token cache key covers, and the modules
docs/architecture.md names."""

from __future__ import annotations

import ast
import graphlib
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("retrieval", "bot", "config")
MAX_CHAIN = 9  # modules in the longest chain of module-level imports between the project's modules
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Allowed over the limits, and why (none at present; remove an entry once it is not needed).
LONG_MODULES: dict[str, str] = {}
LONG_FUNCTIONS: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    """Dotted name → file of every module of the project's packages."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _type_checking_only(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module, module_level: bool) -> list[ast.Import | ast.ImportFrom]:
    """Import statements run when the module is imported (``module_level``: not those inside
    functions or classes), never those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
        elif module_level and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> set[str]:
    """The project modules an import statement of module ``name`` (file ``path``) imports."""
    if isinstance(node, ast.Import):
        wanted = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([node.module] if node.module else []))
        # ``from package import module`` imports the module; ``from module import name`` the module.
        wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
    out = set()
    for dotted in wanted:
        parts = dotted.split(".")
        for n in range(len(parts), 0, -1):
            if ".".join(parts[:n]) in modules:
                out.add(".".join(parts[:n]))
                break
    return out


@lru_cache(maxsize=2)
def import_graph(module_level: bool = True) -> dict[str, frozenset[str]]:
    """Module → the project modules it imports."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in _imports(tree, module_level):
            edges |= _targets(name, path, node, modules)
        edges.discard(name)
        graph[name] = frozenset(edges)
    return graph


def longest_chain(graph: dict[str, frozenset[str]]) -> list[str]:
    """The longest chain of imports (a cycle raises graphlib.CycleError)."""
    longest: dict[str, list[str]] = {}
    for name in graphlib.TopologicalSorter(graph).static_order():  # imported modules first
        longest[name] = max(([name] + longest[d] for d in graph[name]), key=len, default=[name])
    return max(longest.values(), key=len)


def test_import_contracts_are_kept(capsys):
    from importlinter import api  # noqa: F401  (sets import-linter up)
    from importlinter.application.use_cases import lint_imports

    kept = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    report = capsys.readouterr().out
    assert kept, report
    assert "5 kept, 0 broken" in " ".join(report.split()), report


def test_the_longest_chain_of_imports_is_short():
    chain = longest_chain(import_graph())
    assert len(chain) <= MAX_CHAIN, " → ".join(chain)


def test_the_chain_walk_sees_the_engine_under_its_front_ends():
    graph = import_graph()
    assert "retrieval.engine" in graph["bot.startup"]
    assert "retrieval.answer.compose" in graph["retrieval.engine"]
    assert "retrieval.index.embedder" not in graph["retrieval.index.vectors"]  # only for types
    assert "retrieval.ingest.formats.pdf" not in graph["retrieval.ingest.loader"]  # imported when a PDF is read
    assert len(longest_chain(graph)) >= 6


def test_no_module_is_too_long():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules().values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
        and str(p.relative_to(ROOT)) not in LONG_MODULES
    }
    assert not long


def test_no_function_is_too_long():
    long = {}
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                key = f"{path.relative_to(ROOT)}:{node.name}"
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    long[key] = node.end_lineno - node.lineno + 1
    assert not long


def test_the_token_cache_key_covers_the_code_that_makes_the_tokens():
    """Every module one file's processing runs (its imports, also those inside functions, such as
    the PDF and web page readers) is hashed into the key of the per-file token cache, so that a
    change to any of them tokenises the files again."""
    from retrieval.index.store import _TOKEN_SOURCES

    graph = import_graph(module_level=False)
    modules = _modules()
    needed = set()
    todo = ["retrieval.ingest.process"]
    while todo:
        name = todo.pop()
        if name not in needed and name.startswith("retrieval"):
            needed.add(name)
            todo.extend(graph[name])
    here = ROOT / "retrieval"
    hashed = {str(modules[n].relative_to(here)) for n in needed}
    assert {"ingest/formats/pdf.py", "ingest/formats/tables.py", "dates/periods.py", "lang/text.py"} <= hashed
    covered = {str(p.relative_to(here)) for name in _TOKEN_SOURCES for p in here.glob(name)}  # a pattern: its files
    assert hashed <= covered, sorted(hashed - covered)
    assert all(any(here.glob(name)) for name in _TOKEN_SOURCES)


def test_every_module_the_architecture_page_names_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"\b(?:retrieval|bot|config|tests|tools)/[\w/]*\w\.(?:py|toml|txt)\b", text))
    folders = {m.rstrip("/") for m in re.findall(r"\b(?:retrieval|bot)/[\w/]*\w/", text)}
    dotted = set(re.findall(r"\bretrieval(?:\.\w+)+", text))
    names = set(re.findall(r"(?<![\w/.])\w+\.py\b", text))
    assert len(paths) > 30 and len(dotted) > 10 and len(names) > 30
    assert [p for p in sorted(paths) if not (ROOT / p).is_file()] == []
    assert [f for f in sorted(folders) if not (ROOT / f).is_dir()] == []
    modules = _modules()
    assert [d for d in sorted(dotted) if d not in modules] == []
    everywhere = {
        p.name for folder in ("retrieval", "bot", "config", "tests", "tools") for p in (ROOT / folder).rglob("*.py")
    }
    assert sorted(names - everywhere) == []
