"""Sub-commands of ``civicgrid indicators …``, one module each (see civicgrid.core.subcommands):
every module of this package is a sub-command, found by name."""
