"""Pure structure handling: reading, checking, layers and slab models."""
