"""A random image with as many bands as asked for (the Multiple Jobs example's entrypoint)."""
import numpy as np

HEIGHT = 16
WIDTH = 16


def generate_random_image(num_bands):
    """A num_bands x HEIGHT x WIDTH image of values 0..255, as nested lists (results are JSON)."""
    image = np.random.default_rng(num_bands).integers(0, 256, size=(num_bands, HEIGHT, WIDTH))
    return image.tolist()
