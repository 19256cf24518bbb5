// Lint probe (test/style): formatted against the repo's Prettier config, this file changes.
export const   unformatted = {a:1,
  b:2};
