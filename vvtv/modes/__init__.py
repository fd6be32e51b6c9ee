"""Modes: the catalog of mode manifests, served from config for the shell to compose."""
