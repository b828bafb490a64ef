"""Areas of the regions in data/tiles.geojson, computed with geopandas (installed by the function's build)."""

import importlib.resources


def areas(crs="EPSG:6933"):
    """Each tile's area in km², in an equal-area projection, and the geopandas version that computed it."""
    import geopandas

    path = importlib.resources.files("geo_tools").joinpath("data/tiles.geojson")
    with importlib.resources.as_file(path) as file:
        tiles = geopandas.read_file(file)
    km2 = tiles.to_crs(crs).area / 1e6
    return {
        "geopandas": geopandas.__version__,
        "areas_km2": {name: round(float(a), 1) for name, a in zip(tiles["name"], km2)},
    }
