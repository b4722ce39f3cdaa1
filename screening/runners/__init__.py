"""Running calculations: single points, relaxations, get-or-compute."""
