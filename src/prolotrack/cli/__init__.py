"""The command line: parse, call the domain, pick a renderer, map errors to exit codes."""
