"""Descriptors of a candidate surface at one level, each from stored calculations."""
