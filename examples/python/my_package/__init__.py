"""The seed's package with a Cython module: cython_module.pyx is compiled by the function's build."""
