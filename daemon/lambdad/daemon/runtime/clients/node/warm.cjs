// Imported (from ESM) by waiting.mjs before it waits, and dropped from require's cache again:
// the first CommonJS module imported from ESM initializes node's CommonJS lexer, which a
// CommonJS handler would otherwise pay for at its function's first start.
module.exports = {};
