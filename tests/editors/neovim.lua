-- Run by tests/neovim.rs: nvim --headless -u NONE -c "luafile tests/editors/neovim.lua"
-- with KEYHOLE_BIN, KEYHOLE_PLUGIN, KEYHOLE_FILE and KEYHOLE_OUT in the environment.
vim.cmd("filetype on")
vim.opt.runtimepath:append(os.getenv("KEYHOLE_PLUGIN"))
require("keyhole").setup({ cmd = { os.getenv("KEYHOLE_BIN"), "lsp" } })
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("KEYHOLE_FILE")))
local got = vim.wait(30000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)
local lines = {}
if got then
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(lines, string.format("%d %s %s", d.lnum + 1, d.source or "", d.message:match("^[^\n]*")))
  end
else
  table.insert(lines, "no diagnostics")
end
vim.fn.writefile(lines, os.getenv("KEYHOLE_OUT"))
vim.cmd("qa!")
