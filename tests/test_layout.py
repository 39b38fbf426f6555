"""Dependencies run one way: ``parks`` (reference data) knows nothing of agreements, and the
register knows nothing of the reporting built on it. Read from the source, so a new import
anywhere in those packages is caught, at module level or inside a function."""

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def imported_modules(path):
    """Every module a Python file imports, at any depth of its code."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def imports_of(folder, *, leaving_out=()):
    """(file, module) for every import in the Python files under ``folder``."""
    for path in sorted((PROJECT / folder).rglob("*.py")):
        relative = path.relative_to(PROJECT)
        if any(relative.is_relative_to(part) for part in leaving_out):
            continue
        for module in imported_modules(path):
            yield str(relative), module


def reaches(module, package):
    return module == package or module.startswith(f"{package}.")


def test_parks_imports_nothing_from_agreements():
    offending = [(path, m) for path, m in imports_of("parks") if reaches(m, "agreements")]
    assert offending == []


# The packages built on the register, each above it: the register imports none of them. The
# spreadsheet import sits above the reporting too (its file format is the export's columns).
BUILT_ON_THE_REGISTER = [
    "agreements.reporting",
    "agreements.sample_data",
    "agreements.open_data",
    "agreements.imports",
    "agreements.api",
]


@pytest.mark.parametrize("package", BUILT_ON_THE_REGISTER)
def test_the_register_imports_none_of_what_is_built_on_it(package):
    register = imports_of(
        "agreements",
        leaving_out=[f"agreements/{name.split('.')[1]}" for name in BUILT_ON_THE_REGISTER],
    )
    offending = [(path, m) for path, m in register if reaches(m, package)]
    assert offending == []


def test_only_the_sample_data_builds_on_the_accounts():
    """Two-factor sign-in (agreements/accounts) asks the register who must use it, not the
    other way; the demo, above both, gives its admin a device."""
    offending = [
        (path, m)
        for folder in ["agreements", "parks", "symbiosis"]
        for path, m in imports_of(
            folder,
            leaving_out=["agreements/accounts", "agreements/sample_data", "symbiosis/urls.py"],
        )
        if reaches(m, "agreements.accounts")
    ]
    assert offending == []


def test_the_shared_helpers_import_no_app():
    offending = [
        (path, m)
        for path, m in imports_of("symbiosis")
        if reaches(m, "agreements") or reaches(m, "parks")
    ]
    # The URL configuration is the one place that wires every app's pages together.
    assert [(path, m) for path, m in offending if path != "symbiosis/urls.py"] == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def late():\n    from agreements.reporting import dashboard\n")
    assert "agreements.reporting.dashboard" in set(imported_modules(module))
