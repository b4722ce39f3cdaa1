"""The candidate library: prototypes, the bundled and user catalogs, intake."""
