"""What a new function ships: its entrypoint's code (pruned), included modules and data, and this client."""
import importlib
import io
import json
import linecache
import os
import subprocess
import sys
import tempfile
import textwrap
import types
import unittest
import warnings
import zipfile

from spool_client import bundle

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))


class ProjectTestCase(unittest.TestCase):
    """A project directory (the current directory during the test) with a package and a script."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.root = os.path.realpath(self.tmp.name)
        write(os.path.join(self.root, "my_package", "__init__.py"), "")
        write(os.path.join(self.root, "my_package", "models.py"), "def entry(x):\n    return x\n")
        write(os.path.join(self.root, "my_package", "fast.pyx"), "def f(long n):\n    return n\n")
        write(os.path.join(self.root, "my_package", "fast.pxd"), "")
        write(os.path.join(self.root, "my_package", "sub", "__init__.py"), "")
        write(os.path.join(self.root, "my_package", "sub", "deep.py"), "X = 1\n")
        write(os.path.join(self.root, "my_package", "__pycache__", "models.cpython-311.pyc"), "")
        write(os.path.join(self.root, "my_package", "data", "a.json"), "{}")
        write(os.path.join(self.root, "my_package", "data", "b.json"), "[]")
        write(os.path.join(self.root, "my_package", "data", "c.txt"), "c")
        write(os.path.join(self.root, "helpers.py"), "def h():\n    return 1\n")
        write(os.path.join(self.root, "deploy.py"), """\
            import json
            from spool_client import Function
            RATE = 2
            def run(x):
                return x * RATE
            Function(run).save()
            """)
        self.cwd = os.getcwd()
        os.chdir(self.root)
        sys.path.insert(0, self.root)
        self.addCleanup(self.restore)

    def restore(self):
        os.chdir(self.cwd)
        sys.path.remove(self.root)
        for name in [m for m in sys.modules if m.split(".")[0] in ("my_package", "helpers", "deploy")]:
            del sys.modules[name]
        importlib.invalidate_caches()


class EntrypointTest(ProjectTestCase):

    def test_a_function_of_a_script_ships_the_pruned_script(self):
        spec = importlib.util.spec_from_file_location("deploy", os.path.join(self.root, "deploy.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["deploy"] = module
        with open(os.path.join(self.root, "deploy.py")) as f:
            text = f.read().replace("Function(run).save()", "")
        code = compile(text, os.path.join(self.root, "deploy.py"), "exec")
        exec(code, module.__dict__)
        made = bundle.build(module.run)
        self.assertEqual("deploy.py:run", made.entrypoint)
        shipped = made.files["deploy.py"].decode()
        self.assertIn("RATE = 2", shipped)
        self.assertIn("def run(x):", shipped)
        self.assertNotIn("save()", shipped)

    def test_a_function_of_the_main_script_ships_the_pruned_script(self):
        write(os.path.join(self.root, "main_script.py"), """\
            import json, sys
            from spool_client import bundle
            def hello(i):
                return "hello %d" % i
            made = bundle.build(hello)
            print(json.dumps({"entrypoint": made.entrypoint, "source": made.files["main_script.py"].decode()}))
            """)
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        out = subprocess.run([sys.executable, "main_script.py"], cwd=self.root, env=env, check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out)
        self.assertEqual("main_script.py:hello", result["entrypoint"])
        self.assertIn("def hello(i):", result["source"])
        self.assertNotIn("bundle.build", result["source"])

    def test_a_script_named_like_a_standard_module_is_renamed(self):
        write(os.path.join(self.root, "json_tool.py"), "")
        self.assertEqual("spool_entry_json", bundle._safe_module_name("json", []))
        self.assertEqual("spool_entry_spool", bundle._safe_module_name("spool", []))
        self.assertEqual("spool_entry_my_package", bundle._safe_module_name("my_package", ["my_package"]))
        self.assertEqual("tiles", bundle._safe_module_name("tiles", []))

    def test_a_function_without_a_file_ships_its_own_source(self):
        source = "def in_notebook(x):\n    import math\n    return math.sqrt(x)\n"
        filename = "<ipython-input-7-abc>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        module = types.ModuleType("__notebook__")
        exec(compile(source, filename, "exec"), module.__dict__)
        made = bundle.build(module.in_notebook)
        self.assertEqual("in_notebook.py:in_notebook", made.entrypoint)
        self.assertEqual(source, made.files["in_notebook.py"].decode())

    def test_a_function_of_an_included_package_is_called_by_its_qualified_name(self):
        from my_package.models import entry

        made = bundle.build(entry, include_modules=["my_package"])
        self.assertEqual("my_package.models.entry", made.entrypoint)

    def test_functions_a_job_cannot_import_are_refused(self):
        def nested(x):
            return x

        with self.assertRaises(ValueError) as caught:
            bundle.build(nested)
        self.assertIn("top level", str(caught.exception))
        with self.assertRaises(ValueError):
            bundle.build(lambda x: x)
        with self.assertRaises(TypeError):
            bundle.build(len)

    def test_a_file_entrypoint_ships_the_whole_file(self):
        made = bundle.build("deploy.py:run")
        self.assertEqual("deploy.py:run", made.entrypoint)
        self.assertIn("Function(run).save()", made.files["deploy.py"].decode())
        with self.assertRaises(ValueError):
            bundle.build("missing.py:run")
        with self.assertRaises(ValueError):
            bundle.build("deploy.txt:run")

    def test_a_file_entrypoint_inside_an_included_package_keeps_its_place(self):
        made = bundle.build("my_package/models.py:entry", include_modules=["my_package"])
        self.assertEqual("my_package/models.py:entry", made.entrypoint)

    def test_a_qualified_name_ships_nothing_more(self):
        made = bundle.build("my_package.models.entry", include_modules=["my_package"])
        self.assertEqual("my_package.models.entry", made.entrypoint)
        with self.assertRaises(ValueError):
            bundle.build("not a name")


class ModulesAndDataTest(ProjectTestCase):

    def test_a_package_ships_its_sources_and_the_client(self):
        made = bundle.build("my_package.models.entry", include_modules=["my_package", "helpers"])
        names = set(made.files)
        for expected in ("my_package/__init__.py", "my_package/models.py", "my_package/fast.pyx",
                         "my_package/fast.pxd", "my_package/sub/__init__.py", "my_package/sub/deep.py",
                         "helpers.py", "spool_client/__init__.py", "spool_client/function.py"):
            self.assertIn(expected, names)
        self.assertFalse(any("__pycache__" in n or n.endswith(".json") for n in names))
        self.assertEqual(["my_package", "helpers", "spool_client"], made.include_modules)

    def test_a_submodule_brings_its_parents_init(self):
        made = bundle.build("my_package.sub.deep.X", include_modules=["my_package.sub.deep"])
        self.assertIn("my_package/__init__.py", made.files)
        self.assertIn("my_package/sub/__init__.py", made.files)
        self.assertIn("my_package/sub/deep.py", made.files)
        self.assertNotIn("my_package/models.py", made.files)

    def test_unknown_and_misspelled_modules_are_named(self):
        with self.assertRaises(ValueError) as caught:
            bundle.build("helpers.h", include_modules=["no_such_module_here"])
        self.assertIn("no_such_module_here", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            bundle.build("helpers.h", include_modules=["helpers.py"])
        self.assertIn("give its import name 'helpers'", str(caught.exception))

    def test_data_globs_from_the_module_roots(self):
        elsewhere = tempfile.TemporaryDirectory()
        self.addCleanup(elsewhere.cleanup)
        os.chdir(elsewhere.name)
        made = bundle.build("my_package.models.entry", include_modules=["my_package"],
                            include_data=["my_package/data/*.json"])
        self.assertEqual(["my_package/data/a.json", "my_package/data/b.json"], made.include_data)
        self.assertEqual(b"{}", made.files["my_package/data/a.json"])

    def test_data_errors_and_warnings(self):
        with self.assertRaises(ValueError) as caught:
            bundle.build("helpers.h", include_data=["my_package/data/missing.txt"])
        self.assertIn("matches no file", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            bundle.build("helpers.h", include_data=["my_package/data"])
        self.assertIn("directory", str(caught.exception))
        with self.assertRaises(ValueError):
            bundle.build("helpers.h", include_data=["../x/*.txt"])
        with warnings.catch_warnings(record=True) as caught_warnings:
            warnings.simplefilter("always")
            made = bundle.build("helpers.h", include_data=["my_package/data/*.csv", "my_package/**/*.txt"])
        self.assertEqual(1, len(made.warnings))
        self.assertTrue(any("matched no file" in str(w.message) for w in caught_warnings))
        self.assertEqual(["my_package/data/c.txt"], made.include_data)

    def test_glob_characters_in_file_names_are_escaped_for_the_server(self):
        self.assertEqual("data/a.json", bundle._java_glob_escape("data/a.json"))
        self.assertEqual("data/a\\[1\\].json", bundle._java_glob_escape("data/a[1].json"))

    def test_the_zip_is_deterministic_and_keeps_spool_s_directory_free(self):
        one = bundle.build("helpers.h", include_modules=["helpers"]).zip()
        two = bundle.build("helpers.h", include_modules=["helpers"]).zip()
        self.assertEqual(one, two)
        with zipfile.ZipFile(io.BytesIO(one)) as z:
            self.assertIn("helpers.py", z.namelist())
            self.assertFalse(any(n.startswith(".spool/") for n in z.namelist()))


class RequirementsTest(unittest.TestCase):

    def test_lines_and_files(self):
        self.assertEqual(["geopandas", "numpy>=1.20"], bundle.requirement_lines(["geopandas", " ", "# c",
                                                                                 "numpy>=1.20  # pinned"]))
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "base.txt"), "idna==3.20\n")
            write(os.path.join(d, "requirements.txt"), "# top\n-r base.txt\ngeopandas\n\n")
            self.assertEqual(["idna==3.20", "geopandas"],
                             bundle.requirement_lines(os.path.join(d, "requirements.txt")))
            with self.assertRaises(ValueError) as caught:
                bundle.requirement_lines(os.path.join(d, "nope.txt"))
            self.assertIn("does not exist", str(caught.exception))
        with self.assertRaises(ValueError):
            bundle.requirement_lines([1])


if __name__ == "__main__":
    unittest.main()
