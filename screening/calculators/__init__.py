"""Levels of theory and the calculators that implement them."""
