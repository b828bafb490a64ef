"""The bundle of a new function: a zip of its entrypoint's code, included modules and data, plus this client.

What is shipped for an entrypoint:

* a function object defined in a file (a script run with ``python script.py``, or an importable module): that
  file, pruned (see ``pruning``), as a top-level module, so the function can use the file's imports, classes and
  constants; the entrypoint becomes ``<module>.py:<function>``. A function of a module inside ``include_modules``
  is called by its qualified name instead.
* a function object with no file (a notebook cell, the interactive prompt): its own source alone.
* ``"file.py:func"``: that file, whole, as a top-level module (or where it lies in an included package).
* ``"pkg.mod.func"``: nothing more; the module must come from ``include_modules`` or the image.

``include_modules`` names packages and modules importable here: all their ``.py``, ``.pyx`` and ``.pxd`` files
are shipped, with their parent packages' ``__init__.py``. ``include_data`` globs are matched in the current
directory and the included modules' roots. The client package ``spool_client`` itself (pure Python) is always
shipped, so code that imports it also imports in a job.
"""
from __future__ import annotations

import glob
import importlib.util
import inspect
import io
import keyword
import os
import re
import sys
import sysconfig
import textwrap
import tokenize
import warnings
import zipfile
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import pruning

SOURCE_SUFFIXES = (".py", ".pyx", ".pxd")
CLIENT_PACKAGE = "spool_client"
RESERVED_DIR = ".spool/"
ENTRY_TIME = (1980, 2, 1, 0, 0, 0)
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_GLOB_CHARS = re.compile(r"[*?\[{]")
_RESERVED_MODULES = {"spool", CLIENT_PACKAGE}


class Bundle:
    """A zip of a function's files and what the server's spec says about them.

    ``entrypoint``: the spec's entrypoint (``hello.py:hello`` or ``pkg.mod.func``); ``include_modules`` and
    ``include_data``: the spec's lists, relative to the zip's root; ``files``: zip path → bytes;
    ``warnings``: patterns that matched nothing.
    """

    def __init__(self, entrypoint: str, files: Dict[str, bytes], include_modules: List[str],
                 include_data: List[str], warnings_: List[str]) -> None:
        self.entrypoint = entrypoint
        self.files = files
        self.include_modules = include_modules
        self.include_data = include_data
        self.warnings = warnings_

    def zip(self) -> bytes:
        """The zip's bytes: entries sorted, each with a fixed time, so the same files give the same bytes."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(self.files):
                info = zipfile.ZipInfo(path, ENTRY_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, self.files[path])
        return out.getvalue()


class _Files:
    """Zip path → source file (or bytes), refusing two different files at one path."""

    def __init__(self) -> None:
        self.sources: Dict[str, Union[str, bytes]] = {}
        self.rules: Dict[str, str] = {}

    def add(self, path: str, source: Union[str, bytes], rule: str) -> None:
        if path.startswith(RESERVED_DIR):
            raise ValueError("%s would ship %s, but the bundle's %s directory is Spool's own: leave it out"
                             % (rule, path, RESERVED_DIR))
        existing = self.sources.get(path)
        if existing is not None and not _same(existing, source):
            raise ValueError("bundle path %s would hold both %s (%s) and %s (%s): leave one of them out"
                             % (path, _describe(existing), self.rules[path], _describe(source), rule))
        if existing is None:
            self.sources[path] = source
            self.rules[path] = rule

    def read(self) -> Dict[str, bytes]:
        files: Dict[str, bytes] = {}
        for path, source in self.sources.items():
            if isinstance(source, bytes):
                files[path] = source
            else:
                with open(source, "rb") as f:
                    files[path] = f.read()
        return files


def _same(a: Union[str, bytes], b: Union[str, bytes]) -> bool:
    if isinstance(a, bytes) or isinstance(b, bytes):
        return a == b
    return os.path.realpath(a) == os.path.realpath(b)


def _describe(source: Union[str, bytes]) -> str:
    return "generated source" if isinstance(source, bytes) else source


def requirement_lines(requirements: Union[None, str, Sequence[str]]) -> List[str]:
    """Requirement lines from a list of lines or the path of a requirements file (``-r`` includes followed);
    blank lines and comments are left out."""
    if requirements is None:
        return []
    if isinstance(requirements, (str, os.PathLike)):
        return _requirements_file(os.fspath(requirements), set())
    lines: List[str] = []
    for line in requirements:
        if not isinstance(line, str):
            raise ValueError("requirements must be strings (pip requirement lines), not %r" % (line,))
        text = _strip_comment(line)
        if text:
            lines.append(text)
    return lines


def _strip_comment(line: str) -> str:
    text = line.strip()
    if text.startswith("#"):
        return ""
    return re.sub(r"\s+#.*$", "", text)


def _requirements_file(path: str, seen: set) -> List[str]:
    real = os.path.realpath(path)
    if not os.path.isfile(path):
        raise ValueError("requirements file %s does not exist: give a path to a requirements file or a list of "
                         "requirement lines" % os.path.abspath(path))
    if real in seen:
        return []
    seen.add(real)
    lines: List[str] = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            text = _strip_comment(raw)
            if not text:
                continue
            include = re.match(r"^(-r|--requirement)(\s+|=)(.+)$", text)
            if include:
                nested = include.group(3).strip()
                lines.extend(_requirements_file(os.path.join(os.path.dirname(path), nested), seen))
            else:
                lines.append(text)
    return lines


def _in_standard_library(name: str) -> bool:
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return name in names
    if name in sys.builtin_module_names:
        return True
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    for entry in os.listdir(stdlib):
        if entry == name or entry == name + ".py":
            return True
    return False


def _safe_module_name(stem: str, taken: Sequence[str]) -> str:
    """A top-level module name for shipped code: ``stem`` unless it is not an identifier or would shadow another
    module (the standard library, this client, an included module)."""
    if (stem.isidentifier() and not keyword.iskeyword(stem) and stem not in _RESERVED_MODULES
            and stem not in taken and not _in_standard_library(stem)):
        return stem
    return "spool_entry_" + re.sub(r"\W", "_", stem)


def _module_file(module: Any) -> Optional[str]:
    path = getattr(module, "__file__", None)
    return path if path and os.path.isfile(path) else None


def _function_entrypoint(fn: Callable[..., Any], included_tops: Sequence[str], files: _Files) -> str:
    if not inspect.isfunction(fn):
        raise TypeError("the entrypoint must be a function defined with def, a 'pkg.module.function' string or a "
                        "'file.py:function' string, not %r" % (fn,))
    name = fn.__name__
    if name == "<lambda>":
        raise ValueError("the entrypoint cannot be a lambda: define it with def at the top level of a file")
    if fn.__qualname__ != name:
        raise ValueError("the entrypoint %s must be defined at the top level of its module (it is %s), so a job "
                         "can import it" % (name, fn.__qualname__))
    if inspect.iscoroutinefunction(fn) or inspect.isgeneratorfunction(fn):
        raise ValueError("the entrypoint %s must be a plain function: a job calls it and stores what it returns"
                         % name)
    module_name = fn.__module__ or "__main__"
    module = sys.modules.get(module_name)
    if module_name != "__main__" and module_name.split(".")[0] in included_tops:
        return "%s.%s" % (module_name, name)
    path = _module_file(module)
    code_file = fn.__code__.co_filename
    if path is not None and os.path.isfile(code_file) and os.path.samefile(path, code_file) \
            and path.endswith(".py"):
        with tokenize.open(path) as f:
            source = f.read()
        pruned = pruning.prune(source, path)
        if pruning.top_level_function(pruned, name) is not None:
            stem = os.path.splitext(os.path.basename(path))[0]
            module_stem = _safe_module_name(stem, included_tops)
            files.add(module_stem + ".py", pruned.encode("utf-8"), "the entrypoint %s (from %s, pruned)"
                      % (name, path))
            return "%s.py:%s" % (module_stem, name)
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as e:
        raise ValueError("the source of the entrypoint %s is not available (%s): define it in a file or a notebook "
                         "cell, or give it as 'file.py:%s'" % (name, e, name)) from e
    module_stem = _safe_module_name(name, included_tops)
    files.add(module_stem + ".py", source.encode("utf-8"), "the entrypoint %s (its source alone)" % name)
    return "%s.py:%s" % (module_stem, name)


def _file_entrypoint(text: str, package_dirs: Dict[str, str], included_tops: Sequence[str], files: _Files) -> str:
    path, _, function = text.rpartition(":")
    if not path or not function:
        raise ValueError("entrypoint %r must be 'path/to/file.py:function' or 'pkg.module.function'" % text)
    if not function.isidentifier():
        raise ValueError("entrypoint %r: %r is not a Python function name" % (text, function))
    if not path.endswith(".py"):
        raise ValueError("entrypoint %r: %s is not a .py file" % (text, path))
    if not os.path.isfile(path):
        raise ValueError("entrypoint file %s does not exist" % os.path.abspath(path))
    real = os.path.realpath(path)
    for zip_dir, directory in package_dirs.items():
        if real.startswith(os.path.realpath(directory) + os.sep):
            relative = os.path.relpath(real, os.path.realpath(directory)).replace(os.sep, "/")
            return "%s/%s:%s" % (zip_dir, relative, function)
    stem = os.path.splitext(os.path.basename(path))[0]
    if not stem.isidentifier():
        raise ValueError("entrypoint file %s cannot be imported as a module: rename it with letters, digits and _"
                         % path)
    if stem in included_tops or stem in _RESERVED_MODULES:
        raise ValueError("entrypoint file %s would be shipped as the top-level module %r, which an included module "
                         "of that name shadows: rename the file, or give a qualified name" % (path, stem))
    files.add(stem + ".py", os.path.abspath(path), "the entrypoint file")
    return "%s.py:%s" % (stem, function)


def _root_of(directory: str, depth: int) -> str:
    root = directory
    for _ in range(depth):
        root = os.path.dirname(root.rstrip(os.sep))
    return root


def _walk_sources(root: str, directory: str, rule: str, files: _Files) -> None:
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for file_name in sorted(names):
            if file_name.endswith(SOURCE_SUFFIXES):
                full = os.path.join(current, file_name)
                files.add(os.path.relpath(full, root).replace(os.sep, "/"), full, rule)


def _add_parents(root: str, parts: List[str], rule: str, files: _Files) -> None:
    for depth in range(1, len(parts)):
        directory = os.path.join(root, *parts[:depth])
        for marker in ("__init__.py", "__init__.pyx"):
            full = os.path.join(directory, marker)
            if os.path.isfile(full):
                files.add(os.path.relpath(full, root).replace(os.sep, "/"), full, rule)


def _find_without_import(name: str) -> Optional[Tuple[str, str]]:
    """(root, path) of a package directory or .py/.pyx module ``name`` on sys.path (for what cannot be imported,
    such as an uncompiled Cython module)."""
    relative = name.replace(".", os.sep)
    for entry in [os.getcwd()] + [p or os.getcwd() for p in sys.path]:
        if not os.path.isdir(entry):
            continue
        for candidate in (os.path.join(entry, relative), os.path.join(entry, relative + ".py"),
                          os.path.join(entry, relative + ".pyx")):
            if os.path.isdir(candidate) or os.path.isfile(candidate):
                return os.path.abspath(entry), os.path.abspath(candidate)
    return None


def collect_module(name: str, files: _Files) -> Tuple[List[str], Dict[str, str]]:
    """Adds the files of an included module; returns its roots and its package directories (zip dir → dir)."""
    hint = ""
    if isinstance(name, str) and name.endswith((".py", ".pyx")):
        hint = ": give its import name %r" % name.rsplit(".", 1)[0].replace("/", ".")
    if not isinstance(name, str) or not _DOTTED.match(name):
        raise ValueError("include_modules %r is not an import name such as mypkg, mypkg.sub or helpers%s"
                         % (name, hint))
    rule = "include_modules %r" % name
    parts = name.split(".")
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):
        spec = None
    locations: List[str] = []
    origin: Optional[str] = None
    if spec is not None and spec.submodule_search_locations:
        locations = [os.path.abspath(p) for p in spec.submodule_search_locations]
    elif spec is not None and spec.origin and os.path.isfile(spec.origin):
        origin = os.path.abspath(spec.origin)
        if not origin.endswith((".py", ".pyx")):
            source = os.path.join(os.path.dirname(origin), os.path.basename(origin).split(".")[0] + ".pyx")
            if not os.path.isfile(source):
                raise ValueError("%s is the compiled module %s: include its .pyx or .py source instead"
                                 % (rule, origin))
            origin = source
    else:
        found = _find_without_import(name)
        if found is None:
            raise ValueError("%s was not found: no package or module of that name is importable here (sys.path "
                             "and the current directory %s)%s" % (rule, os.getcwd(), hint))
        if os.path.isdir(found[1]):
            locations = [found[1]]
        else:
            origin = found[1]
    roots: List[str] = []
    package_dirs: Dict[str, str] = {}
    for directory in locations:
        root = _root_of(directory, len(parts))
        _add_parents(root, parts, rule, files)
        _walk_sources(root, directory, rule, files)
        roots.append(root)
        package_dirs["/".join(parts)] = directory
    if origin is not None:
        root = _root_of(os.path.dirname(origin), len(parts) - 1)
        _add_parents(root, parts, rule, files)
        files.add(os.path.relpath(origin, root).replace(os.sep, "/"), origin, rule)
        roots.append(root)
    return roots, package_dirs


def _java_glob_escape(path: str) -> str:
    """A file path as an include pattern that matches it alone on the server."""
    if not _GLOB_CHARS.search(path):
        return path
    return re.sub(r"([*?\[\]{}\\])", r"\\\1", path)


def _relative_pattern(pattern: str, roots: Sequence[str]) -> str:
    rule = "include_data %r" % pattern
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError("include_data has an empty pattern: give a glob such as mypkg/data/*.json")
    text = pattern.strip().replace(os.sep, "/")
    if os.path.isabs(text):
        for root in roots:
            prefix = root.rstrip("/") + "/"
            if text.startswith(prefix):
                text = text[len(prefix):]
                break
        else:
            raise ValueError("%s is absolute and outside the current directory and the included modules' roots: "
                             "give a pattern relative to them" % rule)
    while text.startswith("./"):
        text = text[2:]
    if ".." in text.split("/"):
        raise ValueError("%s leaves the current directory ('..'): give a pattern relative to it or to an included "
                         "module's root" % rule)
    return text.rstrip("/")


def collect_data(pattern: str, roots: Sequence[str], files: _Files, warned: List[str]) -> List[str]:
    """Adds the files a data pattern matches under ``roots``; returns their zip paths."""
    relative = _relative_pattern(pattern, roots)
    rule = "include_data %r" % pattern
    matched: List[str] = []
    if not _GLOB_CHARS.search(relative):
        for root in roots:
            full = os.path.join(root, relative)
            if os.path.isdir(full):
                raise ValueError("%s is a directory: give a glob such as %s/**" % (rule, relative))
            if os.path.isfile(full):
                files.add(relative, full, rule)
                return [relative]
        raise ValueError("%s matches no file in %s" % (rule, ", ".join(roots)))
    names_hidden = any(part.startswith(".") or "__pycache__" in part for part in relative.split("/"))
    for root in roots:
        for full in sorted(glob.glob(os.path.join(glob.escape(root), relative), recursive=True)):
            if not os.path.isfile(full):
                continue
            path = os.path.relpath(full, root).replace(os.sep, "/")
            if not names_hidden and any(p.startswith(".") or p == "__pycache__" for p in path.split("/")):
                continue
            if path not in matched:
                files.add(path, full, rule)
                matched.append(path)
    if not matched:
        message = "%s matched no file in %s" % (rule, ", ".join(roots))
        warned.append(message)
        warnings.warn(message, stacklevel=3)
    return matched


def client_sources(files: _Files) -> None:
    """Adds this client's own package (its .py files) as ``spool_client/``."""
    directory = os.path.dirname(os.path.abspath(__file__))
    for file_name in sorted(os.listdir(directory)):
        if file_name.endswith(".py"):
            files.add("%s/%s" % (CLIENT_PACKAGE, file_name), os.path.join(directory, file_name),
                      "the spool_client package")


def build(entrypoint: Union[str, Callable[..., Any]], include_modules: Optional[Sequence[str]] = None,
          include_data: Optional[Sequence[str]] = None) -> Bundle:
    """Makes the bundle of a function (see the module's description); raises ValueError naming what to change."""
    files = _Files()
    if isinstance(include_modules, str):
        include_modules = [include_modules]
    if isinstance(include_data, str):
        include_data = [include_data]
    modules = list(dict.fromkeys(include_modules or []))
    roots: List[str] = [os.getcwd()]
    package_dirs: Dict[str, str] = {}
    for name in modules:
        module_roots, dirs = collect_module(name, files)
        roots.extend(r for r in module_roots if r not in roots)
        package_dirs.update(dirs)
    tops = [m.split(".")[0] for m in modules]
    if callable(entrypoint):
        spec = _function_entrypoint(entrypoint, tops, files)
    elif isinstance(entrypoint, str) and entrypoint.strip():
        text = entrypoint.strip()
        if ":" in text:
            spec = _file_entrypoint(text, package_dirs, tops, files)
        elif _DOTTED.match(text) and "." in text:
            spec = text
        else:
            raise ValueError("entrypoint %r must be a function, 'pkg.module.function' or 'path/to/file.py:function'"
                             % text)
    else:
        raise TypeError("the entrypoint must be a function, 'pkg.module.function' or 'path/to/file.py:function', "
                        "not %r" % (entrypoint,))
    warned: List[str] = []
    data_paths: List[str] = []
    for pattern in include_data or []:
        for path in collect_data(pattern, roots, files, warned):
            if path not in data_paths:
                data_paths.append(path)
    client_sources(files)
    spec_modules = modules + ([CLIENT_PACKAGE] if CLIENT_PACKAGE not in tops else [])
    return Bundle(spec, files.read(), spec_modules, [_java_glob_escape(p) for p in data_paths], warned)
