const express = require("express");

const router = express.Router();

// Shared notes: reading them is public on purpose, but the delete slipped in unguarded.
router.get("/:noteId", (req, res) => res.json({})); // keyhole: ignore[missing-auth] shared notes are public by design
router.delete("/:noteId", (req, res) => res.status(204).end());

module.exports = router;
