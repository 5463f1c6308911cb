"""OParl 1.1: the public papers of the city, read-only and anonymous, at /oparl/v1.1/."""
