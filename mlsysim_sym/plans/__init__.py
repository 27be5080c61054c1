"""YAML plans: ``model`` (pydantic, the schema's source), ``loader`` (YAML with marks, located errors),
``resolve`` (catalogue names, the fleet), ``evaluation`` (the three lenses), ``assertions``, ``schema``.

Nothing is imported here: ``mlsysim-sym schema`` loads pydantic only (see docs/decisions/plans.md)."""
