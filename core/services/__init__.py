"""Write paths of the shared case management; one module per topic."""
