"""The progress bar: drawn in a terminal, silent where output is not one, throttled."""
import io
import unittest

from spool_client.progress import Progress, render


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


class ProgressTest(unittest.TestCase):

    def test_render(self):
        line = render("function f1", 5, 20, {"SUCCESS": 4, "FAILURE": 1, "PENDING": 0}, 73)
        self.assertIn("[#######.......................] 5/20", line)
        self.assertIn("SUCCESS 4  FAILURE 1", line)
        self.assertNotIn("PENDING", line)
        self.assertTrue(line.endswith("1:13"))
        self.assertIn("3 done", render("x", 3, None, {}, 0))

    def test_a_terminal_gets_one_updated_line(self):
        out = FakeTerminal()
        with Progress("job f-1", 2, stream=out) as bar:
            bar.update(1, {"SUCCESS": 1}, force=True)
            bar.update(2, {"SUCCESS": 2}, force=True)
        text = out.getvalue()
        self.assertEqual(1, text.count("\n"))
        self.assertIn("\r", text)
        self.assertIn("2/2", text.split("\r")[-1])

    def test_not_a_terminal_gets_nothing_unless_asked(self):
        out = io.StringIO()
        with Progress("x", 2, stream=out) as bar:
            bar.update(1, force=True)
        self.assertEqual("", out.getvalue())
        forced = io.StringIO()
        with Progress("x", 2, enabled=True, stream=forced) as bar:
            bar.update(1, force=True)
        self.assertIn("1/2", forced.getvalue())
        off = FakeTerminal()
        with Progress("x", 2, enabled=False, stream=off) as bar:
            bar.update(1, force=True)
        self.assertEqual("", off.getvalue())

    def test_updates_are_throttled(self):
        out = FakeTerminal()
        bar = Progress("x", 1000, stream=out)
        for i in range(1000):
            bar.update(i)
        self.assertLess(out.getvalue().count("\r"), 10)

    def test_a_note_is_always_shown(self):
        out = io.StringIO()
        Progress("x", 2, stream=out).note("interrupted")
        self.assertEqual("interrupted\n", out.getvalue())


if __name__ == "__main__":
    unittest.main()
