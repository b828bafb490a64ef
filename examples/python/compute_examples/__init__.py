"""The seed's example package: the functions the Multiple Jobs and Python Package examples call by name."""
