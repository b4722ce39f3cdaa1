"""Composite calculations built on get-or-compute (references, descriptors)."""
