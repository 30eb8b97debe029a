// Lint: typescript-eslint's recommended rules, plus a ban on the float helpers that have
// burned money code elsewhere. Money and quantities are bigint; these have no place here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const floatMoney = [
  { selector: "CallExpression[callee.name='parseFloat']", message: 'Money and quantities are bigint; use parseDecimal/parseMoney.' },
  { selector: "CallExpression[callee.property.name='toFixed']", message: 'Use formatMoney/formatDecimal, not toFixed.' },
  { selector: "MemberExpression[object.name='Math'][property.name='round']", message: 'Use divRound with a named rounding mode.' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Where money lives. (The benchmark may round its own timings and megabytes.)
  { files: ['src/**', 'test/**', 'web/**'], rules: { 'no-restricted-syntax': ['error', ...floatMoney] } },
);
