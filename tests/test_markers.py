"""`make test-jax` and `make test-torch` run the tests marked `backends`; keep the marker honest.

Every tests/test_*.py is parsed with `ast` (nothing is imported), and only its module-level
imports count: an import inside a test runs only when that test does, and such tests skip
themselves on the other backends (`tensorflow_only`). A module is *portable* when all of
those imports come from the standard library, keras, numpy, pytest, `kerasrnn` itself,
`kerasrnn.layers`, `kerasrnn.examples`, or the helpers in tests/ (themselves portable).
Anything else ties a module to TensorFlow: tensorflow, apps and benchmarks (the
applications train with tf.data), `kerasrnn.data` / `.models` / `.training` (built on
tf.data, TensorFlow text ops, tf.distribute), another test module (test_slot_filling_app
imports apps).

Two rules follow:
1. A module marked `backends` is portable: one that is not uses TensorFlow outside any
   TensorFlow-only test, so it cannot pass on JAX or PyTorch.
2. A portable module that tests our code (imports kerasrnn) is marked `backends`, so a new
   layer test runs on every backend without anyone remembering to list it.
"""

import ast
import pathlib
import sys

TESTS = pathlib.Path(__file__).parent
PORTABLE_PACKAGES = {"keras", "numpy", "pytest"}
PORTABLE_KERASRNN = {"kerasrnn", "kerasrnn.layers", "kerasrnn.examples"}


def _module_level_imports(tree):
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""


def _is_portable_import(name):
    top = name.partition(".")[0]
    if top in sys.stdlib_module_names or top in PORTABLE_PACKAGES:
        return True
    if top == "kerasrnn":
        return name == "kerasrnn" or ".".join(name.split(".")[:2]) in PORTABLE_KERASRNN
    helper = TESTS / f"{name.removeprefix('tests.')}.py"  # tests.numpy_rnn, tests.conftest...
    return (top == "tests" and helper.is_file() and not helper.stem.startswith("test_")
            and not _non_portable_imports(helper))


def _non_portable_imports(path):
    imports = _module_level_imports(ast.parse(path.read_text()))
    return [name for name in imports if not _is_portable_import(name)]


def _marked_backends(tree):
    """Whether `pytestmark` (a mark or a list of marks) includes pytest.mark.backends."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark"
                                                for t in node.targets):
            return "pytest.mark.backends" in ast.unparse(node.value)
    return False


def test_backends_marker_matches_what_each_module_imports():
    problems = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text())
        non_portable = _non_portable_imports(path)
        tests_our_code = any(n.partition(".")[0] == "kerasrnn" for n in _module_level_imports(tree))
        if _marked_backends(tree) and non_portable:
            problems.append(f"{path.name} is marked `backends` but imports {non_portable} at "
                            "module level, which needs TensorFlow: move the import into the "
                            "TensorFlow-only tests (with @tensorflow_only), or drop the marker")
        elif not _marked_backends(tree) and tests_our_code and not non_portable:
            problems.append(f"{path.name} tests kerasrnn with backend-agnostic imports only: add "
                            "`pytestmark = pytest.mark.backends` below its imports, so `make "
                            "test-jax` and `make test-torch` run it (tests that need TensorFlow "
                            "take @tests.conftest.tensorflow_only)")
    assert not problems, "\n".join(problems)
