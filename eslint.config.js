// One lint setup for the whole monorepo. `any` is an error: where it is truly needed,
// disable the rule on that line with a comment saying why.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "out/**", "bench/results/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@neoxctl/*/src/*", "../../*/src/*"],
              message: "Import a sibling package by its name, not its src."
            }
          ]
        }
      ]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    ignores: ["packages/*/src/**/*.test.ts"],
    rules: { "no-console": "error" }
  },
  {
    files: ["packages/cli/src/**/*.ts", "packages/emulator/src/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: { "no-console": "off" }
  }
);
