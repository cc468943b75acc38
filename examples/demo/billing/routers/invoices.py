from fastapi import APIRouter

from billing.deps import Account

router = APIRouter(prefix="/invoices")


@router.get("/")
async def list_invoices(account: Account):
    return []


@router.get("/{invoice_id}")
async def get_invoice(invoice_id: int, account: Account):
    return {}


@router.post("/{invoice_id}/refund")
async def refund_invoice(invoice_id: int):
    # Forgot the Account dependency: anyone can refund any invoice.
    return {"refunded": invoice_id}


@router.post("/token")
async def issue_token(form: dict):
    return {"access_token": "…"}
