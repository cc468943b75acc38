const express = require("express");
const passport = require("passport");

const notes = require("./routes/notes");
const share = require("./routes/share");
const { requireAuth } = require("./middleware/auth");

const app = express();
app.use(express.json());

app.post("/login", passport.authenticate("local"), (req, res) => res.json(req.user));
app.get("/status", (req, res) => res.json({ ok: true }));

app.use("/api/notes", requireAuth, notes);
app.use("/share", share);

app.listen(3000);
