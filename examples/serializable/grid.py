"""A binary result: an object with serialize() is stored as the bytes it returns, here a .npy file."""

import io

import numpy as np


class NpyArray:
    """Spool's Serializable protocol: serialize() returns the bytes to store."""

    def __init__(self, array):
        self.array = array

    def serialize(self):
        buffer = io.BytesIO()
        np.save(buffer, self.array, allow_pickle=False)
        return buffer.getvalue()


def grid(rows, cols):
    """A rows x cols float64 array whose element (r, c) is r + c / 10."""
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    return NpyArray((r + c / 10).astype("<f8"))
