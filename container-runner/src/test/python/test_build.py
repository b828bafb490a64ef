"""The build script against real pip (this machine's mirror) and a real Cython compile.

Each test writes a bundle and a requirements file into a temp dir, runs ``build/spool_build.py`` and
proves the outcome by what it left behind: the environment directory read with PYTHONPATH as the
jobs get it, the built bundle imported by the image interpreter, the exit status and the log.
The requirements-file reading and the report-to-pins step are also tested on their own.
"""
import importlib.metadata
import importlib.util
import os
import sys
import unittest

from build_harness import BUILD_DIR, BuildTestCase, files_under, sha256_of, write_files, write_wheel

sys.path.insert(0, BUILD_DIR)
import spool_requirements  # noqa: E402  (the module under test lives in the build directory)

FAST = {
    "pkg/__init__.py": "",
    "pkg/fast.pyx": """
        def add(int a, int b):
            return a + b
        """,
    "pkg/slow.py": "VALUE = 1\n",
}

NUMPY_SUMS = {
    "arrays/sums.pyx": """
        import numpy as np
        cimport numpy as cnp

        cnp.import_array()

        def total(cnp.ndarray[cnp.float64_t, ndim=1] values):
            cdef double s = 0
            cdef Py_ssize_t i
            for i in range(values.shape[0]):
                s += values[i]
            return s
        """,
}


def image_version(name: str):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def cython_files(root: str):
    return [path for path in files_under(root) if path.split(os.sep)[0].lower().startswith("cython")]


class RequirementsTest(BuildTestCase):

    def test_requirement_pinned_differently_from_the_image_is_installed_into_the_env(self):
        self.assertNotIn(image_version("idna"), (None, "3.20"), "the image must have another idna")
        build = self.build(requirements="idna==3.20\n")
        result = self.assertBuilt(build)
        self.assertEqual({"installed": ["idna==3.20"], "compiled": [], "reusedEnv": False}, result)
        self.assertIn("idna-3.20.dist-info", os.listdir(build.env))
        self.assertRegex(build.log, r"\[spool-build \d\d:\d\d:\d\d\] installing 1 requirement not in the image: "
                                    r"idna==3\.20 \(image has %s\)" % image_version("idna").replace(".", r"\."))
        seen = self.python("import idna, importlib.metadata as m; print(m.version('idna'), idna.__file__)", [build.env])
        version, where = seen.split(" ", 1)
        self.assertEqual("3.20", version)
        self.assertTrue(where.startswith(build.env + os.sep), where)

    def test_requirement_the_image_satisfies_installs_nothing(self):
        self.assertIsNotNone(image_version("six"), "the image must have six")
        build = self.build(requirements="six\n")
        result = self.assertBuilt(build)
        self.assertEqual([], result["installed"])
        self.assertIn("nothing to install: the image satisfies every requirement", build.log)
        self.assertEqual([], os.listdir(build.env))

    def test_only_what_the_image_lacks_is_installed(self):
        build = self.build(requirements="six\nidna==3.20\n")
        self.assertEqual(["idna==3.20"], self.assertBuilt(build)["installed"])
        self.assertFalse([name for name in os.listdir(build.env) if name.startswith("six")])

    def test_unknown_requirement_fails_with_pips_error(self):
        build = self.build(requirements="idnaa-not-a-package==1.0\n")
        self.assertEqual(2, build.status, build.log)
        self.assertIn("ERROR: No matching distribution found for idnaa-not-a-package==1.0", build.log)
        self.assertRegex(build.headlines()[-1], r"pip failed \(exit 1\): No matching distribution found for "
                                                r"idnaa-not-a-package==1\.0$")
        self.assertNotIn("SPOOL_BUILD_RESULT", build.log)

    def test_without_requirements_the_env_is_empty_and_pip_is_not_run(self):
        build = self.build(requirements="# nothing yet\n--pre\n")
        self.assertEqual({"installed": [], "compiled": [], "reusedEnv": False}, self.assertBuilt(build))
        self.assertEqual([], os.listdir(build.env))
        self.assertNotIn("-m pip", build.log)

    def test_option_lines_in_the_requirements_file_reach_the_install(self):
        wheel = write_wheel(self.path("b", "wheels"), "spoolprobe", "1.0rc1", "WHERE = 'probe'\n")
        # --no-index and a find-links path relative to the file: without them the target install finds nothing
        build = self.build(requirements="""
            # options, the way users write them
            --no-index
            --find-links wheels
            --pre \\
              --only-binary :all:
            --trusted-host localhost
            spoolprobe  # the only place it exists is ./wheels
            """)
        self.assertEqual(["spoolprobe==1.0rc1"], self.assertBuilt(build)["installed"], build.log)
        self.assertEqual("probe", self.python("import spoolprobe; print(spoolprobe.WHERE)", [build.env]))

    def test_hash_checked_requirements_stay_hash_checked(self):
        wheel = write_wheel(self.path("b", "wheels"), "spoolprobe", "2.0", "WHERE = 'hashed'\n")
        build = self.build(requirements="--require-hashes\n--no-index\n--find-links wheels\n"
                                        "spoolprobe==2.0 --hash=sha256:%s\n" % sha256_of(wheel))
        self.assertEqual(["spoolprobe==2.0"], self.assertBuilt(build)["installed"])
        wrong = self.build(requirements="--no-index\n--find-links %s\nspoolprobe==2.0 --hash=sha256:%s\n"
                                        % (os.path.dirname(wheel), "0" * 64), name="wrong")
        self.assertEqual(2, wrong.status, wrong.log)
        self.assertIn("THESE PACKAGES DO NOT MATCH THE HASHES", wrong.log)

    def test_bad_command_line_is_a_usage_error(self):
        build = self.build(env=False, extra=["--env-dir", self.path("env"), "--env-on-path", self.path("b")])
        self.assertEqual(64, build.status, build.log)
        self.assertIn("--env-on-path", build.headlines()[-1])

    def test_log_starts_with_the_interpreter(self):
        build = self.build()
        self.assertBuilt(build)
        first = build.headlines()[0]
        self.assertIn("interpreter %s" % sys.executable, first)
        self.assertIn("sys.prefix %s" % sys.prefix, first)


class CythonTest(BuildTestCase):

    def test_pyx_module_is_compiled_in_place_and_importable(self):
        build = self.build(FAST)
        self.assertEqual({"installed": [], "compiled": ["pkg.fast"], "reusedEnv": False}, self.assertBuilt(build))
        code = "import sys; sys.path.insert(0, %r); import pkg.fast, pkg.slow; print(pkg.fast.add(2, 3), pkg.fast.__file__)"
        value, where = self.python(code % build.built).split(" ", 1)
        self.assertEqual("5", value)
        self.assertTrue(where.endswith(".so") and os.path.dirname(where) == os.path.join(build.built, "pkg"), where)
        built = files_under(build.built)
        self.assertEqual(["pkg/__init__.py", "pkg/fast.pyx", "pkg/slow.py"], [p for p in built if not p.endswith(".so")])
        self.assertEqual(["pkg/__init__.py", "pkg/fast.pyx", "pkg/slow.py"], files_under(build.bundle))
        self.assertEqual([], cython_files(build.built) + cython_files(build.env))
        self.assertEqual([], os.listdir(build.env))

    def test_pyx_with_a_syntax_error_fails_naming_the_file(self):
        build = self.build({"pkg/__init__.py": "", "pkg/bad.pyx": "def add(int a, int b)\n    return a + b\n"})
        self.assertEqual(3, build.status, build.log)
        self.assertRegex(build.headlines()[-1], r"compile failed for pkg/bad\.pyx \(exit 1\): pkg/bad\.pyx:1:\d+: ")
        self.assertNotIn("SPOOL_BUILD_RESULT", build.log)

    @unittest.skipIf(importlib.util.find_spec("numpy") is None, "numpy is not in the image")
    def test_pyx_that_cimports_numpy_compiles_against_the_images_numpy(self):
        build = self.build(NUMPY_SUMS)
        self.assertEqual(["arrays.sums"], self.assertBuilt(build)["compiled"])
        code = "import sys; sys.path.insert(0, %r); import numpy, arrays.sums; print(arrays.sums.total(numpy.arange(5.0)))"
        self.assertEqual("10.0", self.python(code % build.built))

    def test_reused_env_supplies_cython_to_the_compile(self):
        first = self.build(requirements="Cython\n", name="first")
        self.assertEqual(1, len(self.assertBuilt(first)["installed"]), first.log)
        reuse = self.build(FAST, env=False, extra=["--env-on-path", first.env], name="reuse")
        self.assertEqual({"installed": [], "compiled": ["pkg.fast"], "reusedEnv": True}, self.assertBuilt(reuse))
        self.assertNotIn("installing Cython", reuse.log)
        self.assertIn("(%s)" % os.path.join(first.env, "Cython"), reuse.log)

    def test_pyx_in_a_hidden_directory_or_under_an_unimportable_name_is_not_compiled(self):
        build = self.build({".spool/tool.pyx": "x = 1\n", "my-scripts/tool.pyx": "x = 1\n", "top.pyx": "X = 7\n"})
        self.assertEqual(["top"], self.assertBuilt(build)["compiled"])
        self.assertIn("skipping my-scripts/tool.pyx", build.log)
        self.assertEqual("7", self.python("import sys; sys.path.insert(0, %r); import top; print(top.X)" % build.built))


class RequirementsFileTest(BuildTestCase):

    def read(self, text: str, **others: str) -> spool_requirements.Requirements:
        write_files(self.path("req"), dict(others, **{"requirements.txt": text}))
        return spool_requirements.read_requirements(self.path("req", "requirements.txt"))

    def test_continuations_and_comments_are_read_as_pip_reads_them(self):
        lines = spool_requirements.logical_lines("# head\nidna\\\n==3.20  # pinned\n\n  six # ok\nurl#frag\n")
        self.assertEqual(["idna==3.20", "six", "url#frag"], lines)

    def test_option_lines_are_kept_and_requirements_counted(self):
        os.makedirs(self.path("req", "wheels"))
        requirements = self.read("-i https://u:${TOKEN}@mirror/simple\n--extra-index-url=https://x/simple\n"
                                 "-f wheels\n--pre\n--no-binary :all:\n-c constraints.txt\n",
                                 **{"constraints.txt": "--trusted-host mirror\nidna<4\n"})
        self.assertFalse(requirements.has_requirements)
        self.assertEqual(["-i https://u:${TOKEN}@mirror/simple", "--extra-index-url=https://x/simple",
                          "--find-links %s" % self.path("req", "wheels"), "--pre", "--no-binary :all:",
                          "--trusted-host mirror"], requirements.option_lines)
        self.assertEqual(["-i https://u:${TOKEN}@mirror/simple", "--extra-index-url=https://x/simple",
                          "--find-links %s" % self.path("req", "wheels"), "--trusted-host mirror"],
                         requirements.index_lines)

    def test_includes_editables_and_hashes(self):
        requirements = self.read("-r more.txt\n", **{"more.txt": "-e ./local\n--require-hashes\n"})
        self.assertTrue(requirements.has_requirements)
        self.assertTrue(requirements.uses_hashes)
        self.assertFalse(self.read("idna\n").uses_hashes)
        self.assertTrue(self.read("-r https://example.org/r.txt\n").remote_includes)

    def test_report_becomes_pins(self):
        report = {"version": "1", "install": [
            {"metadata": {"name": "idna", "version": "3.20"}, "is_direct": False,
             "download_info": {"url": "file:///x/idna-3.20-py3-none-any.whl",
                               "archive_info": {"hashes": {"sha256": "ab"}}}},
            {"metadata": {"name": "local", "version": "0.1"}, "is_direct": True,
             "download_info": {"url": "file:///bundle/local", "dir_info": {}}},
            {"metadata": {"name": "tool", "version": "1.0"}, "is_direct": True,
             "download_info": {"url": "https://git.example/tool.git", "subdirectory": "py",
                               "vcs_info": {"vcs": "git", "commit_id": "abc123"}}},
        ]}
        pins = spool_requirements.pins_from_report(report, with_hashes=False)
        self.assertEqual(["idna==3.20", "local @ file:///bundle/local",
                          "tool @ git+https://git.example/tool.git@abc123#subdirectory=py"], [p.line for p in pins])
        self.assertEqual(["idna==3.20", "local==0.1", "tool==1.0"], [p.label for p in pins])
        hashed = spool_requirements.pins_from_report(report, with_hashes=True)
        self.assertEqual("idna==3.20 --hash=sha256:ab", hashed[0].line)
        text = spool_requirements.pinned_requirements(
            spool_requirements.Requirements(True, ["--pre"], [], False, []), pins[:1])
        self.assertEqual("--pre\nidna==3.20\n", text)


if __name__ == "__main__":
    unittest.main()
