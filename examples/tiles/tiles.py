"""A histogram per tile of a synthetic raster, with tiles that fail transiently.

The raster of a tile is generated from the tile's id with a seeded generator, so every attempt (and
every run of this file on your machine) sees the same pixels. Tiles divisible by 7 fail their first
attempt and tiles divisible by 11 their first two: the attempts are counted in files under
``marker_dir``, a local directory every container on the machine can write (the embedded cluster
runs its containers on this machine; on a real cluster use a shared filesystem).
"""

import os

import numpy as np

SIZE = 256
BINS = 16


class TransientError(Exception):
    """A failure that goes away when the tile runs again."""


def raster(tile_id):
    """The tile's SIZE x SIZE pixels, values 0..255, the same for every call with the same id."""
    return np.random.default_rng(tile_id).integers(0, 256, size=(SIZE, SIZE), dtype=np.int64)


def counts(tile_id):
    """The tile's histogram: BINS equal bins over 0..255."""
    return np.bincount(raster(tile_id).ravel() // (256 // BINS), minlength=BINS).tolist()


def failures_before_success(tile_id):
    if tile_id % 11 == 0:
        return 2
    if tile_id % 7 == 0:
        return 1
    return 0


def _attempt(tile_id, marker_dir):
    """Counts this attempt of the tile in its marker file and returns its number, from 1."""
    marker = os.path.join(marker_dir, "tile-%d.attempts" % tile_id)
    with open(marker, "a") as f:
        f.write("x")
    return os.path.getsize(marker)


def histogram(tile_id, marker_dir):
    attempt = _attempt(tile_id, marker_dir)
    if attempt <= failures_before_success(tile_id):
        raise TransientError("tile %d: attempt %d failed, as planned" % (tile_id, attempt))
    print("tile %d: attempt %d" % (tile_id, attempt))
    return {"tile": tile_id, "counts": counts(tile_id)}
