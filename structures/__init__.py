"""The bundled structure library: ``catalog.toml`` and its structure files.

Installed as the package data of ``screening.structures`` (pyproject.toml
maps this folder there), so an installed copy finds it with
:func:`screening.settings.bundled_structures`.
"""
