from fastapi import FastAPI

from billing.routers import invoices, webhooks

app = FastAPI(title="billing")
app.include_router(invoices.router, prefix="/api")
app.include_router(webhooks.router, prefix="/hooks")
