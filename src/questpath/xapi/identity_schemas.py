"""Request and response bodies of /api/xapi/identities: an identity in xAPI's own terms."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from questpath.text import NoBidiControls

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


Mbox = Annotated[str, StringConstraints(max_length=330, pattern=r"^mailto:[^@\s]+@[^@\s]+$")]
Sha1 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{40}$")]


class _OneIdentifier(BaseModel):
    model_config = ConfigDict(extra="forbid")


class XapiLinkAccount(_OneIdentifier):
    account: XapiAccount


class XapiLinkMbox(_OneIdentifier):
    mbox: Mbox = Field(description="mailto: and an e-mail address")


class XapiLinkMboxSha1sum(_OneIdentifier):
    mbox_sha1sum: Sha1 = Field(description='the hex SHA-1 of "mailto:" and an e-mail address')


class XapiLinkOpenid(_OneIdentifier):
    openid: Iri


# The identity to link: exactly one of account, mbox, mbox_sha1sum and openid.
XapiIdentityCreate = XapiLinkAccount | XapiLinkMbox | XapiLinkMboxSha1sum | XapiLinkOpenid


def ifi_of(body: XapiIdentityCreate) -> str:
    """As `questpath.xapi.agents.ifi` gives it for an agent with this identifier."""
    if isinstance(body, XapiLinkAccount):
        return f"account:{body.account.homePage} {body.account.name}"
    if isinstance(body, XapiLinkMbox):
        return f"mbox:{body.mbox}"
    if isinstance(body, XapiLinkMboxSha1sum):
        return f"mbox_sha1sum:{body.mbox_sha1sum.lower()}"
    return f"openid:{body.openid}"


class XapiIdentifier(BaseModel):
    """One of xAPI's inverse functional identifiers, the others null."""

    account: XapiAccount | None = None
    mbox: str | None = None
    mbox_sha1sum: str | None = None
    openid: str | None = None

    @classmethod
    def of_ifi(cls, ifi: str) -> XapiIdentifier:
        field, _, value = ifi.partition(":")
        if field == "account":
            home_page, _, name = value.partition(" ")
            return cls(account=XapiAccount(homePage=home_page, name=name))
        return cls.model_validate({field: value})


class XapiIdentityRead(XapiIdentifier):
    id: uuid.UUID | None = Field(description="the link's id; null for the learner's own address")
    implicit: bool = Field(
        description="true for the learner's own e-mail address, recognised without a link"
    )
    created_at: datetime | None = Field(description="when it was linked; null when implicit")


class XapiIdentityList(BaseModel):
    items: list[XapiIdentityRead]
