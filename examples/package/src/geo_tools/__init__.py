"""A small package shipped with a function: modules, a data file and a pip requirement."""
