-- keyhole's language server in Neovim (0.7 and later): diagnostics as you type, hover on a
-- route for its inventory row, a code action inserting a suppression comment.
--
--   require("keyhole").setup()                          -- `keyhole` on PATH
--   require("keyhole").setup({ cmd = { "/path/to/keyhole", "lsp" } })
local M = {}

local filetypes = {
  "python", "javascript", "javascriptreact", "typescript", "typescriptreact", "yaml", "json",
}

-- One client per project root (the directory holding `.git`, else the working directory).
local clients = {}

local function root_of(path)
  local git = vim.fn.finddir(".git", vim.fn.fnamemodify(path, ":p:h") .. ";")
  if git == "" then
    return vim.fn.getcwd()
  end
  return vim.fn.fnamemodify(git, ":p:h:h")
end

function M.attach(bufnr, opts)
  opts = opts or {}
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" then
    return
  end
  local root = root_of(path)
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client({
      name = "keyhole",
      cmd = opts.cmd or { "keyhole", "lsp" },
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    })
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

function M.setup(opts)
  local group = vim.api.nvim_create_augroup("keyhole", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = filetypes,
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
end

return M
