"""Compiles the ``.pyx`` modules of a built bundle in place, with Cython and setuptools.

Each module is compiled by a child process of the image's interpreter (this file run as a script:
``python -u spool_cython.py ROOT MODULE SOURCE WORK``) whose PYTHONPATH is the function's
environment, so the compile sees the numpy that the jobs will import. Cython and setuptools come
from the image or the environment; when neither has them they are installed into a temporary
directory that is on PYTHONPATH for the compile only. The C files and object files go to a work
directory; only ``pkg/mod.<abi>.so`` lands in the bundle, next to ``pkg/mod.pyx``.
"""
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Callable, List, Optional, Sequence

from spool_tools import child_env, run

TOOLS = ("Cython", "setuptools")
_CYTHON_ERROR = re.compile(r"\.(pyx|pxd|pxi):\d+:\d+: ")
_FIND_MISSING = ("import importlib.util, sys\n"
                 "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))")


class CompileFailure(Exception):
    """A ``.pyx`` module did not compile; ``detail`` is the most telling line of the output."""

    def __init__(self, source: str, status: int, detail: str) -> None:
        super().__init__("%s (exit %d): %s" % (source, status, detail))
        self.source = source
        self.status = status
        self.detail = detail


def find_sources(root: str) -> List[str]:
    """The ``.pyx`` files under ``root`` as sorted relative paths, hidden directories skipped."""
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".pyx"):
                found.append(os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/"))
    return found


def module_name(source: str) -> Optional[str]:
    """``pkg/fast.pyx`` → ``pkg.fast``; None when a part of the path cannot be part of an import."""
    parts = source[:-len(".pyx")].split("/")
    if all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        return ".".join(parts)
    return None


def missing_tools(python: str, python_path: Sequence[str]) -> List[str]:
    """The build tools that ``python`` cannot import with ``python_path`` on PYTHONPATH."""
    result = subprocess.run([python, "-c", _FIND_MISSING] + list(TOOLS), env=child_env(python_path),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True)
    if result.returncode != 0:
        return list(TOOLS)
    return result.stdout.split()


def failure_detail(tail: Sequence[str]) -> str:
    """Cython's first error location, else the compiler's first error, else the last line."""
    lines = [line.strip() for line in tail if line.strip()]
    for line in lines:
        if _CYTHON_ERROR.search(line) and not line.lower().startswith("warning"):
            return line
    for line in lines:
        if "error:" in line.lower() and not line.startswith("spool_cython:"):
            return line
    return lines[-1] if lines else "no output"


def compile_bundle(root: str, python: str, env_path: Optional[str],
                   install_tools: Callable[[str, List[str]], None], say: Callable[[str], None]) -> List[str]:
    """Compiles every ``.pyx`` under ``root``; returns the compiled module names.

    ``install_tools(directory, names)`` pip-installs build tools into a temporary directory.
    Raises CompileFailure for the first module that does not compile.
    """
    sources = find_sources(root)
    if not sources:
        say("no .pyx modules to compile")
        return []
    say("compiling %d .pyx module%s with Cython" % (len(sources), "" if len(sources) == 1 else "s"))
    python_path = [env_path] if env_path else []
    leftovers = _leftover_candidates(root, sources)
    compiled = []
    with tempfile.TemporaryDirectory(prefix="spool-cython-") as work:
        missing = missing_tools(python, python_path)
        if missing:
            tools = os.path.join(work, "tools")
            say("installing %s for the compile only (neither the image nor the environment has %s)"
                % (", ".join(missing), "it" if len(missing) == 1 else "them"))
            install_tools(tools, missing)
            python_path = python_path + [tools]
        for index, source in enumerate(sources):
            module = module_name(source)
            if module is None:
                say("skipping %s: its path is not an importable module name" % source)
                continue
            say("compiling %s into module %s" % (source, module))
            result = run([python, "-u", os.path.abspath(__file__), root, module, source,
                          os.path.join(work, "build-%d" % index)],
                         env=child_env(python_path), cwd=root)
            if result.status != 0:
                raise CompileFailure(source, result.status, failure_detail(result.tail))
            compiled.append(module)
    _remove(leftovers)
    return compiled


def _leftover_candidates(root: str, sources: Sequence[str]) -> List[str]:
    """Paths a compile might leave in the bundle (``build/``, generated C) that are not there yet."""
    candidates = [os.path.join(root, "build")]
    for source in sources:
        stem = os.path.join(root, source[:-len(".pyx")])
        candidates += [stem + ".c", stem + ".cpp", stem + ".html"]
    return [path for path in candidates if not os.path.lexists(path)]


def _remove(paths: Sequence[str]) -> None:
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.remove(path)


def compile_one(root: str, module: str, source: str, work: str) -> int:
    """The child's work: cythonizes ``source`` and builds it next to itself as ``module``."""
    os.chdir(root)
    try:
        import setuptools
        from setuptools import Extension
        from setuptools.dist import Distribution
        import Cython
        from Cython.Build import cythonize
    except ImportError as e:
        print("spool_cython: error: cannot import the build tools: %s" % e, flush=True)
        return 1
    include_dirs = [root]
    try:
        import numpy
        include_dirs.append(numpy.get_include())
        with_numpy = "numpy %s headers from %s" % (numpy.__version__, numpy.get_include())
    except ImportError:
        with_numpy = "no numpy"
    print("Cython %s (%s), setuptools %s, %s" % (Cython.__version__, os.path.dirname(Cython.__file__),
                                                setuptools.__version__, with_numpy), flush=True)
    try:
        extensions = cythonize([Extension(module, [source], include_dirs=include_dirs)], language_level=3,
                               include_path=[root], build_dir=os.path.join(work, "c"), force=True)
        # A bare Distribution, not setup(): the bundle's own setup.cfg or pyproject.toml stays unread.
        distribution = Distribution({
            "name": "spool-build", "ext_modules": extensions, "script_name": "spool_cython.py",
            "script_args": ["build_ext", "--inplace", "--build-temp", os.path.join(work, "temp"),
                            "--build-lib", os.path.join(work, "lib")]})
        distribution.parse_command_line()
        distribution.run_commands()
    except (Exception, SystemExit) as e:
        print("spool_cython: error: %s: %s" % (type(e).__name__, e), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(compile_one(*sys.argv[1:5]))
