"""The use cases: one module per thing a practitioner does. Each reads what it needs from
storage, decides with the pure model in ``domain``, and writes once."""
