"""The worker's ``--check`` mode, which the function build runs to test an entrypoint before any job.

Each test writes a small bundle into a temp dir and runs ``spool_worker.py --check`` on it as the
build does, in a subprocess, then checks its exit status, that stdout is the one ``SPOOL_CHECK``
line, the reason on that line and the traceback on stderr.
"""
import os
import subprocess
import sys
import tempfile
import unittest
from typing import Dict, List, NamedTuple

from worker_harness import TIMEOUT, WORKER_DIR, write_bundle

GOOD = {
    "hello.py": """
        from spool import ComputeResult

        VALUE = 42
        print("printed at import")

        def hello(i):
            return ComputeResult(i)

        class Tools:
            @staticmethod
            def run():
                return 1
        """,
}


class Check(NamedTuple):
    status: int
    stdout: str
    stderr: str

    @property
    def line(self) -> str:
        """The one line of stdout, checked to be all of it."""
        lines = self.stdout.splitlines(keepends=True)
        if len(lines) != 1 or not lines[0].endswith("\n"):
            raise AssertionError("expected one line on stdout, got %r; stderr:\n%s" % (self.stdout, self.stderr))
        return lines[0][:-1]


class EntrypointCheckTest(unittest.TestCase):

    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="spool-check-test-")
        self.root = os.path.realpath(self._tmp.name)

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def command(self, files: Dict[str, str], entrypoint: str) -> List[str]:
        bundle = write_bundle(self.root, files)
        return [sys.executable, "-u", "-B", os.path.join(WORKER_DIR, "spool_worker.py"),
                "--bundle", bundle, "--entrypoint", entrypoint, "--check"]

    def check(self, files: Dict[str, str], entrypoint: str) -> Check:
        process = subprocess.run(self.command(files, entrypoint), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, cwd=self.root, timeout=TIMEOUT)
        return Check(process.returncode, process.stdout.decode("utf-8"), process.stderr.decode("utf-8"))

    def assertFails(self, files: Dict[str, str], entrypoint: str, reason: str) -> Check:
        check = self.check(files, entrypoint)
        self.assertEqual(check.line, "SPOOL_CHECK failed " + reason, check.stderr)
        self.assertEqual(check.status, 4)
        return check

    def test_a_callable_entrypoint_is_ok_with_the_line_alone_on_stdout(self):
        check = self.check(GOOD, "hello:hello")
        self.assertEqual(check.stdout, "SPOOL_CHECK ok hello:hello\n")
        self.assertEqual(check.status, 0)
        self.assertIn("printed at import", check.stderr)
        self.assertNotIn("Traceback", check.stderr)

    def test_a_dotted_function_is_ok(self):
        check = self.check(GOOD, "hello:Tools.run")
        self.assertEqual(check.line, "SPOOL_CHECK ok hello:Tools.run")
        self.assertEqual(check.status, 0)

    def test_a_module_in_a_package_is_ok(self):
        check = self.check({"pkg/__init__.py": "", "pkg/tasks.py": "def run():\n    return 1\n"}, "pkg.tasks:run")
        self.assertEqual(check.line, "SPOOL_CHECK ok pkg.tasks:run")
        self.assertEqual(check.status, 0)

    def test_a_syntax_error_names_the_file_and_line(self):
        check = self.assertFails({"bad.py": "def f():\n    pass\nx x\n"}, "bad:f",
                                 "SyntaxError in bad.py, line 3: invalid syntax")
        self.assertIn("SyntaxError", check.stderr)

    def test_a_syntax_error_in_an_imported_module_names_that_module(self):
        files = {"main.py": "import pkg.helper\n\ndef f():\n    pass\n",
                 "pkg/__init__.py": "",
                 "pkg/helper.py": "A = 1\nB = (\n"}
        self.assertFails(files, "main:f", "SyntaxError in %s, line 2: '(' was never closed" % os.path.join("pkg", "helper.py"))

    def test_a_missing_function_names_the_file(self):
        self.assertFails(GOOD, "hello:nosuchfn", "function 'nosuchfn' is not defined in hello.py")

    def test_a_missing_dotted_function_names_the_path_as_given(self):
        self.assertFails(GOOD, "hello:Tools.nosuch", "function 'Tools.nosuch' is not defined in hello.py")

    def test_a_missing_function_in_a_namespace_package_says_so(self):
        self.assertFails({"ns/tasks.py": "def run():\n    pass\n"}, "ns:run",
                         "function 'run' is not defined in module 'ns' (a namespace package)")

    def test_an_attribute_that_is_not_callable_names_its_type(self):
        check = self.assertFails(GOOD, "hello:VALUE", "'VALUE' in hello.py is not callable (it is an int)")
        self.assertNotIn("Traceback", check.stderr)

    def test_an_exception_at_import_names_the_file_and_line_with_the_traceback_on_stderr(self):
        files = {"mod.py": "def f():\n    pass\n\n\nraise ValueError('boom')\n"}
        check = self.assertFails(files, "mod:f", "cannot import module 'mod': ValueError: boom (mod.py, line 5)")
        self.assertIn("Traceback (most recent call last)", check.stderr)
        self.assertIn("mod.py\", line 5", check.stderr)
        self.assertIn("ValueError: boom", check.stderr)

    def test_an_exception_in_a_module_the_entrypoint_imports_names_the_innermost_bundle_frame(self):
        files = {"mod.py": "import helpers\n\ndef f():\n    pass\n",
                 "helpers.py": "def fail():\n    raise KeyError('k')\n\nfail()\n"}
        self.assertFails(files, "mod:f", "cannot import module 'mod': KeyError: 'k' (helpers.py, line 2)")

    def test_the_traceback_comes_before_the_line_in_a_merged_log(self):
        command = self.command({"mod.py": "raise ValueError('boom')\n"}, "mod:f")
        process = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 cwd=self.root, timeout=TIMEOUT)
        merged = process.stdout.decode("utf-8")
        self.assertLess(merged.index("Traceback (most recent call last)"), merged.index("SPOOL_CHECK failed "))
        self.assertTrue(merged.endswith("SPOOL_CHECK failed cannot import module 'mod': ValueError: boom (mod.py, line 1)\n"),
                        merged)

    def test_a_missing_third_party_module_names_the_importing_line(self):
        files = {"mod.py": "import nosuchlib\n\ndef f():\n    pass\n"}
        check = self.assertFails(files, "mod:f", "cannot import module 'mod': ModuleNotFoundError: "
                                                 "No module named 'nosuchlib' (mod.py, line 1)")
        self.assertIn("Traceback (most recent call last)", check.stderr)

    def test_a_module_that_is_not_in_the_bundle_has_no_location(self):
        self.assertFails(GOOD, "nosuch:f", "cannot import module 'nosuch': ModuleNotFoundError: No module named 'nosuch'")

    def test_system_exit_at_import_is_a_failure(self):
        files = {"quits.py": "import sys\n\nsys.exit(2)\n"}
        self.assertFails(files, "quits:f", "cannot import module 'quits': SystemExit: 2 (quits.py, line 3)")

    def test_bad_arguments_are_a_failure(self):
        command = self.command(GOOD, "hello:hello")
        command.remove("--entrypoint")
        command.remove("hello:hello")
        process = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 cwd=self.root, timeout=TIMEOUT)
        check = Check(process.returncode, process.stdout.decode("utf-8"), process.stderr.decode("utf-8"))
        self.assertTrue(check.line.startswith("SPOOL_CHECK failed bad worker arguments: "), check.line)
        self.assertEqual(check.status, 4)

    def test_an_entrypoint_without_function_is_a_failure(self):
        self.assertFails(GOOD, "hello", "entrypoint 'hello' must have the form MODULE:FUNCTION")


if __name__ == "__main__":
    unittest.main()
