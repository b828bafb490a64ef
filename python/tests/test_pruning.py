"""A script is pruned to what importing it defines: imports, definitions and constants, none of its calls."""
import textwrap
import unittest

from spool_client.pruning import prune, top_level_function

SCRIPT = textwrap.dedent('''\
    """The seed's Serializable example, as a script."""
    import io

    import numpy as np

    from spool_client import Function, Serializable

    SIZE = 3
    LIMIT: int = 5
    ORIGIN = np.zeros(2)

    class SerializableArray(Serializable):
        def __init__(self, value):
            self.value = value

    def hello(i):
        return SerializableArray(np.array([i, i + 1, i + 2]))

    try:
        import yaml
    except ImportError:
        yaml = None
        print("no yaml")

    async_func = Function(hello, name="my-compute-hello")
    async_func.save()
    for i in range(3):
        print(async_func(i))
    with open("x") as f:
        f.read()
    if __name__ == "__main__":
        print("main")
    ''')


class PruneTest(unittest.TestCase):

    def test_keeps_imports_definitions_and_constants(self):
        pruned = prune(SCRIPT)
        for kept in ("import io", "import numpy as np", "from spool_client import Function, Serializable",
                     "SIZE = 3", "LIMIT: int = 5", "class SerializableArray(Serializable):", "def hello(i):",
                     "import yaml", "yaml = None", '"""The seed\'s Serializable example, as a script."""'):
            self.assertIn(kept, pruned)

    def test_drops_calls_loops_and_main_guards(self):
        pruned = prune(SCRIPT)
        for dropped in ("ORIGIN", "async_func", "print", "for i in", "open(", "__main__"):
            self.assertNotIn(dropped, pruned)

    def test_line_numbers_are_kept(self):
        pruned = prune(SCRIPT)
        self.assertEqual(len(SCRIPT.splitlines()), len(pruned.splitlines()))
        original = SCRIPT.splitlines()
        for number, line in enumerate(pruned.splitlines()):
            self.assertIn(line, ("", original[number]) if line.strip() != "pass" else (line,))

    def test_importing_the_pruned_script_runs_nothing(self):
        source = prune(textwrap.dedent('''\
            import os
            CALLS = []
            def f(x):
                return x + 1
            CALLS.append(f(1))
            raise SystemExit("ran")
            '''))
        namespace = {}
        exec(compile(source, "pruned", "exec"), namespace)
        self.assertEqual(2, namespace["f"](1))
        self.assertEqual([], namespace["CALLS"])

    def test_a_block_left_empty_gets_a_pass(self):
        source = prune("try:\n    print(1)\nexcept ImportError:\n    x = 1\n")
        compile(source, "pruned", "exec")
        self.assertIn("pass", source)
        self.assertIn("x = 1", source)

    def test_statements_sharing_a_line_fall_back_to_unparse(self):
        source = prune("import os; print(os)\ndef f():\n    return 1\nprint(f())\n")
        self.assertIn("import os", source)
        self.assertNotIn("print", source)
        self.assertIn("def f", source)

    def test_blocks_that_keep_nothing_are_dropped(self):
        source = prune("result = compute()\nif result != 5:\n    raise SystemExit('wrong')\n"
                       "try:\n    print(1)\nexcept ValueError:\n    print(2)\n")
        self.assertEqual("", source.strip())

    def test_top_level_function(self):
        self.assertIsNotNone(top_level_function(prune(SCRIPT), "hello"))
        self.assertIsNone(top_level_function(prune(SCRIPT), "missing"))

    def test_a_syntax_error_is_raised(self):
        with self.assertRaises(SyntaxError):
            prune("def (:\n")


if __name__ == "__main__":
    unittest.main()
