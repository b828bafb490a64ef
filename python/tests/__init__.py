"""The client's tests. ``python -m unittest discover -s python/tests -t python`` runs the offline tests (and the
live ones too when SPOOL_URL is set); ``-p 'test_live_*.py'`` runs only the live ones, which fail without
SPOOL_URL."""
import fnmatch
import os


def load_tests(loader, standard_tests, pattern):
    pattern = pattern or "test*.py"
    live_only = pattern.startswith("test_live")
    with_live = live_only or bool(os.environ.get("SPOOL_URL", "").strip())
    for name in sorted(os.listdir(os.path.dirname(os.path.abspath(__file__)))):
        if not name.endswith(".py") or not fnmatch.fnmatch(name, pattern):
            continue
        live = name.startswith("test_live_")
        if (live and with_live) or (not live and not live_only):
            standard_tests.addTests(loader.loadTestsFromName(__name__ + "." + name[:-3]))
    return standard_tests
