"""Request and response bodies of /api/xapi/identities: an identity in xAPI's own terms."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from questpath.text import NoBidiControls

IDENTIFIERS = ("account", "mbox", "mbox_sha1sum", "openid")
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]+$"
# An absolute IRI, with no space (an account's home page ends at the first one in its IFI).
Iri = Annotated[str, StringConstraints(max_length=300, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")]


class XapiAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    homePage: Iri = Field(description="the system where the account is, e.g. the LMS's address")
    name: Annotated[
        str,
        StringConstraints(min_length=1, max_length=250, pattern=NO_CONTROL_CHARACTERS),
        NoBidiControls,
    ] = Field(description="the account's name or id on that system")


class XapiIdentifier(BaseModel):
    """Exactly one of xAPI's inverse functional identifiers."""

    model_config = ConfigDict(extra="forbid")

    account: XapiAccount | None = None
    mbox: (
        Annotated[str, StringConstraints(max_length=330, pattern=r"^mailto:[^@\s]+@[^@\s]+$")]
        | None
    ) = Field(None, description="mailto: and an e-mail address")
    mbox_sha1sum: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{40}$")] | None = Field(
        None, description='the hex SHA-1 of "mailto:" and an e-mail address'
    )
    openid: Iri | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> XapiIdentifier:
        given = [name for name in IDENTIFIERS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of account, mbox, mbox_sha1sum and openid"
                + (f" (given: {', '.join(given)})" if given else "")
            )
        return self

    def ifi(self) -> str:
        """As `questpath.xapi.agents.ifi` gives it for an agent with this identifier."""
        if self.account is not None:
            return f"account:{self.account.homePage} {self.account.name}"
        if self.mbox is not None:
            return f"mbox:{self.mbox}"
        if self.mbox_sha1sum is not None:
            return f"mbox_sha1sum:{self.mbox_sha1sum.lower()}"
        return f"openid:{self.openid}"

    @classmethod
    def of_ifi(cls, ifi: str) -> XapiIdentifier:
        field, _, value = ifi.partition(":")
        if field == "account":
            home_page, _, name = value.partition(" ")
            return cls(account=XapiAccount(homePage=home_page, name=name))
        return cls.model_validate({field: value})


class XapiIdentityCreate(XapiIdentifier):
    """The identity to link: exactly one of account, mbox, mbox_sha1sum and openid."""


class XapiIdentityRead(XapiIdentifier):
    id: uuid.UUID | None = Field(description="the link's id; null for the learner's own address")
    implicit: bool = Field(
        description="true for the learner's own e-mail address, recognised without a link"
    )
    created_at: datetime | None = Field(description="when it was linked; null when implicit")


class XapiIdentityList(BaseModel):
    items: list[XapiIdentityRead]
