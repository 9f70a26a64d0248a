"""asv benchmarks for flambeau, each next to the same operation in NumPy."""
