"""Pure functions over canonical Polars frames: no file reading, no printing."""
