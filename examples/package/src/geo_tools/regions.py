"""Looks regions up in the package's data file and names their web domain in ASCII (IDNA)."""

import importlib.resources
import json

import idna

from geo_tools import units


def _regions():
    text = importlib.resources.files("geo_tools").joinpath("data/regions.json").read_text(encoding="utf-8")
    return json.loads(text)


def describe(name):
    region = _regions()[name]
    return {
        "name": name,
        "area_km2": region["area_km2"],
        "area_mi2": units.km2_to_mi2(region["area_km2"]),
        "domain": idna.encode(region["domain"]).decode("ascii"),
        "idna": idna.__version__,
    }
