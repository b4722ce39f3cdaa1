"""zn-screening: atomistic screening of protective interlayers for Zn-metal anodes."""

__version__ = "0.1.0"
