"""Links for the rows of a list, built without a url_for per row."""

from flask import url_for


class RowLink:
    """url_for(endpoint, **{arg: id}) for every row of a list: the address is built once per
    page and each row's id put in its place (one url_for per row was a measurable part of a
    long list)."""

    _MARK = 2_147_483_647

    def __init__(self, endpoint: str, arg: str):
        mark = str(self._MARK)
        self.head, _, self.tail = url_for(endpoint, **{arg: self._MARK}).partition(mark)

    def __call__(self, row_id: int) -> str:
        return f"{self.head}{int(row_id)}{self.tail}"
