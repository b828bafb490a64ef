"""Runs the real build script (``build/spool_build.py``) in a temp dir, for the tests.

The script runs on the same interpreter as the tests, which stands for the function's image, and
uses this machine's pip configuration (its local mirror) with ``--retries 0``, so that the public
index that the configuration also names costs one failed look-up per package instead of five.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zipfile
from typing import Any, Dict, List, NamedTuple, Optional

from worker_harness import WORKER_DIR

BUILD_DIR = os.path.join(WORKER_DIR, "build")
BUILD_SCRIPT = os.path.join(BUILD_DIR, "spool_build.py")
PIP_OPTIONS = ["--retries", "0", "--timeout", "10"]
BUILD_TIMEOUT = 180.0
RESULT_PREFIX = "SPOOL_BUILD_RESULT "


class Build(NamedTuple):
    status: int
    log: str
    bundle: str
    built: str
    env: Optional[str]

    @property
    def result(self) -> Dict[str, Any]:
        lines = [line for line in self.log.splitlines() if line.startswith(RESULT_PREFIX)]
        if len(lines) != 1:
            raise AssertionError("expected one result line, found %d in:\n%s" % (len(lines), self.log))
        if not self.log.rstrip().endswith(lines[0]):
            raise AssertionError("the result line is not the last line:\n" + self.log)
        return json.loads(lines[0][len(RESULT_PREFIX):])

    def headlines(self) -> List[str]:
        return [line for line in self.log.splitlines() if line.startswith("[spool-build ")]


def write_files(root: str, files: Dict[str, str]) -> str:
    """Writes ``{relative path: text}`` under ``root`` (created) and returns ``root``."""
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
    os.makedirs(root, exist_ok=True)
    return root


def write_wheel(directory: str, name: str, version: str, source: str) -> str:
    """Writes a pure-Python wheel of module ``name`` and returns its path."""
    os.makedirs(directory, exist_ok=True)
    info = "%s-%s.dist-info" % (name, version)
    files = {
        "%s/__init__.py" % name: source,
        "%s/METADATA" % info: "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version),
        "%s/WHEEL" % info: "Wheel-Version: 1.0\nGenerator: spool-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(text.encode())))
    record.append("%s/RECORD,," % info)
    files["%s/RECORD" % info] = "\n".join(record) + "\n"
    wheel = os.path.join(directory, "%s-%s-py3-none-any.whl" % (name, version))
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def sha256_of(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def files_under(root: str) -> List[str]:
    found = []
    for directory, _, names in os.walk(root):
        found += [os.path.relpath(os.path.join(directory, name), root) for name in names]
    return sorted(found)


class BuildTestCase(unittest.TestCase):
    """Gives each test a temp dir, removed afterwards."""

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="spool-build-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, *parts: str) -> str:
        return os.path.join(self.tmp, *parts)

    def build(self, files: Optional[Dict[str, str]] = None, requirements: Optional[str] = None,
              env: bool = True, extra: Optional[List[str]] = None, name: str = "b") -> Build:
        """Writes a bundle (and requirements file) under ``name`` and runs the build script on it."""
        bundle = write_files(self.path(name, "bundle"), files or {})
        built = self.path(name, "built")
        env_dir = self.path(name, "env") if env else None
        argv = [sys.executable, BUILD_SCRIPT, "--bundle", bundle, "--built-bundle-dir", built] + PIP_OPTIONS
        if env_dir:
            argv += ["--env-dir", env_dir]
        if requirements is not None:
            requirements_file = self.path(name, "requirements.txt")
            write_files(os.path.dirname(requirements_file), {"requirements.txt": requirements})
            argv += ["--requirements", requirements_file]
        argv += extra or []
        process = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 cwd=self.tmp, timeout=BUILD_TIMEOUT)
        return Build(process.returncode, process.stdout.decode("utf-8", "replace"), bundle, built, env_dir)

    def assertBuilt(self, build: Build) -> Dict[str, Any]:
        self.assertEqual(0, build.status, build.log)
        return build.result

    def python(self, code: str, python_path: Optional[List[str]] = None) -> str:
        """Runs ``code`` on the image interpreter, with PYTHONPATH as the jobs get it; returns stdout."""
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        if python_path:
            env["PYTHONPATH"] = os.pathsep.join(python_path)
        process = subprocess.run([sys.executable, "-c", code], env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, cwd=self.tmp)
        self.assertEqual(0, process.returncode, process.stderr.decode())
        return process.stdout.decode().strip()
