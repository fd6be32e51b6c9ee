"""What the product imports is a runtime dependency: `scripts/serve` installs `pip install .`
without the dev extra, so a package only the dev extra brings crashes a fresh clone at start."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("vvtv",)


def _top_level_imports() -> set[str]:
    names: set[str] = set()
    for package in PRODUCT:
        for path in (REPO / package).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - set(PRODUCT)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(extra: str | None) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return {_normalise(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0]) for spec in specs}


def test_every_third_party_import_of_the_product_is_a_runtime_dependency() -> None:
    distributions = packages_distributions()
    runtime = _declared(None)
    missing = {
        module: sorted(_normalise(d) for d in distributions.get(module, [module]))
        for module in sorted(_top_level_imports())
        if not runtime & {_normalise(d) for d in distributions.get(module, [module])}
    }
    assert not missing, f"imported by the product but not in [project].dependencies: {missing}"
