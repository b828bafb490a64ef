"""Reads the package's data both ways jobs do, and reports what the environment provides."""

import importlib.resources
import json


def read_both():
    import pkg_resources

    import idna
    from geo_pkg import fast

    through_resources = importlib.resources.files("geo_pkg").joinpath("data/tiles.json").read_text()
    through_pkg_resources = pkg_resources.resource_string("geo_pkg", "data/tiles.json").decode()
    return {
        "resources": json.loads(through_resources),
        "pkg_resources": json.loads(through_pkg_resources),
        "idna": idna.__version__,
        "fast": fast.add(2, 3),
        "compiled": not fast.__file__.endswith(".pyx"),
    }


def idna_version():
    import idna

    return idna.__version__
