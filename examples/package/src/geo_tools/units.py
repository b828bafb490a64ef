"""Unit conversions, a second module of the package."""

KM2_PER_MI2 = 2.589988110336


def km2_to_mi2(km2):
    return round(km2 / KM2_PER_MI2, 3)
