"""Simplifies the shapes of the package's data file (the Python Package example's entrypoint).

The data file ships with the package (``include_data``) and is read with ``pkg_resources``, relative to the
package, as the seed asks; geopandas (and shapely with it) comes from the function's requirements.
"""
import json

import pkg_resources

import compute_examples


def simplify(tolerance):
    """Each shape's vertex count before and after simplifying it with ``tolerance``."""
    import geopandas

    text = pkg_resources.resource_string(compute_examples.__name__, "data/shapes.json")
    features = json.loads(text)["features"]
    shapes = geopandas.GeoDataFrame.from_features(features)
    simplified = shapes.geometry.simplify(tolerance)
    return {
        "geopandas": geopandas.__version__,
        "shapes": {
            name: [len(before.exterior.coords), len(after.exterior.coords)]
            for name, before, after in zip(shapes["name"], shapes.geometry, simplified)
        },
    }
