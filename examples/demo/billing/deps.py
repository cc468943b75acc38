from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/token")


async def current_account(token: str = Depends(oauth2_scheme)):
    account = await lookup(token)
    if account is None:
        raise HTTPException(status_code=401)
    return account


Account = Annotated[dict, Depends(current_account)]


async def lookup(token):
    return {"id": 1}
