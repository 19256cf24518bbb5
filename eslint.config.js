// One lint setup for the whole monorepo, type-aware: rules that need the type checker (exhaustive
// switches over closed unions, promises that nobody awaits) run on every TypeScript file.
// `any` is an error: where it is truly needed, disable the rule on that line with a comment saying why.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // test/style/probes hold code that must fail lint; test/style/enforced-style.test.ts lints them
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "out/**",
      "bench/results/**",
      "**/*.js",
      "**/*.mjs",
      "test/style/probes/**"
    ]
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["examples/data/*.ts", "packages/*/scripts/*.ts"] },
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // a closed union (states, events, error codes) must be handled member by member: a `default:`
      // does not count, so adding a member fails lint wherever it is not handled
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }
      ],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
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
