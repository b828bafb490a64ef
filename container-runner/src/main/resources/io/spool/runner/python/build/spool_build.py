"""Spool's build of one function, run in its build container by the image's interpreter.

    python spool_build.py --bundle DIR --built-bundle-dir DIR
        [--env-dir DIR | --env-on-path DIR] [--requirements FILE]
        [--index-url URL] [--extra-index-url URL ...] [--find-links URL ...]
        [--retries N] [--timeout SECONDS]

1. Describes the interpreter.
2. With --env-dir: installs into it (``pip install --target``) only the distributions that the image
   lacks or has in another version, as found by ``pip install --dry-run --report`` against the
   image. Without --env-dir the environment was built before; --env-on-path names its unpacked copy.
3. Copies the bundle to --built-bundle-dir and compiles its ``.pyx`` modules there, in place.
4. Prints ``SPOOL_BUILD_RESULT {"installed": [...], "compiled": [...], "reusedEnv": ...}``.

Everything goes to stdout (pip's and the compiler's output too), which is the function's build log.
Exit status: 0 built, 2 pip failed, 3 a module did not compile, 64 bad command line or input.
See spool_requirements (requirements files and pip's report) and spool_cython (the compile).
"""
import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from typing import List, NoReturn, Optional, Sequence

from spool_cython import CompileFailure, compile_bundle
from spool_requirements import (Requirements, RequirementsError, pinned_requirements, pins_from_report,
                                read_requirements)
from spool_tools import child_env, run, say

EXIT_PIP_FAILED = 2
EXIT_COMPILE_FAILED = 3
EXIT_USAGE = 64
RESULT_PREFIX = "SPOOL_BUILD_RESULT "
REPORT_PIP = (22, 2)  # the first pip with install --dry-run --report


class UsageError(Exception):
    """The command line or an input file is wrong; the message says which."""


class PipFailure(Exception):
    """A pip command failed; ``detail`` is pip's last error line."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__("exit %d: %s" % (status, detail))
        self.status = status
        self.detail = detail


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("%s (%s)" % (message, self.format_usage().strip()))


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = _ArgumentParser(prog="spool_build.py", description="Builds a Spool function's environment and bundle.")
    parser.add_argument("--bundle", required=True, help="the unpacked bundle (read only)")
    parser.add_argument("--built-bundle-dir", required=True, help="where the bundle and its compiled modules go")
    parser.add_argument("--env-dir", help="where to install the requirements; absent when the environment is cached")
    parser.add_argument("--env-on-path", help="the cached environment, unpacked (only without --env-dir)")
    parser.add_argument("--requirements", help="a pip requirements file")
    parser.add_argument("--index-url", help="passed to every pip command")
    parser.add_argument("--extra-index-url", action="append", default=[], help="passed to every pip command")
    parser.add_argument("--find-links", action="append", default=[], help="passed to every pip command")
    parser.add_argument("--retries", type=int, help="pip's --retries")
    parser.add_argument("--timeout", type=float, help="pip's --timeout, in seconds")
    args = parser.parse_args(argv)
    if args.env_dir and args.env_on_path:
        raise UsageError("--env-on-path names a cached environment and cannot go with --env-dir")
    for name in ("bundle", "built_bundle_dir", "env_dir", "env_on_path", "requirements"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    for name in ("bundle", "env_on_path"):
        if getattr(args, name) and not os.path.isdir(getattr(args, name)):
            raise UsageError("--%s %s is not a directory" % (name.replace("_", "-"), getattr(args, name)))
    if args.requirements and not os.path.isfile(args.requirements):
        raise UsageError("--requirements %s is not a file" % args.requirements)
    return args


class Pip:
    """Runs ``python -m pip install`` with Spool's options; raises PipFailure when pip fails."""

    def __init__(self, python: str, args: argparse.Namespace) -> None:
        self.python = python
        self.cwd = args.bundle  # relative paths in requirements name the bundle's files
        # the build log is a file: no colour, no progress bar redrawn with escape sequences
        self.options = ["--disable-pip-version-check", "--no-input", "--no-color", "--progress-bar", "off"]
        if args.index_url:
            self.options += ["--index-url", args.index_url]
        for url in args.extra_index_url:
            self.options += ["--extra-index-url", url]
        for url in args.find_links:
            self.options += ["--find-links", url]
        if args.retries is not None:
            self.options += ["--retries", str(args.retries)]
        if args.timeout is not None:
            self.options += ["--timeout", "%g" % args.timeout]

    def install(self, arguments: List[str]) -> None:
        result = run([self.python, "-m", "pip", "install"] + arguments + self.options, env=child_env(), cwd=self.cwd)
        if result.status != 0:
            raise PipFailure(result.status, pip_error(result.tail))

    def install_tools(self, directory: str, names: List[str], index_lines: List[str]) -> None:
        """Installs build tools into ``directory``, looking where the requirements file looks."""
        with tempfile.TemporaryDirectory(prefix="spool-tools-") as work:
            listing = os.path.join(work, "tools.txt")
            with open(listing, "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in index_lines + names))
            self.install(["--target", directory, "--progress-bar", "off", "-r", listing])


def pip_error(tail: Sequence[str]) -> str:
    """pip's last ``ERROR:`` line without the prefix, else its last line."""
    lines = [line.strip() for line in tail if line.strip()]
    for line in reversed(lines):
        if line.startswith("ERROR:"):
            return line[len("ERROR:"):].strip()
    return lines[-1] if lines else "no output"


def pip_version() -> Optional[tuple]:
    try:
        version = importlib.metadata.version("pip")
    except importlib.metadata.PackageNotFoundError:
        return None
    numbers = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        numbers.append(int(digits or 0))
    return tuple(numbers)


def image_version(name: str) -> Optional[str]:
    """The version of ``name`` in the image (this interpreter's own site-packages), if any."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe_interpreter() -> None:
    say("interpreter %s, Python %s, sys.prefix %s, pip %s" % (
        sys.executable, platform.python_version(), sys.prefix, image_version("pip") or "(none)"))


def build_env(pip: Pip, env_dir: str, requirements_file: Optional[str],
              requirements: Optional[Requirements]) -> List[str]:
    """Installs what the image lacks into ``env_dir``; returns ``name==version`` of each."""
    os.makedirs(env_dir, exist_ok=True)
    if requirements_file is None or requirements is None or not requirements.has_requirements:
        say("no requirements: the environment %s stays empty" % env_dir)
        return []
    for url in requirements.remote_includes:
        say("note: option lines inside %s are not forwarded to the install step" % url)
    version = pip_version()
    if version is not None and version < REPORT_PIP:
        say("pip %s cannot report what the image lacks: installing every requirement into %s"
            % (".".join(map(str, version)), env_dir))
        pip.install(["--target", env_dir, "--upgrade", "--progress-bar", "off", "-r", requirements_file])
        return installed_in(env_dir)
    with tempfile.TemporaryDirectory(prefix="spool-pip-") as work:
        report_file = os.path.join(work, "report.json")
        say("resolving %s against the image's packages" % requirements_file)
        pip.install(["--dry-run", "--quiet", "--report", report_file, "-r", requirements_file])
        try:
            with open(report_file, encoding="utf-8") as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            raise PipFailure(0, "pip wrote no readable report (%s)" % e) from e
        pins = pins_from_report(report, requirements.uses_hashes)
        if not pins:
            say("nothing to install: the image satisfies every requirement; the environment %s stays empty" % env_dir)
            return []
        say("installing %d requirement%s not in the image: %s" % (
            len(pins), "" if len(pins) == 1 else "s", ", ".join(_describe_pin(pin.name, pin.label) for pin in pins)))
        pinned = os.path.join(work, "pinned-requirements.txt")
        with open(pinned, "w", encoding="utf-8") as f:
            f.write(pinned_requirements(requirements, pins))
        pip.install(["--no-deps", "--upgrade", "--target", env_dir, "--progress-bar", "off", "-r", pinned])
    return [pin.label for pin in pins]


def installed_in(env_dir: str) -> List[str]:
    """``name==version`` of each distribution in ``env_dir``, from its ``.dist-info`` directories."""
    found = []
    for entry in sorted(os.listdir(env_dir)):
        if entry.endswith(".dist-info") and "-" in entry:
            name, version = entry[:-len(".dist-info")].split("-", 1)
            found.append("%s==%s" % (name, version))
    return found


def _describe_pin(name: str, label: str) -> str:
    present = image_version(name)
    return "%s (image has %s)" % (label, present) if present else label


def copy_bundle(bundle: str, built: str) -> None:
    say("copying the bundle %s to %s" % (bundle, built))
    shutil.copytree(bundle, built, dirs_exist_ok=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    started = time.monotonic()
    try:
        args = parse_args(argv)
        requirements = read_requirements(args.requirements) if args.requirements else None
    except (UsageError, RequirementsError) as e:
        say("bad input: %s" % e)
        return EXIT_USAGE
    describe_interpreter()
    pip = Pip(sys.executable, args)
    index_lines = requirements.index_lines if requirements else []
    try:
        if args.env_dir:
            installed = build_env(pip, args.env_dir, args.requirements, requirements)
            env_path = args.env_dir
        else:
            installed = []
            env_path = args.env_on_path
            say("reusing the cached environment%s" % (" " + env_path if env_path else ""))
        copy_bundle(args.bundle, args.built_bundle_dir)
        compiled = compile_bundle(args.built_bundle_dir, sys.executable, env_path,
                                  lambda directory, names: pip.install_tools(directory, names, index_lines), say)
    except PipFailure as e:
        say("pip failed (exit %d): %s" % (e.status, e.detail))
        return EXIT_PIP_FAILED
    except CompileFailure as e:
        say("compile failed for %s (exit %d): %s" % (e.source, e.status, e.detail))
        return EXIT_COMPILE_FAILED
    say("built in %.1f s" % (time.monotonic() - started))
    print(RESULT_PREFIX + json.dumps({"installed": installed, "compiled": compiled, "reusedEnv": not args.env_dir}),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
