"""Sub-commands of ``civicgrid plans …``, one module each (see civicgrid.core.subcommands):
every module of this package is a sub-command, found by name."""
