"""Stand-in for ``httpx.URL`` in the vendored Bonn processors, which use it only as
``str(URL(o["id"]))`` to normalise an id. The ids of this interface are already normal
(lower-case scheme and host, no default port, no dot segments): the id is kept as it is."""


def URL(value: str) -> str:  # noqa: N802 (the name of the class it stands in for)
    return value
