"""A package with a subpackage, data files and a Cython module, shipped with includeModules/includeData."""
