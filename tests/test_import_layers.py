"""Imports run one way (README, "Architecture"): the layers contract in pyproject.toml, checked by
import-linter, and no import of the project's own modules inside a function, where it would hide a
cycle from Python (and a crossing from a reader) until the function runs."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# benchmarks is left out of the second check: its scripts set DJANGO_SETTINGS_MODULE and call
# django.setup() before they may import an app, so their imports sit in functions on purpose.
PACKAGES = ["core", "directory", "titles", "notifications", "workflows", "documents", "figures", "demo", "config"]
PROJECT = set(PACKAGES) | {"benchmarks", "tests"}

# (file, imported module) -> why it is imported where it is. Only shrinks.
DEFERRED = {
}


def test_the_import_layers_hold():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _module_of(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts, parts[-1] == "__init__"


def _imported(node, path):
    """The project modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level:
        parts, is_package = _module_of(path)
        base = parts[:len(parts) - node.level + (1 if is_package else 0)]
        names = [".".join(base + ([node.module] if node.module else []))]
    else:
        names = [node.module]
    return [name for name in names if name.split(".")[0] in PROJECT]


def _imports_in_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    for name in _imported(node, path):
                        yield node.lineno, name


def test_no_project_import_hides_in_a_function():
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, name in _imports_in_functions(path):
                found.setdefault((str(path.relative_to(ROOT)), name), line)
    hidden = [f"{file}:{line} imports {name} inside a function"
              for (file, name), line in sorted(found.items()) if (file, name) not in DEFERRED]
    assert not hidden, "\n".join(hidden)
    gone = sorted(set(DEFERRED) - set(found))
    assert not gone, f"no longer imported in a function, remove from DEFERRED: {gone}"
